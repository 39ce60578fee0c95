package dev.kiln.fetcher;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/** Where bytes come from. The real one speaks HTTP; tests serve fixtures from a local server. */
public interface Transport extends Closeable {

    /**
     * Starts a GET. A 404 or 410 gives {@link NotFoundException} so callers can fall back (InRelease
     * to Release, by-hash to the plain path, .xz to .gz); any other failure is a {@link FetchException}.
     */
    Body get(URI uri);

    /** An open response body; {@code length} is -1 when the server did not say. */
    interface Body extends Closeable {
        long length();

        InputStream stream();

        @Override
        void close();
    }

    @Override
    default void close() throws IOException {
    }
}
