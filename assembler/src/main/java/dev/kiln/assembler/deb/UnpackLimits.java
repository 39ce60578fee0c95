package dev.kiln.assembler.deb;

/**
 * Bounds on what one package may expand to, so a small hostile archive cannot exhaust memory
 * (a decompression bomb). Counted on the decompressed tar streams, headers included.
 *
 * @param maxTotalBytes decompressed bytes of control.tar and data.tar together
 * @param maxEntryBytes the size of any one file
 * @param maxEntries tar entries of control.tar and data.tar together
 */
public record UnpackLimits(long maxTotalBytes, long maxEntryBytes, int maxEntries) {
    /** 4 GiB: more than any Debian package unpacks to (the largest are about 2 GiB). */
    public static final long DEFAULT_MAX_TOTAL_BYTES = 4L << 30;
    /** Files are held in memory for now, so one file must fit a Java array. */
    public static final long DEFAULT_MAX_ENTRY_BYTES = Integer.MAX_VALUE - 8;
    /** Ten times the entry count of the largest Debian packages. */
    public static final int DEFAULT_MAX_ENTRIES = 1_000_000;

    public static final UnpackLimits DEFAULT =
            new UnpackLimits(DEFAULT_MAX_TOTAL_BYTES, DEFAULT_MAX_ENTRY_BYTES, DEFAULT_MAX_ENTRIES);

    public UnpackLimits {
        if (maxTotalBytes <= 0 || maxEntryBytes <= 0 || maxEntries <= 0) {
            throw new IllegalArgumentException("unpack limits must be positive: " + maxTotalBytes + ", "
                    + maxEntryBytes + ", " + maxEntries);
        }
        if (maxEntryBytes > DEFAULT_MAX_ENTRY_BYTES) {
            throw new IllegalArgumentException("files are held in memory; maxEntryBytes can be at most "
                    + DEFAULT_MAX_ENTRY_BYTES + ", found " + maxEntryBytes);
        }
    }

    public UnpackLimits withMaxTotalBytes(long bytes) {
        return new UnpackLimits(bytes, maxEntryBytes, maxEntries);
    }

    public UnpackLimits withMaxEntryBytes(long bytes) {
        return new UnpackLimits(maxTotalBytes, bytes, maxEntries);
    }

    public UnpackLimits withMaxEntries(int entries) {
        return new UnpackLimits(maxTotalBytes, maxEntryBytes, entries);
    }
}
