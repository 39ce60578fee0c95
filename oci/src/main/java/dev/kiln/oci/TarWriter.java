package dev.kiln.oci;

import static java.nio.charset.StandardCharsets.UTF_8;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * Tar headers as kiln writes them, in layers and in docker archives alike, so that their bytes
 * depend on the entry only:
 *
 * <ul>
 *   <li>ustar headers: mode bits as given, numeric uid/gid, empty user and group names, device
 *       numbers 0, octal fields zero-padded and NUL-terminated as GNU tar writes them. No atime or
 *       ctime anywhere.</li>
 *   <li>A PAX extended header ({@code x}) only when ustar cannot say it: a name that does not fit
 *       name or prefix+name, a link target over 100 bytes, an id over 2097151, a size of 8 GiB or
 *       more, or any xattr ({@code SCHILY.xattr.NAME}). Its records come in the fixed order path,
 *       linkpath, uid, gid, size, then xattrs in the order given; its own header is
 *       {@code PaxHeaders/<name>} cut to 100 bytes, mode 0644, owner 0:0, mtime 0. The ustar field
 *       it overrides holds the name cut to 100 bytes, or 0.</li>
 *   <li>An archive ends with two zero blocks ({@link #finish}) and no further padding to a record
 *       size.</li>
 * </ul>
 *
 * The caller chooses the entries and their order; after a file's header it writes exactly
 * {@code size} bytes of content, then {@link #pad}.
 */
public final class TarWriter {
    /** The largest value ustar's 7 octal digits hold. */
    public static final long MAX_USTAR_ID = 07777777L;
    /** The largest value ustar's 11 octal digits hold. */
    public static final long MAX_USTAR_SIZE = 077777777777L;
    public static final int BLOCK = 512;

    private TarWriter() {
    }

    /** The entry types kiln writes, with their ustar type flags. */
    public enum Type {
        FILE('0'), HARDLINK('1'), SYMLINK('2'), DIRECTORY('5');

        final byte flag;

        Type(char flag) {
            this.flag = (byte) flag;
        }
    }

    /**
     * One entry's header.
     *
     * @param name relative, {@code /}-separated; a directory's ends with {@code /}
     * @param link a symlink's target as it is, a hardlink's target named as entries are; null for
     *     other types
     * @param size the content's length for a file, else 0
     * @param xattrs extended attributes, written in this map's order
     */
    public record Header(String name, Type type, String link, int mode, long uid, long gid, long size, long mtime,
            Map<String, byte[]> xattrs) {
        public Header {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(xattrs, "xattrs");
        }

        /** A file, directory or link without xattrs. */
        public static Header of(String name, Type type, String link, int mode, long uid, long gid, long size, long mtime) {
            return new Header(name, type, link, mode, uid, gid, size, mtime, Map.of());
        }
    }

    /** Writes {@code h}'s header blocks: a PAX header first when ustar cannot say all of it. */
    public static void writeHeader(OutputStream out, Header h) throws IOException {
        byte[] name = h.name().getBytes(UTF_8);
        byte[] linkBytes = h.link() == null ? new byte[0] : h.link().getBytes(UTF_8);
        long size = h.size();

        int split = ustarSplit(name);
        // PAX records, always in this order
        Map<String, byte[]> pax = new LinkedHashMap<>();
        if (split < 0) {
            pax.put("path", name);
        }
        if (linkBytes.length > 100) {
            pax.put("linkpath", linkBytes);
        }
        if (h.uid() > MAX_USTAR_ID) {
            pax.put("uid", Long.toString(h.uid()).getBytes(UTF_8));
        }
        if (h.gid() > MAX_USTAR_ID) {
            pax.put("gid", Long.toString(h.gid()).getBytes(UTF_8));
        }
        if (size > MAX_USTAR_SIZE) {
            pax.put("size", Long.toString(size).getBytes(UTF_8));
        }
        for (Map.Entry<String, byte[]> x : h.xattrs().entrySet()) {
            pax.put("SCHILY.xattr." + x.getKey(), x.getValue());
        }
        if (!pax.isEmpty()) {
            byte[] records = paxRecords(pax);
            byte[] paxName = cut(("PaxHeaders/" + baseName(h.name())).getBytes(UTF_8), 100);
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
        out.write(header(shortName, cut(linkBytes, 100), h.mode(),
                h.uid() > MAX_USTAR_ID ? 0 : h.uid(), h.gid() > MAX_USTAR_ID ? 0 : h.gid(),
                size > MAX_USTAR_SIZE ? 0 : size, h.mtime(), h.type().flag, prefix));
    }

    /** Pads {@code size} bytes of content to a whole block. */
    public static void pad(OutputStream out, long size) throws IOException {
        int rem = (int) (size % BLOCK);
        if (rem != 0) {
            out.write(new byte[BLOCK - rem]);
        }
    }

    /** Ends the archive: two zero blocks. */
    public static void finish(OutputStream out) throws IOException {
        out.write(new byte[2 * BLOCK]);
    }

    /** The last component of a tar name ({@code bin} of {@code usr/bin/}). */
    private static String baseName(String name) {
        String p = name.endsWith("/") ? name.substring(0, name.length() - 1) : name;
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
}
