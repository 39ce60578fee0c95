package dev.kiln.fetcher;

import java.time.Duration;

/**
 * What a {@link Fetcher#fetch} did: {@code fetched} files ({@code bytesFetched} bytes) came over the
 * network, {@code alreadyPresent} files ({@code bytesAlreadyPresent} bytes) were in the store already.
 * Duplicates in the input count once.
 */
public record FetchResult(int fetched, long bytesFetched, int alreadyPresent, long bytesAlreadyPresent, Duration elapsed) {
    public int total() {
        return fetched + alreadyPresent;
    }
}
