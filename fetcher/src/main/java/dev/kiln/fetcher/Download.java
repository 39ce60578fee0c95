package dev.kiln.fetcher;

import dev.kiln.store.Digest;
import java.net.URI;
import java.util.List;
import java.util.Objects;

/**
 * One file to bring into the store: where it may be found ({@code urls}, tried in order, each the same
 * file on another mirror) and what it must be ({@code size} bytes with {@code sha256}). {@code name}
 * is only for messages, e.g. {@code libc6 2.36-9 amd64}.
 */
public record Download(String name, List<URI> urls, long size, Digest sha256) {
    public Download {
        Objects.requireNonNull(name, "name");
        urls = List.copyOf(urls);
        Objects.requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException(name + ": size must not be negative, found " + size);
        }
    }

    public static Download of(String name, URI url, long size, Digest sha256) {
        return new Download(name, List.of(url), size, sha256);
    }
}
