package dev.kiln.assembler.tree;

import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One path in a {@link FileTree}, with what an image layer records about it.
 *
 * @param path normal absolute path ({@link TreePath})
 * @param type what the path is
 * @param mode permission bits including setuid (04000), setgid (02000) and sticky (01000); no type bits
 * @param uid numeric owner; names are never looked up
 * @param gid numeric group
 * @param mtime modification time in seconds since the epoch, as the package has it
 * @param linkTarget for a symlink its target text, kept verbatim (absolute or with {@code ..}: it is
 *     data, never resolved); for a hardlink the normal path of the regular file it shares bytes
 *     with; {@code null} otherwise
 * @param xattrs extended attributes by name, in {@link TreePath#ORDER}; empty when none
 * @param content the bytes of a regular file; {@code null} for every other type
 */
public record Entry(String path, Type type, int mode, long uid, long gid, long mtime, String linkTarget,
        SortedMap<String, ByteString> xattrs, Content content) {

    /**
     * What an entry is. Each has a code that is persisted (in tree digests, which key memoized
     * layers, and in unpacked packages), so the codes are explicit, never the declaration order.
     */
    public enum Type {
        FILE(0), DIR(1), SYMLINK(2), HARDLINK(3);

        private final int code;

        Type(int code) {
            this.code = code;
        }

        /** The persisted code. */
        public int code() {
            return code;
        }

        /** The type with {@code code}, if there is one. */
        public static java.util.Optional<Type> ofCode(int code) {
            for (Type t : values()) {
                if (t.code == code) {
                    return java.util.Optional.of(t);
                }
            }
            return java.util.Optional.empty();
        }
    }

    public static final int MODE_BITS = 07777;
    public static final long MAX_ID = 0xFFFF_FFFFL;

    public Entry {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(type, "type");
        Objects.requireNonNull(xattrs, "xattrs");
        if (!TreePath.isNormal(path)) {
            throw new IllegalArgumentException("not a normal tree path: '" + TreePath.printable(path) + "'");
        }
        if ((mode & ~MODE_BITS) != 0) {
            throw new IllegalArgumentException(path + ": mode " + Integer.toOctalString(mode) + " has bits beyond 07777");
        }
        if (uid < 0 || uid > MAX_ID || gid < 0 || gid > MAX_ID) {
            throw new IllegalArgumentException(path + ": owner " + uid + ":" + gid + " outside 0.." + MAX_ID);
        }
        if (path.equals(TreePath.ROOT) && type != Type.DIR) {
            throw new IllegalArgumentException("the root must be a directory, found " + type);
        }
        boolean link = type == Type.SYMLINK || type == Type.HARDLINK;
        if (link != (linkTarget != null)) {
            throw new IllegalArgumentException(path + ": a " + type + (link ? " needs" : " has no") + " link target");
        }
        if (link) {
            if (linkTarget.isEmpty()) {
                throw new IllegalArgumentException(path + ": an empty link target");
            }
            TreePath.checkNoControl(linkTarget);
        }
        if (type == Type.HARDLINK && !TreePath.isNormal(linkTarget)) {
            throw new IllegalArgumentException(path + ": hardlink target is not a normal tree path: '"
                    + TreePath.printable(linkTarget) + "'");
        }
        if ((type == Type.FILE) != (content != null)) {
            throw new IllegalArgumentException(path + ": a " + type + (type == Type.FILE ? " needs" : " has no") + " content");
        }
        TreeMap<String, ByteString> sorted = new TreeMap<>(TreePath.ORDER);
        for (Map.Entry<String, ByteString> x : xattrs.entrySet()) {
            if (x.getKey().isEmpty()) {
                throw new IllegalArgumentException(path + ": an xattr with an empty name");
            }
            TreePath.checkNoControl(x.getKey());
            sorted.put(x.getKey(), Objects.requireNonNull(x.getValue(), "xattr value"));
        }
        xattrs = Collections.unmodifiableSortedMap(sorted);
    }

    private static final SortedMap<String, ByteString> NO_XATTRS = Collections.unmodifiableSortedMap(new TreeMap<>(TreePath.ORDER));

    public static Entry file(String path, int mode, long uid, long gid, long mtime, Content content) {
        return new Entry(path, Type.FILE, mode, uid, gid, mtime, null, NO_XATTRS, content);
    }

    public static Entry dir(String path, int mode, long uid, long gid, long mtime) {
        return new Entry(path, Type.DIR, mode, uid, gid, mtime, null, NO_XATTRS, null);
    }

    public static Entry symlink(String path, String target, int mode, long uid, long gid, long mtime) {
        return new Entry(path, Type.SYMLINK, mode, uid, gid, mtime, target, NO_XATTRS, null);
    }

    public static Entry hardlink(String path, String target, int mode, long uid, long gid, long mtime) {
        return new Entry(path, Type.HARDLINK, mode, uid, gid, mtime, target, NO_XATTRS, null);
    }

    public Entry withXattrs(Map<String, ByteString> xattrs) {
        return new Entry(path, type, mode, uid, gid, mtime, linkTarget, new TreeMap<>(xattrs), content);
    }

    public Entry withMode(int mode) {
        return new Entry(path, type, mode, uid, gid, mtime, linkTarget, xattrs, content);
    }

    public Entry withOwner(long uid, long gid) {
        return new Entry(path, type, mode, uid, gid, mtime, linkTarget, xattrs, content);
    }

    public Entry withMtime(long mtime) {
        return new Entry(path, type, mode, uid, gid, mtime, linkTarget, xattrs, content);
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        s.append(type).append(' ').append(TreePath.printable(path)).append(' ')
                .append(String.format("%04o %d:%d @%d", mode, uid, gid, mtime));
        if (linkTarget != null) {
            s.append(type == Type.SYMLINK ? " -> " : " => ").append(TreePath.printable(linkTarget));
        }
        if (content != null) {
            s.append(' ').append(content);
        }
        if (!xattrs.isEmpty()) {
            s.append(' ').append(xattrs);
        }
        return s.toString();
    }
}
