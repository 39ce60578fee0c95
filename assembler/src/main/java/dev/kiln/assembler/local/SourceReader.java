package dev.kiln.assembler.local;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.resolver.lock.SourceListing;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a local file or directory that a spec copies into its image, as untrusted input: it
 * becomes a {@link SourceListing} (each file hashed once, in a bounded read) and the place of each
 * file on disk. Refused, with a message naming the spec, the key and the path: special files
 * (devices, fifos, sockets), symlinks that are absolute, lead outside the source or lead nowhere,
 * names that are not text, and sources over {@link #MAX_BYTES} or {@link #MAX_ENTRIES}. Nothing
 * under the source is followed: a symlink is copied as a symlink. The source itself may be a
 * symlink; it is followed, as the user named it.
 */
public final class SourceReader {
    /** The most bytes one source may hold: more belongs in a package. */
    public static final long MAX_BYTES = 1L << 30;
    /** The most paths one source may hold. */
    public static final int MAX_ENTRIES = 100_000;

    private static final int S_IFMT = 0170000;

    private final Where where;
    private final long maxBytes;
    private final int maxEntries;

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
            return new SpecException(specFile, line, key, problem, hint);
        }
    }

    /** What was read: the listing, and where each of its files lies ({@code "."} for a file source). */
    public record Read(SourceListing listing, Map<String, Path> files) {
        public Read {
            files = Map.copyOf(files);
        }
    }

    public SourceReader(Where where) {
        this(where, MAX_BYTES, MAX_ENTRIES);
    }

    SourceReader(Where where, long maxBytes, int maxEntries) {
        this.where = where;
        this.maxBytes = maxBytes;
        this.maxEntries = maxEntries;
    }

    /**
     * Reads {@code path}, which must be of {@code kind}: a path {@link BuildContext#check} gave,
     * every symlink on the way followed; one that leads elsewhere now has changed since.
     */
    public Read read(Path path, SourceListing.Kind kind) {
        Path root;
        PosixFileAttributes top;
        try {
            root = path.toRealPath();
            if (!root.equals(path)) {
                throw where.error(where.source() + " changed while kiln was reading it (it led to " + path + ", now to " + root + ")",
                        "build again");
            }
            top = Files.readAttributes(root, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (NoSuchFileException e) {
            throw where.error("no such file or directory: " + path,
                    "relative sources are taken from the spec's directory; check the path");
        } catch (IOException e) {
            throw where.error("cannot read " + path + ": " + reason(e), null);
        }
        if (kind == SourceListing.Kind.FILE) {
            if (!top.isRegularFile()) {
                throw where.error(path + " is " + describe(root, top) + ", expected a regular file",
                        top.isDirectory() ? "to copy a directory, write type: directory" : "copy regular files only");
            }
            Counter counter = new Counter();
            counter.entry(".");
            Digest sha256 = hash(root, ".", counter);
            return new Read(new SourceListing(kind, List.of(SourceListing.Item.file(".", mode(top), counter.bytes, sha256))),
                    Map.of(".", root));
        }
        if (!top.isDirectory()) {
            throw where.error(path + " is " + describe(root, top) + ", expected a directory",
                    top.isRegularFile() ? "to copy one file, write type: file" : null);
        }
        return walk(root);
    }

    private Read walk(Path root) {
        List<SourceListing.Item> items = new ArrayList<>();
        Map<String, Path> files = new LinkedHashMap<>();
        Counter counter = new Counter();
        Deque<String> dirs = new ArrayDeque<>();
        dirs.push("");
        while (!dirs.isEmpty()) {
            String dir = dirs.pop();
            List<Path> children = children(dir.isEmpty() ? root : root.resolve(dir), dir);
            // pushed in reverse, so that directories are walked in name order and errors come in a stable order
            List<String> subdirs = new ArrayList<>();
            for (Path child : children) {
                String name = name(child, dir);
                String rel = dir.isEmpty() ? name : dir + "/" + name;
                counter.entry(rel);
                PosixFileAttributes a = attributes(child, rel);
                if (a.isSymbolicLink()) {
                    items.add(SourceListing.Item.symlink(rel, linkTarget(root, child, rel)));
                } else if (a.isDirectory()) {
                    items.add(SourceListing.Item.directory(rel));
                    subdirs.add(rel);
                } else if (a.isRegularFile()) {
                    long before = counter.bytes;
                    Digest sha256 = hash(child, rel, counter);
                    items.add(SourceListing.Item.file(rel, mode(a), counter.bytes - before, sha256));
                    files.put(rel, child);
                } else {
                    throw where.error(where.source() + "/" + rel + " is " + describe(child, a)
                                    + "; only regular files, directories and symlinks can be copied",
                            "remove it from the source, or copy the files beside it one by one with type: file");
                }
            }
            for (int i = subdirs.size() - 1; i >= 0; i--) {
                dirs.push(subdirs.get(i));
            }
        }
        return new Read(new SourceListing(SourceListing.Kind.DIRECTORY, items), files);
    }

    private List<Path> children(Path dir, String rel) {
        List<Path> out = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
            for (Path p : s) {
                out.add(p);
            }
        } catch (IOException e) {
            throw where.error("cannot list " + (rel.isEmpty() ? where.source() : where.source() + "/" + rel) + ": " + reason(e), null);
        }
        out.sort((a, b) -> Arrays.compareUnsigned(a.getFileName().toString().getBytes(UTF_8),
                b.getFileName().toString().getBytes(UTF_8)));
        return out;
    }

    /** A file name as text; names the JVM could not decode (not UTF-8 here) would change meaning. */
    private String name(Path child, String dir) {
        String name = child.getFileName().toString();
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c == '\uFFFD' || Character.isISOControl(c)) {
                String shown = dev.kiln.assembler.tree.TreePath.printable(name);
                throw where.error("the name '" + (dir.isEmpty() ? "" : dir + "/") + shown + "' in " + where.source()
                                + (c == '\uFFFD' ? " is not text in this JVM's encoding" : " holds a control character"),
                        c == '\uFFFD' ? "rename it, or run kiln under a UTF-8 locale (LANG=C.UTF-8)" : "rename it");
            }
        }
        return name;
    }

    private PosixFileAttributes attributes(Path p, String rel) {
        try {
            return Files.readAttributes(p, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw where.error("cannot read " + where.source() + "/" + rel + ": " + reason(e), null);
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
        String shown = where.source() + "/" + rel + " -> " + dev.kiln.assembler.tree.TreePath.printable(target);
        if (target.startsWith("/")) {
            throw where.error("the symlink " + shown + " is absolute, so it would lead elsewhere in the image",
                    "make it relative to its directory, leading to something inside the source");
        }
        for (int i = 0; i < target.length(); i++) {
            if (Character.isISOControl(target.charAt(i)) || target.charAt(i) == '\uFFFD') {
                throw where.error("the symlink " + shown + " has a target that is not plain text", "point it elsewhere");
            }
        }
        Path resolved;
        try {
            resolved = link.toRealPath();
        } catch (NoSuchFileException e) {
            throw where.error("the symlink " + shown + " leads nowhere", "remove it, or point it at something inside the source");
        } catch (IOException e) {
            throw where.error("the symlink " + shown + " cannot be followed: " + reason(e), "point it at something inside the source");
        }
        if (!resolved.startsWith(root)) {
            throw where.error("the symlink " + shown + " leads outside the source (to " + resolved + ")",
                    "copy what it points at into the source, or point it at something inside");
        }
        return target;
    }

    /** The file's sha256, read once without following a symlink, counting towards the limit. */
    private Digest hash(Path file, String rel, Counter counter) {
        MessageDigest md = Digest.newSha256();
        byte[] buffer = new byte[1 << 16];
        try (InputStream in = Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                md.update(buffer, 0, n);
                counter.bytes(n);
            }
        } catch (IOException e) {
            throw where.error("cannot read " + (rel.equals(".") ? file.toString() : where.source() + "/" + rel) + ": " + reason(e), null);
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
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }

    /** Entries and bytes so far, against the limits. */
    private final class Counter {
        long bytes;
        int entries;

        void entry(String rel) {
            if (++entries > maxEntries) {
                throw where.error(where.source() + " holds more than " + maxEntries + " paths (at " + rel + ")",
                        "copy less, or ship it in a package");
            }
        }

        void bytes(long n) {
            bytes += n;
            if (bytes > maxBytes) {
                throw where.error(where.source() + " holds more than " + maxBytes + " bytes",
                        "copy less, or ship it in a package");
            }
        }
    }
}
