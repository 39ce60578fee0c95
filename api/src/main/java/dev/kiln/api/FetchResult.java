package dev.kiln.api;

import java.time.Duration;
import java.util.Objects;

/**
 * What a fetch did: {@code fetched} files ({@code bytesFetched} bytes) came over the network,
 * {@code alreadyPresent} files ({@code bytesAlreadyPresent} bytes) were in the store already, in
 * {@code elapsed}. A package several architectures share counts once.
 */
public record FetchResult(int fetched, long bytesFetched, int alreadyPresent, long bytesAlreadyPresent, Duration elapsed) {
    public FetchResult {
        Objects.requireNonNull(elapsed, "elapsed");
    }

    /** Every file the lock pins, now in the store. */
    public int total() {
        return fetched + alreadyPresent;
    }
}
