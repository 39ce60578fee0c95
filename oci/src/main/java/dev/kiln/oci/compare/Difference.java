package dev.kiln.oci.compare;

import java.util.Locale;
import java.util.Objects;

/**
 * One place where two image layouts part.
 *
 * @param where the blob (or layout file) it is in, named by its role and digests, e.g.
 *     {@code layer linux/amd64 layers[0] (sha256:… vs sha256:…)}
 * @param aspect what differs
 * @param subject the field ({@code config.Env[1]}), tar path ({@code etc/passwd}) or file
 * @param left the left side's value, as text ({@code ""} when the aspect says it all)
 * @param right the right side's value, as text
 */
public record Difference(String where, Aspect aspect, String subject, String left, String right) {

    public enum Aspect {
        /** A file of the layout itself: {@code oci-layout}, an extra file, an unreferenced blob. */
        FILE,
        /** A blob that a descriptor names is not in {@code blobs/}. */
        MISSING_BLOB,
        /** A blob whose bytes do not hash to its name. */
        DIGEST_MISMATCH,
        /** A blob that cannot be read as what its media type says (bad JSON, broken gzip or tar). */
        UNREADABLE,
        /** A JSON field of {@code index.json}, an index, a manifest or a config. */
        FIELD,
        /** The same JSON value written with other bytes (key order, whitespace, escapes). */
        JSON_BYTES,
        /** A tar entry, manifest or file on the left only. */
        ONLY_LEFT,
        /** A tar entry, manifest or file on the right only. */
        ONLY_RIGHT,
        /** The same tar entries in another order. */
        ORDER,
        /** A regular file's bytes (size and sha256). */
        CONTENT,
        /** The tar entry type (file, directory, symlink, hardlink, device, fifo). */
        TYPE,
        MODE,
        /** Numeric uid:gid and user/group names. */
        OWNER,
        MTIME,
        /** A symlink's or hardlink's target. */
        LINK,
        /** Extended attributes ({@code SCHILY.xattr.*} PAX records). */
        XATTRS,
        /** Device numbers of a character or block device. */
        DEVICE,
        /** Other PAX records (atime, ctime, vendor keys). */
        PAX,
        /** Equal entries, yet the tar bytes differ (header encoding, padding, end blocks). */
        TAR_BYTES,
        /** The same tar, compressed to other bytes. */
        COMPRESSION,
        /** Two blobs of a media type kiln does not look into. */
        BYTES
    }

    public Difference {
        Objects.requireNonNull(where, "where");
        Objects.requireNonNull(aspect, "aspect");
        Objects.requireNonNull(subject, "subject");
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
    }

    /** One line, without {@link #where}: {@code etc/passwd: mode 0644 vs 0600}. */
    public String render() {
        return switch (aspect) {
            case ONLY_LEFT -> "only in left: " + subject + (left.isEmpty() ? "" : " (" + left + ")");
            case ONLY_RIGHT -> "only in right: " + subject + (right.isEmpty() ? "" : " (" + right + ")");
            case FIELD -> subject + ": " + left + " vs " + right;
            default -> subject + ": " + aspect.name().toLowerCase(Locale.ROOT).replace('_', ' ') + " " + left + " vs " + right;
        };
    }
}
