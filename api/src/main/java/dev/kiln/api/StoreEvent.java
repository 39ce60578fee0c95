package dev.kiln.api;

import java.util.Objects;

/** What the content-addressed store does on its own account. */
public sealed interface StoreEvent extends KilnEvent {
    /** The store waits for a gc or repair in another process, at most ten minutes; {@code message} says for whom. */
    record Waiting(String message) implements StoreEvent {
        public Waiting {
            Objects.requireNonNull(message, "message");
        }
    }

    /**
     * The blob named {@code digest} held bytes hashing to {@code found} (a store restored from a
     * cache, shared, or tampered with): it was removed, to be fetched or made again.
     */
    record DamagedBlobRemoved(String digest, String found) implements StoreEvent {
        public DamagedBlobRemoved {
            Objects.requireNonNull(digest, "digest");
            Objects.requireNonNull(found, "found");
        }
    }

    /**
     * What a build took from the store's memo and what it made, for one step: {@code unpack} (a
     * package unpacked, per architecture) or {@code layer} (a layer written and compressed).
     * {@code made} is 0 for a warm build. Sent once per step after the layers are written.
     */
    record MemoUsed(String step, int reused, int made) implements StoreEvent {
        public MemoUsed {
            Objects.requireNonNull(step, "step");
        }
    }
}
