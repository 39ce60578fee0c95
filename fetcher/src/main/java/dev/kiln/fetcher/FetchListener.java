package dev.kiln.fetcher;

import dev.kiln.store.Digest;
import java.net.URI;

/**
 * Hears how a {@link Fetcher} gets on, for progress output. Methods are called from the fetcher's
 * worker threads, several at once, so an implementation must be thread-safe; it should also be quick,
 * since a download waits for it.
 */
public interface FetchListener {
    FetchListener NONE = new FetchListener() {
    };

    /** The download starts on {@code url} (once per URL tried, not per retry). */
    default void started(Download download, URI url) {
    }

    /** {@code bytesSoFar} of the file are staged. It can go down when a server makes us start over. */
    default void progress(Download download, long bytesSoFar) {
    }

    /** A transient failure on {@code url}; the fetcher waits a little and tries again, resuming if it can. */
    default void retrying(Download download, URI url, String why) {
    }

    /** The file is in the store: fetched and verified, or there already. */
    default void finished(Download download, boolean alreadyPresent) {
    }

    /**
     * The store held other bytes ({@code found}) under the download's sha256: they were removed, and
     * the file is fetched again (or, offline, reported missing).
     */
    default void damaged(Download download, Digest found) {
    }

    /** Every URL failed; {@code why} says what each did. */
    default void failed(Download download, String why) {
    }
}
