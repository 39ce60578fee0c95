package dev.kiln.store;

/**
 * Hears what a {@link ContentStore} does on its own account: waiting for another process that holds
 * it alone, and removing a blob that held other bytes than its name says. Called from whatever
 * thread met the event, several at once: an implementation must be quick and thread-safe.
 */
public interface StoreListener {
    StoreListener NONE = new StoreListener() {
    };

    /** The store waits for a gc or repair in another process; {@code why} says for whom, once. */
    default void waiting(String why) {
    }

    /** The blob named {@code name} held bytes hashing to {@code found}; it was removed, to be fetched or made again. */
    default void removed(Digest name, Digest found) {
    }
}
