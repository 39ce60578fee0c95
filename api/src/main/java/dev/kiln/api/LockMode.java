package dev.kiln.api;

/** How far a lock, fetch or build may go to get what it needs. */
public enum LockMode {
    /** Resolve the spec when the lock is missing or was made from another spec, and download what the store lacks. */
    ONLINE,
    /**
     * Never touch the network: resolve from the newest Releases and indexes the store has
     * verified (as apt works from the lists of its last update), and fail naming any package the
     * store lacks.
     */
    OFFLINE,
    /**
     * Never resolve: the lock must be there and made from this spec (and its copies as they are
     * now); download what the store lacks. For a lock request this is refused: locking is resolving.
     */
    FROZEN
}
