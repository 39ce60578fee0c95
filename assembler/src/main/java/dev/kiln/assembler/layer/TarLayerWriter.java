package dev.kiln.assembler.layer;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a {@link FileTree} as a layer tar whose bytes depend on the tree and the epoch only.
 *
 * <ul>
 *   <li>Entries in {@link TreePath#ORDER}, so parents come before children, except that a hardlink
 *       whose target comes later in that order is held back and written after the last entry
 *       (extractors link to a file they have already written). A missing parent
 *       directory is added as {@code 0755 0:0} with the epoch as its mtime (clamped like any
 *       other). The root itself is not written: OCI layers do not carry {@code ./}.</li>
 *   <li>Names are relative ({@code usr/bin/x}); directories end with {@code /}. Hardlinks are
 *       type {@code 1} naming their target the same way.</li>
 *   <li>ustar headers: mode bits as given, numeric uid/gid, empty user and group names, mtime =
 *       min(entry mtime, epoch) and never below 0, device numbers 0, octal fields zero-padded and
 *       NUL-terminated as GNU tar writes them. No atime or ctime anywhere.</li>
 *   <li>A PAX extended header ({@code x}) only when ustar cannot say it: a name that does not fit
 *       name or prefix+name, a link target over 100 bytes, an id over 2097151, a size of 8 GiB or
 *       more, or any xattr ({@code SCHILY.xattr.NAME}). Its records come in the fixed order path,
 *       linkpath, uid, gid, size, then xattrs by name; its own header is {@code PaxHeaders/<name>}
 *       cut to 100 bytes, mode 0644, owner 0:0, mtime 0. The ustar field it overrides holds the
 *       name cut to 100 bytes, or 0.</li>
 *   <li>The archive ends with two zero blocks and no further padding to a record size.</li>
 * </ul>
 */
public final class TarLayerWriter {
    /** The largest value ustar's 7 octal digits hold. */
    static final long MAX_USTAR_ID = 07777777L;
    /** The largest value ustar's 11 octal digits hold. */
    static final long MAX_USTAR_SIZE = 077777777777L;
    static final int BLOCK = 512;

    private final long epoch;

    /**
     * @param epoch the image epoch (SOURCE_DATE_EPOCH), seconds: no mtime in the layer is later
     */
    public TarLayerWriter(long epoch) {
        if (epoch < 0 || epoch > MAX_USTAR_SIZE) {
            throw new IllegalArgumentException("epoch " + epoch + " outside 0.." + MAX_USTAR_SIZE);
        }
        this.epoch = epoch;
    }

    /** Writes the tar to {@code out} (not closed); returns the number of bytes written. */
    public long writeTar(FileTree tree, OutputStream out) throws IOException {
        CountingStream counted = new CountingStream(out);
        Set<String> written = new HashSet<>();
        List<Entry> heldBack = new ArrayList<>();
        for (Entry e : withParents(tree).values()) {
            if (e.type() == Entry.Type.HARDLINK && !written.contains(e.linkTarget())) {
                heldBack.add(e); // an unpacker links to what it has already written
                continue;
            }
            writeEntry(e, counted);
            written.add(e.path());
        }
        for (Entry e : heldBack) {
            writeEntry(e, counted);
        }
        counted.write(new byte[2 * BLOCK]);
        counted.flush();
        return counted.count;
    }

    /** Writes the tar gzipped with {@link GzipWriter} to {@code out} (not closed), in one pass. */
    public LayerDigests writeGzip(FileTree tree, OutputStream out) throws IOException {
        GzipWriter gz = new GzipWriter(out);
        try {
            writeTar(tree, gz);
            return gz.finish();
        } finally {
            gz.shutdown();
        }
    }

    /** The tree's entries plus any missing parent directories, in tree order, without the root. */
    private TreeMap<String, Entry> withParents(FileTree tree) {
        TreeMap<String, Entry> all = new TreeMap<>(TreePath.ORDER);
        for (Entry e : tree) {
            all.put(e.path(), e);
        }
        for (Entry e : tree) {
            for (String p = TreePath.parent(e.path()); p != null && !all.containsKey(p); p = TreePath.parent(p)) {
                all.put(p, Entry.dir(p, 0755, 0, 0, epoch));
            }
        }
        all.remove(TreePath.ROOT);
        return all;
    }

    static String tarName(Entry e) {
        String name = e.path().substring(1);
        return e.type() == Entry.Type.DIR ? name + "/" : name;
    }

    private void writeEntry(Entry e, OutputStream out) throws IOException {
        byte[] name = tarName(e).getBytes(UTF_8);
        String link = switch (e.type()) {
            case SYMLINK -> e.linkTarget();
            case HARDLINK -> e.linkTarget().substring(1);
            default -> null;
        };
        byte[] linkBytes = link == null ? new byte[0] : link.getBytes(UTF_8);
        long size = e.type() == Entry.Type.FILE ? e.content().size() : 0;
        long mtime = Math.max(0, Math.min(e.mtime(), epoch));

        int split = ustarSplit(name);
        // PAX records, always in this order
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (split < 0) {
            pax.put("path", name);
        }
        if (linkBytes.length > 100) {
            pax.put("linkpath", linkBytes);
        }
        if (e.uid() > MAX_USTAR_ID) {
            pax.put("uid", Long.toString(e.uid()).getBytes(UTF_8));
        }
        if (e.gid() > MAX_USTAR_ID) {
            pax.put("gid", Long.toString(e.gid()).getBytes(UTF_8));
        }
        if (size > MAX_USTAR_SIZE) {
            pax.put("size", Long.toString(size).getBytes(UTF_8));
        }
        for (Map.Entry<String, ByteString> x : e.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue().toByteArray());
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            byte[] paxName = cut(("PaxHeaders/" + baseName(e)).getBytes(UTF_8), 100);
            out.write(header(paxName, new byte[0], 0644, 0, 0, records.length, 0, (byte) 'x', new byte[0]));
            out.write(records);
            pad(out, records.length);
        }

        byte[] prefix = new byte[0];
        byte[] shortName;
        if (split < 0) {
            shortName = cut(name, 100);
        } else if (split == 0) {
            shortName = name;
        } else {
            prefix = Arrays.copyOf(name, split);
            shortName = Arrays.copyOfRange(name, split + 1, name.length);
        }
        byte type = switch (e.type()) {
            case FILE -> (byte) '0';
            case HARDLINK -> (byte) '1';
            case SYMLINK -> (byte) '2';
            case DIR -> (byte) '5';
        };
        out.write(header(shortName, cut(linkBytes, 100), e.mode(),
                e.uid() > MAX_USTAR_ID ? 0 : e.uid(), e.gid() > MAX_USTAR_ID ? 0 : e.gid(),
                size > MAX_USTAR_SIZE ? 0 : size, mtime, type, prefix));
        if (e.type() == Entry.Type.FILE) {
            long copied;
            try (InputStream in = e.content().open()) {
                copied = in.transferTo(out);
            }
            if (copied != size) {
                throw new IOException(e.path() + ": content gave " + copied + " bytes, expected " + size);
            }
            pad(out, size);
        }
    }

    private static String baseName(Entry e) {
        String p = e.path();
        return p.substring(p.lastIndexOf('/') + 1);
    }

    /**
     * Where to split a name into ustar prefix and name: 0 if it fits the name field whole, the
     * index of the slash that gives the longest prefix of at most 155 bytes leaving a non-empty
     * name of at most 100, or -1 if there is none (a PAX path is needed).
     */
    static int ustarSplit(byte[] name) {
        if (name.length <= 100) {
            return 0;
        }
        for (int i = Math.min(155, name.length - 2); i > 0; i--) {
            if (name[i] == '/' && name.length - i - 1 <= 100) {
                return i;
            }
        }
        return -1;
    }

    /** PAX records "LEN KEY=VALUE\n", where LEN counts the whole record including its own digits. */
    static byte[] paxRecords(Map<String, byte[]> records) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (Map.Entry<String, byte[]> r : records.entrySet()) {
            byte[] key = r.getKey().getBytes(UTF_8);
            int rest = 1 + key.length + 1 + r.getValue().length + 1; // " " key "=" value "\n"
            int len = rest;
            while (len != rest + Integer.toString(len).length()) {
                len = rest + Integer.toString(len).length();
            }
            out.writeBytes(Integer.toString(len).getBytes(UTF_8));
            out.write(' ');
            out.writeBytes(key);
            out.write('=');
            out.writeBytes(r.getValue());
            out.write('\n');
        }
        return out.toByteArray();
    }

    /** The first at most {@code max} bytes of UTF-8 text, not splitting a character. */
    static byte[] cut(byte[] utf8, int max) {
        if (utf8.length <= max) {
            return utf8;
        }
        int end = max;
        while (end > 0 && (utf8[end] & 0xC0) == 0x80) {
            end--;
        }
        return Arrays.copyOf(utf8, end);
    }

    static byte[] header(byte[] name, byte[] link, int mode, long uid, long gid, long size, long mtime, byte type,
            byte[] prefix) {
        byte[] h = new byte[BLOCK];
        System.arraycopy(name, 0, h, 0, name.length);
        octal(h, 100, 8, mode);
        octal(h, 108, 8, uid);
        octal(h, 116, 8, gid);
        octal(h, 124, 12, size);
        octal(h, 136, 12, mtime);
        h[156] = type;
        System.arraycopy(link, 0, h, 157, link.length);
        System.arraycopy("ustar\u000000".getBytes(UTF_8), 0, h, 257, 8);
        // uname (265) and gname (297) stay empty: owners are numeric only
        octal(h, 329, 8, 0);
        octal(h, 337, 8, 0);
        System.arraycopy(prefix, 0, h, 345, prefix.length);
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        octal(h, 148, 7, sum); // six digits, NUL, then the space already there
        return h;
    }

    /** {@code width - 1} zero-padded octal digits then NUL. */
    private static void octal(byte[] h, int off, int width, long value) {
        String s = Long.toOctalString(value);
        int digits = width - 1;
        if (s.length() > digits) {
            throw new IllegalArgumentException(value + " does not fit " + digits + " octal digits");
        }
        for (int i = 0; i < digits; i++) {
            int j = i - (digits - s.length());
            h[off + i] = (byte) (j < 0 ? '0' : s.charAt(j));
        }
        h[off + digits] = 0;
    }

    private static void pad(OutputStream out, long size) throws IOException {
        int rem = (int) (size % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
