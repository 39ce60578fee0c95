package dev.kiln.cache;

import dev.kiln.store.Digest;

/**
 * Hears what a {@link RegistryStore} does: what came from it, what was refused and why, what was
 * sent, and that it could not be reached. Called from several threads at once: quick and thread-safe.
 */
public interface CacheListener {
    CacheListener NONE = new CacheListener() {
    };

    /**
     * {@code digest} ({@code size} bytes with what it lists) came from the cache: a blob
     * ({@code step} empty) or the value of a memo entry of {@code step}.
     */
    default void hit(String step, Digest digest, long size) {
    }

    /**
     * The cache had no usable entry for {@code step} (empty for a blob) and {@code key}: none
     * ({@code refused} false), or one that was refused for {@code why} (a warning: unsigned, another
     * key, another step or key, other bytes).
     */
    default void miss(String step, Digest key, boolean refused, String why) {
    }

    /** After a command succeeded: {@code entries} memo entries and {@code blobs} blobs ({@code bytes} in all) uploaded. */
    default void pushed(int entries, int blobs, long bytes) {
    }

    /** The cache at {@code registry} could not be used ({@code why}); kiln goes on locally and asks it no more. */
    default void unavailable(String registry, String why) {
    }
}
