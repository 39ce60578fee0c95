package dev.kiln.assembler.copy;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.SeekableByteChannel;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryIteratorException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a local file or directory that a spec copies into its image, as untrusted input: it
 * becomes a {@link CopyListing} (each file hashed once, in a bounded read) and the place of each
 * file on disk. Refused, with a message naming the spec, the key and the path: special files
 * (devices, fifos, sockets), symlinks that are absolute, lead outside the source or lead nowhere,
 * names that are not text, and sources over {@link #MAX_BYTES} or {@link #MAX_ENTRIES}. Nothing
 * under the source is followed: a symlink is copied as a symlink. The source's own path comes
 * from {@link BuildContext#check}, every symlink on the way already followed.
 */
public final class CopyReader {
    /** The most bytes one source may hold: more belongs in a package. */
    public static final long MAX_BYTES = 1L << 30;
    /** The most paths one source may hold. */
    public static final int MAX_ENTRIES = 100_000;

    private static final int S_IFMT = 0170000;

    private final Where where;
    private final long maxBytes;
    private final int maxEntries;
    /** Told the path of each subdirectory and file just before it is opened (tests change the disk there). */
    private final Consumer<String> beforeOpen;

    /**
     * Where a source is named, for messages.
     *
     * @param specFile the spec as the user named it
     * @param line where the source is written in it, or 0 if not known
     * @param key the key path, e.g. {@code paths[2].source}
     * @param source the source as written
     */
    public record Where(String specFile, int line, String key, String source) {
        SpecException error(String problem, String hint) {
            return error(SpecException.Kind.INVALID, problem, hint);
        }

        SpecException error(SpecException.Kind kind, String problem, String hint) {
            return new SpecException(kind, specFile, line, key, problem, hint);
        }
    }

    /** What was read: the listing, and where each of its files lies ({@code "."} for a file source). */
    public record Read(CopyListing listing, Map<String, Path> files) {
        public Read {
            files = Map.copyOf(files);
        }
    }

    public CopyReader(Where where) {
        this(where, MAX_BYTES, MAX_ENTRIES);
    }

    CopyReader(Where where, long maxBytes, int maxEntries) {
        this(where, maxBytes, maxEntries, rel -> { });
    }

    CopyReader(Where where, long maxBytes, int maxEntries, Consumer<String> beforeOpen) {
        this.where = where;
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
        this.beforeOpen = beforeOpen;
    }

    /**
     * Reads {@code path}, which must be of {@code kind}: a path {@link BuildContext#check} gave
     * inside {@code context}, every symlink on the way followed (both are real paths). The walk
     * never follows a symlink: from the context down, each directory is opened relative to the
     * one above it and each file relative to its directory, refusing a symlink (a secure directory
     * stream: {@code openat} with {@code O_NOFOLLOW}). A directory swapped for a symlink while kiln
     * reads cannot lead it out of the context; it is an error. Mount points inside a directory
     * source onto one of the kernel's pseudo file systems are refused.
     */
    public Read read(Path context, Path path, CopyListing.Kind kind) {
        if (!path.startsWith(context)) {
            throw new IllegalArgumentException(path + " is not inside " + context);
        }
        try {
            Path now = path.toRealPath();
            if (!now.equals(path)) {
                throw changed("it led to " + path + ", now to " + now);
            }
        } catch (NoSuchFileException e) {
            throw where.error(SpecException.Kind.COPY_NOT_FOUND, "no such file or directory: " + path,
                    "relative sources are taken from the spec's directory; check the path");
        } catch (IOException e) {
            throw where.error("cannot read " + path + ": " + reason(e), null);
        }
        Path rel = context.relativize(path);
        SecureDirectoryStream<Path> dir = open(context);
        try {
            for (int i = 0; i + 1 < rel.getNameCount(); i++) {
                SecureDirectoryStream<Path> next = descend(dir, rel.getName(i), context.resolve(rel.subpath(0, i + 1)));
                close(dir);
                dir = next;
            }
            if (rel.toString().isEmpty()) {
                // the source is the context itself: the directory just opened
                if (kind == CopyListing.Kind.FILE) {
                    throw where.error(path + " is a directory, expected a regular file", "to copy a directory, write type: directory");
                }
                return walk(dir, path);
            }
            Path name = rel.getFileName();
            PosixFileAttributes top = attributes(dir, name, path, ".");
            if (top.isSymbolicLink()) {
                throw changed("it is a symlink now");
            }
            if (kind == CopyListing.Kind.FILE) {
                if (!top.isRegularFile()) {
                    throw where.error(path + " is " + describe(path, top) + ", expected a regular file",
                            top.isDirectory() ? "to copy a directory, write type: directory" : "copy regular files only");
                }
                Counter counter = new Counter();
                counter.entry(".");
                Digest sha256 = hash(dir, name, path, ".", counter);
                return new Read(new CopyListing(kind, List.of(CopyListing.Item.file(".", mode(top), counter.bytes, sha256))),
                        Map.of(".", path));
            }
            if (!top.isDirectory()) {
                throw where.error(path + " is " + describe(path, top) + ", expected a directory",
                        top.isRegularFile() ? "to copy one file, write type: file" : null);
            }
            try (SecureDirectoryStream<Path> source = descend(dir, name, path)) {
                return walk(source, path);
            } catch (IOException e) {
                throw where.error("cannot read " + path + ": " + reason(e), null);
            }
        } finally {
            close(dir);
        }
    }

    private static void close(SecureDirectoryStream<Path> dir) {
        try {
            dir.close();
        } catch (IOException ignored) {
            // a directory handle that was only read
        }
    }

    /** The directory at a real path, opened as a stream that can open what it holds without following links. */
    private SecureDirectoryStream<Path> open(Path dir) {
        try {
            DirectoryStream<Path> s = Files.newDirectoryStream(dir);
            if (s instanceof SecureDirectoryStream<Path> secure) {
                return secure;
            }
            s.close();
            throw where.error("this system cannot open directories without following links (no secure directory stream),"
                    + " so kiln does not copy local sources on it", "ship the files in a package instead");
        } catch (IOException e) {
            throw where.error("cannot read " + dir + ": " + reason(e), null);
        }
    }

    /** The directory {@code name} in {@code dir}, opened without following a symlink. */
    private SecureDirectoryStream<Path> descend(SecureDirectoryStream<Path> dir, Path name, Path shown) {
        try {
            return dir.newDirectoryStream(name, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw changed(shown + " is gone");
        } catch (IOException e) {
            // ELOOP or ENOTDIR: a symlink now, or no longer a directory
            if (!Files.isDirectory(shown, LinkOption.NOFOLLOW_LINKS)) {
                throw changed(shown + " is no longer a directory (" + reason(e) + ")");
            }
            throw where.error("cannot read " + shown + ": " + reason(e), null);
        }
    }

    private SpecException changed(String how) {
        return where.error(where.source() + " changed while kiln was reading it (" + how + ")", "build again");
    }

    private Read walk(SecureDirectoryStream<Path> root, Path rootPath) {
        List<CopyListing.Item> items = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        String device = device(attributesOf(root, rootPath));
        walk(root, rootPath, "", device, items, files, new Counter());
        return new Read(new CopyListing(CopyListing.Kind.DIRECTORY, items), files);
    }

    /** Lists {@code dir} (at {@code rel} in the source), then each subdirectory in name order, depth first. */
    private void walk(SecureDirectoryStream<Path> dir, Path rootPath, String rel, String device, List<CopyListing.Item> items,
            Map<String, Path> files, Counter counter) {
        List<String> subdirs = new ArrayList<>();
        for (String name : children(dir, rel)) {
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            Path onDisk = rootPath.resolve(childRel);
            counter.entry(childRel);
            Path child = Path.of(name);
            PosixFileAttributes a = attributes(dir, child, onDisk, childRel);
            if (!a.isSymbolicLink()) {
                checkMount(a, device, onDisk, childRel);
            }
            if (a.isSymbolicLink()) {
                items.add(CopyListing.Item.symlink(childRel, linkTarget(rootPath, onDisk, childRel)));
            } else if (a.isDirectory()) {
                items.add(CopyListing.Item.directory(childRel));
                subdirs.add(name);
            } else if (a.isRegularFile()) {
                long before = counter.bytes;
                beforeOpen.accept(childRel);
                Digest sha256 = hash(dir, child, onDisk, childRel, counter);
                items.add(CopyListing.Item.file(childRel, mode(a), counter.bytes - before, sha256));
                files.put(childRel, onDisk);
            } else {
                throw where.error(SpecException.Kind.COPY_REFUSED, where.source() + "/" + childRel + " is " + describe(onDisk, a)
                                + "; only regular files, directories and symlinks can be copied",
                        "remove it from the source, or copy the files beside it one by one with type: file");
            }
        }
        for (String name : subdirs) {
            String childRel = rel.isEmpty() ? name : rel + "/" + name;
            beforeOpen.accept(childRel);
            try (SecureDirectoryStream<Path> sub = descend(dir, Path.of(name), rootPath.resolve(childRel))) {
                walk(sub, rootPath, childRel, device, items, files, counter);
            } catch (IOException e) {
                throw where.error("cannot read " + where.source() + "/" + childRel + ": " + reason(e), null);
            }
        }
    }

    /**
     * An entry on another file system than the source (a mount point inside it) must not be one of
     * the kernel's: a bind mount of {@code /proc} inside a context would otherwise be copied.
     */
    private void checkMount(PosixFileAttributes a, String device, Path onDisk, String rel) {
        String here = device(a);
        if (device == null || here == null || here.equals(device)) {
            return;
        }
        String type;
        try {
            type = Files.getFileStore(onDisk).type();
        } catch (IOException e) {
            throw where.error("cannot read " + where.source() + "/" + rel + ": " + reason(e), null);
        }
        if (BuildContext.PSEUDO.contains(type)) {
            throw where.error(SpecException.Kind.COPY_REFUSED,
                    where.source() + "/" + rel + " is on a " + type + " file system mounted inside the source, whose"
                    + " files are the kernel's state of this machine; kiln never copies from one", "remove the mount from the source");
        }
    }

    /** The device a file is on, from its file key ({@code (dev=803,ino=12)} on Linux), or null when the system does not say. */
    private static String device(PosixFileAttributes a) {
        Object key = a.fileKey();
        if (key == null) {
            return null;
        }
        Matcher m = DEVICE.matcher(key.toString());
        return m.find() ? m.group(1) : null;
    }

    private static final Pattern DEVICE = Pattern.compile("dev=([0-9a-fA-F]+)");

    private List<String> children(SecureDirectoryStream<Path> dir, String rel) {
        List<String> out = new ArrayList<>();
        try {
            for (Path p : dir) {
                out.add(name(p, rel));
            }
        } catch (DirectoryIteratorException e) {
            throw where.error("cannot list " + (rel.isEmpty() ? where.source() : where.source() + "/" + rel) + ": "
                    + reason(e.getCause()), null);
        }
        // byte order of the names, so that errors come in a stable order
        out.sort((a, b) -> Arrays.compareUnsigned(a.getBytes(UTF_8), b.getBytes(UTF_8)));
        return out;
    }

    /** A file name as text; names the JVM could not decode (not UTF-8 here) would change meaning. */
    private String name(Path child, String dir) {
        String name = child.getFileName().toString();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\uFFFD' || Character.isISOControl(c)) {
                String shown = TreePath.printable(name);
                throw where.error("the name '" + (dir.isEmpty() ? "" : dir + "/") + shown + "' in " + where.source()
                                + (c == '\uFFFD' ? " is not text in this JVM's encoding" : " holds a control character"),
                        c == '\uFFFD' ? "rename it, or run kiln under a UTF-8 locale (LANG=C.UTF-8)" : "rename it");
            }
        }
        return name;
    }

    /** The attributes of {@code name} in {@code dir}, of the entry itself (a symlink is not followed). */
    private PosixFileAttributes attributes(SecureDirectoryStream<Path> dir, Path name, Path onDisk, String rel) {
        try {
            return dir.getFileAttributeView(name, PosixFileAttributeView.class, LinkOption.NOFOLLOW_LINKS).readAttributes();
        } catch (NoSuchFileException e) {
            throw changed(onDisk + " is gone");
        } catch (IOException e) {
            throw where.error("cannot read " + (rel.equals(".") ? onDisk.toString() : where.source() + "/" + rel) + ": " + reason(e), null);
        }
    }

    /** The attributes of the directory {@code dir} is open on. */
    private PosixFileAttributes attributesOf(SecureDirectoryStream<Path> dir, Path shown) {
        try {
            return dir.getFileAttributeView(PosixFileAttributeView.class).readAttributes();
        } catch (IOException e) {
            throw where.error("cannot read " + shown + ": " + reason(e), null);
        }
    }

    /**
     * A symlink's target, if it is relative and, followed on this machine, leads to something inside
     * the source: in the image it then leads to the same thing. Anything else would copy a path
     * that means something else in the image, or nothing.
     */
    private String linkTarget(Path root, Path link, String rel) {
        String target;
        try {
            target = Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw where.error("cannot read the symlink " + where.source() + "/" + rel + ": " + reason(e), null);
        }
        String shown = where.source() + "/" + rel + " -> " + TreePath.printable(target);
        if (target.startsWith("/")) {
            throw where.error(SpecException.Kind.COPY_REFUSED,
                    "the symlink " + shown + " is absolute, so it would lead elsewhere in the image",
                    "make it relative to its directory, leading to something inside the source");
        }
        for (int i = 0; i < target.length(); i++) {
            if (Character.isISOControl(target.charAt(i)) || target.charAt(i) == '\uFFFD') {
                throw where.error(SpecException.Kind.COPY_REFUSED,
                        "the symlink " + shown + " has a target that is not plain text", "point it elsewhere");
            }
        }
        Path resolved;
        try {
            resolved = link.toRealPath();
        } catch (NoSuchFileException e) {
            throw where.error(SpecException.Kind.COPY_REFUSED,
                    "the symlink " + shown + " leads nowhere", "remove it, or point it at something inside the source");
        } catch (IOException e) {
            throw where.error("the symlink " + shown + " cannot be followed: " + reason(e), "point it at something inside the source");
        }
        if (!resolved.startsWith(root)) {
            throw where.error(SpecException.Kind.COPY_REFUSED,
                    "the symlink " + shown + " leads outside the source (to " + resolved + ")",
                    "copy what it points at into the source, or point it at something inside");
        }
        return target;
    }

    /** The sha256 of the file {@code name} in {@code dir}, opened without following a symlink and read once, counting towards the limit. */
    private Digest hash(SecureDirectoryStream<Path> dir, Path name, Path onDisk, String rel, Counter counter) {
        MessageDigest md = Digest.newSha256();
        ByteBuffer buffer = ByteBuffer.allocate(1 << 16);
        try (SeekableByteChannel in = dir.newByteChannel(name, Set.of(StandardOpenOption.READ, LinkOption.NOFOLLOW_LINKS))) {
            for (int n; (n = in.read(buffer)) >= 0; ) {
                buffer.flip();
                md.update(buffer);
                buffer.clear();
                counter.bytes(n);
            }
        } catch (IOException e) {
            if (Files.isSymbolicLink(onDisk) || !Files.isRegularFile(onDisk, LinkOption.NOFOLLOW_LINKS)) {
                throw changed(onDisk + " could not be opened as the file it was (" + reason(e) + ")");
            }
            throw where.error("cannot read " + (rel.equals(".") ? onDisk.toString() : where.source() + "/" + rel) + ": " + reason(e), null);
        }
        return Digest.fromRaw(md.digest());
    }

    /** 0755 with the owner's executable bit, else 0644: what a mode means in an image, and nothing of the host's umask. */
    static int mode(PosixFileAttributes a) {
        return a.permissions().contains(PosixFilePermission.OWNER_EXECUTE) ? 0755 : 0644;
    }

    /** What kind of file {@code p} is, for messages: "a directory", "a fifo", ... */
    static String describe(Path p, PosixFileAttributes a) {
        if (a.isDirectory()) {
            return "a directory";
        }
        if (a.isRegularFile()) {
            return "a regular file";
        }
        if (a.isSymbolicLink()) {
            return "a symlink";
        }
        int type;
        try {
            type = (Integer) Files.getAttribute(p, "unix:mode", LinkOption.NOFOLLOW_LINKS) & S_IFMT;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return "a special file";
        }
        return switch (type) {
            case 0010000 -> "a fifo";
            case 0140000 -> "a socket";
            case 0020000 -> "a character device";
            case 0060000 -> "a block device";
            default -> "a special file";
        };
    }

    private static String reason(IOException e) {
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Entries and bytes so far, against the limits. */
    private final class Counter {
        long bytes;
        int entries;

        void entry(String rel) {
            if (++entries > maxEntries) {
                throw where.error(SpecException.Kind.COPY_REFUSED,
                        where.source() + " holds more than " + maxEntries + " paths (at " + rel + ")",
                        "copy less, or ship it in a package");
            }
        }

        void bytes(long n) {
            bytes += n;
            if (bytes > maxBytes) {
                throw where.error(SpecException.Kind.COPY_REFUSED, where.source() + " holds more than " + maxBytes + " bytes",
                        "copy less, or ship it in a package");
            }
        }
    }
}
