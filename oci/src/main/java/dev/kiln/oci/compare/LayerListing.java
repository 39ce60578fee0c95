package dev.kiln.oci.compare;

import dev.kiln.oci.LayerCompression;
import dev.kiln.store.Digest;
import java.io.BufferedInputStream;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What a layer blob holds, read in one streaming pass: each tar entry's metadata and the sha256 of
 * its data (never the data itself), and the digest of the uncompressed tar. A blob that breaks off
 * (bad gzip, truncated tar) keeps the entries read before the break and says what broke.
 */
final class LayerListing {
    private static final String XATTR = "SCHILY.xattr.";
    private static final String LIBARCHIVE_XATTR = "LIBARCHIVE.xattr.";

    /**
     * One tar entry as a layer records it.
     *
     * @param key the path, with {@code " #2"} etc. for a path met again
     * @param type the tar type flag, e.g. {@code '0'}, {@code '5'}, {@code '2'}
     * @param dataOffset where its data starts in the uncompressed tar (after its headers)
     * @param dataEnd where its data ends
     */
    record Item(String key, String path, char type, long size, Digest sha256, int mode, long uid, long gid,
            String uname, String gname, Instant mtime, String link, SortedMap<String, String> xattrs,
            SortedMap<String, String> pax, int devMajor, int devMinor, long dataOffset, long dataEnd) {
    }

    final List<Item> items;
    final Digest uncompressed;
    final long uncompressedSize;
    final Optional<String> error;

    private LayerListing(List<Item> items, Digest uncompressed, long uncompressedSize, Optional<String> error) {
        this.items = List.copyOf(items);
        this.uncompressed = uncompressed;
        this.uncompressedSize = uncompressedSize;
        this.error = error;
    }

    static LayerListing read(Path blob, LayerCompression compression) throws IOException {
        List<Item> items = new ArrayList<>();
        Map<String, Integer> seen = new TreeMap<>();
        Metered tarBytes = null;
        String error = null;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(blob), 1 << 16)) {
            try {
                tarBytes = new Metered(compression.decompress(raw));
                TarArchiveInputStream tar = new TarArchiveInputStream(tarBytes, StandardCharsets.UTF_8.name());
                byte[] buf = new byte[1 << 16];
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    long start = tarBytes.count;
                    MessageDigest md = Digest.newSha256();
                    long size = 0;
                    for (int n; (n = tar.read(buf)) > 0; ) {
                        md.update(buf, 0, n);
                        size += n;
                    }
                    items.add(item(e, seen, size, Digest.fromRaw(md.digest()), start, tarBytes.count));
                }
                // the end-of-archive blocks and any padding after them count towards the diff_id
                tarBytes.skip(Long.MAX_VALUE);
            } catch (IOException | RuntimeException e) {
                // commons-compress reports some malformed headers as runtime exceptions
                error = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
            } finally {
                if (tarBytes != null) {
                    tarBytes.close(); // ends the decompressor's native state
                }
            }
        }
        if (tarBytes == null) {
            tarBytes = new Metered(InputStream.nullInputStream());
        }
        return new LayerListing(items, Digest.fromRaw(tarBytes.digest.digest()), tarBytes.count, Optional.ofNullable(error));
    }

    private static Item item(TarArchiveEntry e, Map<String, Integer> seen, long size, Digest sha256, long start, long end) {
        String path = e.getName();
        int n = seen.merge(path, 1, Integer::sum);
        String key = n == 1 ? path : path + " #" + n;
        SortedMap<String, String> xattrs = new TreeMap<>();
        SortedMap<String, String> pax = new TreeMap<>();
        for (Map.Entry<String, String> h : e.getExtraPaxHeaders().entrySet()) {
            if (h.getKey().startsWith(XATTR)) {
                xattrs.put(h.getKey().substring(XATTR.length()), h.getValue());
            } else if (h.getKey().startsWith(LIBARCHIVE_XATTR)) {
                xattrs.put(h.getKey().substring(LIBARCHIVE_XATTR.length()) + " (libarchive, base64)", h.getValue());
            } else {
                pax.put(h.getKey(), h.getValue());
            }
        }
        putTime(pax, "atime", e.getLastAccessTime());
        putTime(pax, "ctime", e.getStatusChangeTime());
        putTime(pax, "creationtime", e.getCreationTime());
        byte flag = e.getLinkFlag();
        String link = e.isSymbolicLink() || e.isLink() ? e.getLinkName() : null;
        FileTime mtime = e.getLastModifiedTime();
        return new Item(key, path, flag == 0 ? '0' : (char) flag, size, sha256, e.getMode(), e.getLongUserId(),
                e.getLongGroupId(), e.getUserName(), e.getGroupName(), mtime == null ? Instant.EPOCH : mtime.toInstant(),
                link, Collections.unmodifiableSortedMap(xattrs), Collections.unmodifiableSortedMap(pax),
                e.getDevMajor(), e.getDevMinor(), start, end);
    }

    private static void putTime(SortedMap<String, String> pax, String key, FileTime t) {
        if (t != null) {
            pax.put(key, t.toInstant().toString());
        }
    }

    /** Counts and hashes what passes; a skip is read, so it counts and hashes too. */
    static final class Metered extends FilterInputStream {
        final MessageDigest digest = Digest.newSha256();
        private final byte[] skipBuffer = new byte[1 << 16];
        long count;

        Metered(InputStream in) {
            super(in);
        }

        @Override
        public int read() throws IOException {
            int b = in.read();
            if (b >= 0) {
                digest.update((byte) b);
                count++;
            }
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = in.read(b, off, len);
            if (n > 0) {
                digest.update(b, off, n);
                count += n;
            }
            return n;
        }

        @Override
        public long skip(long n) throws IOException {
            long done = 0;
            for (int r; done < n && (r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - done))) > 0; ) {
                done += r;
            }
            return done;
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }
}
