package dev.kiln.fetcher;

import java.io.Closeable;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;

/** Where bytes come from. The real one speaks HTTP; tests serve fixtures from a local server. */
public interface Transport extends Closeable {

    /**
     * Starts a GET, retrying transient failures. A 404 or 410 gives {@link NotFoundException} so callers
     * can fall back (InRelease to Release, by-hash to the plain path, .xz to .gz); any other failure is a
     * {@link FetchException}.
     */
    Body get(URI uri);

    /**
     * One attempt at a GET of the bytes from {@code fromByte} on (an HTTP Range request when it is
     * above 0), for callers that retry and resume themselves. The server may ignore the range and send
     * the whole file: {@link Body#start()} says where the body really starts. A 404 or 410 gives
     * {@link NotFoundException}; a failure that trying again may cure (no connection, a timeout, HTTP
     * 5xx, 429, 408) gives {@link TransientFetchException}; anything else a {@link FetchException}.
     *
     * <p>The default asks for the whole file, which is what a server that ignores ranges does.
     */
    default Body get(URI uri, long fromByte) {
        return get(uri);
    }

    /** An open response body; {@code length} is -1 when the server did not say. */
    interface Body extends Closeable {
        /** Bytes in this body (not the whole file when it answers a range), or -1 when unknown. */
        long length();

        /** The offset in the file of the body's first byte: 0 for a whole file. */
        default long start() {
            return 0;
        }

        InputStream stream();

        /** Ends the response; a body not read to its end is abandoned, not drained. */
        @Override
        void close();
    }

    @Override
    default void close() throws IOException {
    }
}
