package dev.kiln.api;

import java.util.Objects;

/** What the {@link SharedCache} gave, refused and was sent. */
public sealed interface CacheEvent extends KilnEvent {
    /**
     * {@code digest} came from the cache: a blob by its sha256 ({@code step} empty), or the value of
     * a memo entry of {@code step} (e.g. {@code layer-v3}); {@code size} is what was read for it (0
     * when the local store had every blob).
     */
    record Hit(String step, String digest, long size) implements CacheEvent {
        public Hit {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /**
     * The cache had no usable entry for {@code step} (empty for a blob) and {@code key}: none
     * ({@code refused} false), or one refused for {@code reason} (a warning: not signed by a trusted
     * key, signed for another step or key, its blobs' bytes not their digests). The work is done here.
     */
    record Miss(String step, String key, boolean refused, String reason) implements CacheEvent {
        public Miss {
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(reason, "reason");
        }

        /** One line for people. */
        public String message() {
            return "cache entry " + (step.isEmpty() ? "blob" : step) + " " + key + " refused: " + reason;
        }
    }

    /** After the command succeeded, {@code entries} memo entries and {@code blobs} new blobs ({@code bytes}) were sent. */
    record Pushed(int entries, int blobs, long bytes) implements CacheEvent {
    }

    /** The cache {@code repository} could not be used ({@code reason}): kiln works locally and asks it no more this run. */
    record Unavailable(String repository, String reason) implements CacheEvent {
        public Unavailable {
            Objects.requireNonNull(repository, "repository");
            Objects.requireNonNull(reason, "reason");
        }

        /** One line for people. */
        public String message() {
            return "the cache " + repository + " is not used: " + reason;
        }
    }
}
