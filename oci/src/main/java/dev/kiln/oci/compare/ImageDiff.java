package dev.kiln.oci.compare;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * Where two OCI image layouts part, as diffoscope would say it for images: which field of
 * {@code index.json}, an index, a manifest or a config; which blob is missing or does not match
 * its digest; and for a layer, which tar entries differ and in what (content, type, mode, owner,
 * mtime, link target, xattrs), or which are on one side only. Layers are streamed, never held in
 * memory: only each entry's metadata and sha256 are kept.
 *
 * <p>Every blob reachable from {@code index.json} is hashed on both sides, so a corrupt blob is
 * found even where the two layouts name the same digest.
 *
 * @param differences in the order found: from {@code index.json} down, tar entries in tar order
 * @param omitted tar entry differences left out beyond the per-layer limit
 */
public record ImageDiff(Path left, Path right, List<Difference> differences, int omitted) {
    /** Tar entry differences kept per layer: the first ones say where a build went astray. */
    public static final int DEFAULT_ENTRY_LIMIT = 50;

    public ImageDiff {
        Objects.requireNonNull(left, "left");
        Objects.requireNonNull(right, "right");
        differences = List.copyOf(differences);
    }

    /** Compares two image layout directories. */
    public static ImageDiff between(Path left, Path right) {
        return between(left, right, DEFAULT_ENTRY_LIMIT);
    }

    /** Compares two image layout directories, keeping at most {@code entryLimit} entry differences per layer. */
    public static ImageDiff between(Path left, Path right, int entryLimit) {
        if (entryLimit < 1) {
            throw new IllegalArgumentException("entryLimit must be at least 1, found " + entryLimit);
        }
        return new LayoutComparison(left, right, entryLimit).run();
    }

    /**
     * Compares the image {@code leftTop} of one layout with {@code rightTop} of another: the two
     * tops and everything they reach, whatever else the layouts hold.
     */
    public static ImageDiff between(Path left, dev.kiln.oci.Descriptor leftTop, Path right,
            dev.kiln.oci.Descriptor rightTop) {
        return new LayoutComparison(left, right, DEFAULT_ENTRY_LIMIT)
                .runFrom(leftTop.digest(), leftTop.mediaType(), rightTop.digest(), rightTop.mediaType());
    }

    /**
     * Compares two tar files entry by entry, as layers are compared (content, type, mode, owner,
     * mtime, link target, xattrs, entries on one side only, then the tar bytes): how the members of
     * two packages are held. {@code where} names the pair in each difference.
     */
    public static ImageDiff betweenTars(String where, Path left, Path right, dev.kiln.oci.LayerCompression compression) {
        return new LayoutComparison(left, right, DEFAULT_ENTRY_LIMIT).runTars(where, left, right, compression);
    }

    public boolean identical() {
        return differences.isEmpty() && omitted == 0;
    }

    /** The differences of one aspect (for tests and tools). */
    public List<Difference> of(Difference.Aspect aspect) {
        return differences.stream().filter(d -> d.aspect() == aspect).toList();
    }

    /**
     * The report a person reads: both layouts, then the differences grouped under the blob they are
     * in (named with its digests), one line each.
     */
    public String render() {
        StringBuilder s = new StringBuilder();
        s.append("left:  ").append(left).append('\n');
        s.append("right: ").append(right).append('\n');
        if (identical()) {
            return s.append("identical: every blob, index.json and oci-layout\n").toString();
        }
        int n = differences.size() + omitted;
        s.append(n).append(n == 1 ? " difference" : " differences").append('\n');
        String where = null;
        for (Difference d : differences) {
            if (!d.where().equals(where)) {
                where = d.where();
                s.append(where).append('\n');
            }
            s.append("  ").append(d.render()).append('\n');
        }
        if (omitted > 0) {
            s.append("... and ").append(omitted).append(" more tar entry differences\n");
        }
        return s.toString();
    }
}
