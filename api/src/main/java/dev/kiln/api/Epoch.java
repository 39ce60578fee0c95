package dev.kiln.api;

import java.util.OptionalLong;

/**
 * The time an image says it was made: every file's mtime and the config's {@code created}. Never
 * the wall clock: by default the newest Release date the lock names ({@link #fromLock()}), so
 * that the same lock gives the same image; or a time the caller chooses ({@link #of}), as
 * {@code SOURCE_DATE_EPOCH} does for the CLI.
 */
public final class Epoch {
    /** The latest time an image config's {@code created} (RFC 3339, four-digit years) can say: 9999-12-31T23:59:59Z. */
    public static final long LAST = 253_402_300_799L;

    private static final Epoch FROM_LOCK = new Epoch(-1);

    private final long seconds;

    private Epoch(long seconds) {
        this.seconds = seconds;
    }

    /** The newest Release date the lock names. */
    public static Epoch fromLock() {
        return FROM_LOCK;
    }

    /**
     * {@code seconds} since 1970.
     *
     * @throws IllegalArgumentException unless 0 &le; seconds &le; {@link #LAST}
     */
    public static Epoch of(long seconds) {
        if (seconds < 0 || seconds > LAST) {
            throw new IllegalArgumentException("an epoch is from 0 to " + LAST + " seconds since 1970 (the end of the year 9999),"
                    + " found " + seconds);
        }
        return new Epoch(seconds);
    }

    /** The seconds given to {@link #of}; empty for {@link #fromLock()}. */
    public OptionalLong seconds() {
        return seconds < 0 ? OptionalLong.empty() : OptionalLong.of(seconds);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Epoch e && e.seconds == seconds;
    }

    @Override
    public int hashCode() {
        return Long.hashCode(seconds);
    }

    @Override
    public String toString() {
        return seconds < 0 ? "Epoch[from the lock]" : "Epoch[" + seconds + "]";
    }
}
