package dev.kiln.builder.deb;

import dev.kiln.builder.RecipeException;
import dev.kiln.oci.TarWriter;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.ExitCleanup;
import dev.kiln.store.IoErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveOutputStream;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * Writes a binary package ({@code .deb}) from a directory tree whose bytes depend only on the
 * tree's names, contents, link targets and executable bits, the control data, the epoch and kiln's
 * code: never on owners, umask, mtimes, the order a directory lists its entries in, the time zone,
 * the locale or the JDK.
 *
 * <p>The archive: {@code ar} with {@code debian-binary} ({@code 2.0\n}), {@code control.tar.xz},
 * {@code data.tar.xz}; each ar header has mtime = epoch, owner 0/0, mode 100644. Both tars are
 * written by {@link TarWriter} (ustar, numeric owners 0/0 without names, no atime/ctime) and
 * compressed by xz-java at preset 6 with a CRC64 check on one thread, never flushed midway, so their
 * bytes depend on xz-java's version only (pinned by the build). In {@code data.tar}:
 *
 * <ul>
 *   <li>entries in depth-first order, each directory's names sorted by their bytes, named as dpkg-deb
 *       names them ({@code ./}, {@code ./usr/}, {@code ./usr/bin/hello});</li>
 *   <li>every mtime the epoch; owners 0/0;</li>
 *   <li>modes normalized: directories 0755, regular files 0755 if any execute bit was set, else 0644,
 *       symlinks 0777. Set-id and sticky bits are dropped (a recipe's output is not trusted to
 *       grant privileges);</li>
 *   <li>symlinks kept as written, also absolute ones and ones leaving the tree (normal in packages:
 *       they point into the installed system);</li>
 *   <li>hard links (several names for one file within the tree) as tar hard links to the name that
 *       comes first;</li>
 *   <li>device files, FIFOs and sockets refused, as are names that are not printable ASCII (a name's
 *       bytes would otherwise depend on the locale the JVM decodes file names in).</li>
 * </ul>
 *
 * <p>{@code control.tar} holds {@code ./control}, {@code ./md5sums} (every regular file, in entry
 * order) and the extra members given (e.g. the recipe and its lock), all 0644, sorted by name.
 * {@code Installed-Size} follows dpkg-gencontrol: each regular file and symlink counts its size in
 * KiB rounded up (a hard-linked file once), each directory, the top one included, 1 KiB.
 */
public final class DebWriter {
    /** The bytes of {@code debian-binary}: format 2.0. */
    public static final String DEBIAN_BINARY = "2.0\n";
    /** xz's preset: dpkg-deb's default level. Part of the package bytes. */
    static final int XZ_PRESET = 6;
    private static final Pattern MEMBER = Pattern.compile("[a-z0-9][a-z0-9._+-]*");
    /** Control members dpkg gives a meaning to: a recipe's extra members may not take these names (no maintainer scripts). */
    private static final Set<String> DPKG_MEMBERS = Set.of("control", "md5sums", "conffiles", "preinst", "postinst", "prerm",
            "postrm", "config", "templates", "triggers", "shlibs", "symbols", "clilibs");
    private static final HexFormat HEX = HexFormat.of();

    private DebWriter() {
    }

    /** What was written. */
    public record Written(Path file, Digest sha256, long size, String control, long installedSizeKiB) {
    }

    /**
     * Writes the package made of {@code tree} into {@code target} (replacing it whole, or not at all).
     *
     * @param tree the package's root directory (a build's destdir)
     * @param control the control fields
     * @param epoch the build's epoch, seconds since 1970: every mtime in the package
     * @param controlMembers further members of {@code control.tar} by name, e.g. {@code kiln-recipe.yaml}
     * @throws RecipeException {@code recipe.package} naming the entry a package cannot hold or the member name refused
     */
    public static Written write(Path tree, DebControl control, long epoch, SortedMap<String, byte[]> controlMembers, Path target) {
        Objects.requireNonNull(control, "control");
        if (epoch < 0 || epoch > TarWriter.MAX_USTAR_SIZE) {
            throw new IllegalArgumentException("epoch " + epoch + " is not a time a tar header holds");
        }
        for (String name : controlMembers.keySet()) {
            if (!MEMBER.matcher(name).matches() || DPKG_MEMBERS.contains(name)) {
                throw new RecipeException(RecipeException.Kind.PACKAGE, "cannot add the control member '" + name + "'"
                        + "\n  expected: a name of lowercase letters, digits, '.', '_', '+', '-' that dpkg gives no meaning to"
                        + " (kiln writes control and md5sums itself; packages carry no maintainer scripts)"
                        + "\n  fix: rename the member");
            }
        }
        List<Entry> entries = walk(tree);
        Path data = null;
        try {
            AtomicFile.createDirectories(target.toAbsolutePath().getParent());
            data = ExitCleanup.createTempFile(target.toAbsolutePath().getParent(), ".kiln-data-", ".tar.xz");
            DataResult result;
            try (OutputStream out = Files.newOutputStream(data)) {
                result = writeData(entries, epoch, out);
            }
            String controlText = control.render(result.installedSizeKiB);
            byte[] controlTar = controlTar(controlText, result.md5sums, controlMembers, epoch);
            long dataSize = Files.size(data);
            Path dataFile = data;
            MessageDigest sha = Digest.newSha256();
            long[] size = new long[1];
            AtomicFile.write(target, AtomicFile.PUBLIC, sink -> {
                OutputStream hashing = new OutputStream() {
                    @Override
                    public void write(int b) throws IOException {
                        sink.write(b);
                        sha.update((byte) b);
                        size[0]++;
                    }

                    @Override
                    public void write(byte[] b, int off, int len) throws IOException {
                        sink.write(b, off, len);
                        sha.update(b, off, len);
                        size[0] += len;
                    }
                };
                ArArchiveOutputStream ar = new ArArchiveOutputStream(hashing);
                member(ar, "debian-binary", DEBIAN_BINARY.getBytes(StandardCharsets.US_ASCII), epoch);
                member(ar, "control.tar.xz", controlTar, epoch);
                ar.putArchiveEntry(new ArArchiveEntry("data.tar.xz", dataSize, 0, 0, 0100644, epoch));
                try (InputStream in = Files.newInputStream(dataFile)) {
                    in.transferTo(ar);
                }
                ar.closeArchiveEntry();
                ar.finish();
            });
            return new Written(target.toAbsolutePath(), Digest.fromRaw(sha.digest()), size[0], controlText, result.installedSizeKiB);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, "cannot write the package " + target + ": " + IoErrors.why(e), e);
        } finally {
            if (data != null) {
                try {
                    ExitCleanup.discard(data);
                } catch (IOException ignored) {
                    // removed at exit
                }
            }
        }
    }

    private static void member(ArArchiveOutputStream ar, String name, byte[] bytes, long epoch) throws IOException {
        ar.putArchiveEntry(new ArArchiveEntry(name, bytes.length, 0, 0, 0100644, epoch));
        ar.write(bytes);
        ar.closeArchiveEntry();
    }

    // --- the tree ----------------------------------------------------------------------------

    private enum Kind { DIRECTORY, FILE, SYMLINK, HARDLINK }

    /** One entry of data.tar: its tar name, and where its bytes are. */
    private record Entry(String name, Kind kind, Path path, int mode, long size, String link) {
    }

    /** The tree's entries in tar order, checked, with hard links found. */
    static List<Entry> walk(Path tree) {
        PosixFileAttributes top;
        try {
            top = Files.readAttributes(tree, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, "cannot read the package tree " + tree + ": " + IoErrors.why(e), e);
        }
        if (!top.isDirectory()) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, "the package tree " + tree + " is not a directory");
        }
        List<Entry> entries = new ArrayList<>();
        entries.add(new Entry("./", Kind.DIRECTORY, tree, 0755, 0, null));
        walk(tree, "./", entries, new HashMap<>());
        return entries;
    }

    private static void walk(Path dir, String prefix, List<Entry> entries, Map<Object, String> inodes) {
        TreeMap<String, Path> children = new TreeMap<>(DebWriter::compareBytes);
        try (DirectoryStream<Path> list = Files.newDirectoryStream(dir)) {
            for (Path child : list) {
                String name = child.getFileName().toString();
                checkName(name, prefix, child);
                children.put(name, child);
            }
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, "cannot list " + dir + ": " + IoErrors.why(e), e);
        }
        for (Map.Entry<String, Path> c : children.entrySet()) {
            Path path = c.getValue();
            String name = prefix + c.getKey();
            PosixFileAttributes a;
            try {
                a = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if (a.isDirectory()) {
                    entries.add(new Entry(name + "/", Kind.DIRECTORY, path, 0755, 0, null));
                    walk(path, name + "/", entries, inodes);
                } else if (a.isSymbolicLink()) {
                    String target = Files.readSymbolicLink(path).toString();
                    checkName(target, name + " -> ", path);
                    entries.add(new Entry(name, Kind.SYMLINK, path, 0777, 0, target));
                } else if (a.isRegularFile()) {
                    Set<PosixFilePermission> p = a.permissions();
                    boolean exec = p.contains(PosixFilePermission.OWNER_EXECUTE) || p.contains(PosixFilePermission.GROUP_EXECUTE)
                            || p.contains(PosixFilePermission.OTHERS_EXECUTE);
                    int mode = exec ? 0755 : 0644;
                    Object inode = a.fileKey();
                    int links = ((Number) Files.getAttribute(path, "unix:nlink", LinkOption.NOFOLLOW_LINKS)).intValue();
                    String first = links > 1 && inode != null ? inodes.putIfAbsent(inode, name) : null;
                    if (first != null) {
                        entries.add(new Entry(name, Kind.HARDLINK, path, mode, 0, first));
                    } else {
                        entries.add(new Entry(name, Kind.FILE, path, mode, a.size(), null));
                    }
                } else {
                    throw new RecipeException(RecipeException.Kind.PACKAGE, "a package cannot hold " + name.substring(2)
                            + ": it is a device file, a FIFO or a socket"
                            + "\n  expected: regular files, directories and symbolic links only"
                            + "\n  fix: remove it from the build's output (an image gets /dev from its runtime)");
                }
            } catch (IOException e) {
                throw new RecipeException(RecipeException.Kind.PACKAGE, "cannot read " + path + ": " + IoErrors.why(e), e);
            }
        }
    }

    /** Printable ASCII only (no control characters, no bytes the JVM would decode by its locale). */
    private static void checkName(String name, String where, Path path) {
        boolean ok = !name.isEmpty();
        for (int i = 0; i < name.length() && ok; i++) {
            char c = name.charAt(i);
            ok = c >= 0x20 && c < 0x7f;
        }
        if (!ok) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, "a package cannot hold the name '"
                    + name.replaceAll("[^\\x20-\\x7e]", "?") + "' (under " + path.getParent() + ")"
                    + "\n  expected: names and link targets of printable ASCII (their bytes must not depend on the locale)"
                    + "\n  fix: rename it in the build's output");
        }
    }

    private static int compareBytes(String a, String b) {
        return java.util.Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8));
    }

    // --- data.tar ----------------------------------------------------------------------------

    private record DataResult(String md5sums, long installedSizeKiB) {
    }

    private static DataResult writeData(List<Entry> entries, long epoch, OutputStream sink) throws IOException {
        XZOutputStream xz = new XZOutputStream(sink, new LZMA2Options(XZ_PRESET));
        StringBuilder md5sums = new StringBuilder();
        Map<String, String> md5ByName = new HashMap<>();
        long kib = 0;
        byte[] buffer = new byte[1 << 16];
        for (Entry e : entries) {
            switch (e.kind) {
                case DIRECTORY -> {
                    TarWriter.writeHeader(xz, TarWriter.Header.of(e.name, TarWriter.Type.DIRECTORY, null, e.mode, 0, 0, 0, epoch));
                    kib++;
                }
                case SYMLINK -> {
                    TarWriter.writeHeader(xz, TarWriter.Header.of(e.name, TarWriter.Type.SYMLINK, e.link, e.mode, 0, 0, 0, epoch));
                    kib += ceilKiB(e.link.getBytes(StandardCharsets.UTF_8).length);
                }
                case HARDLINK -> {
                    TarWriter.writeHeader(xz, TarWriter.Header.of(e.name, TarWriter.Type.HARDLINK, e.link, e.mode, 0, 0, 0, epoch));
                    md5sums.append(md5ByName.get(e.link)).append("  ").append(e.name.substring(2)).append('\n');
                }
                case FILE -> {
                    TarWriter.writeHeader(xz, TarWriter.Header.of(e.name, TarWriter.Type.FILE, null, e.mode, 0, 0, e.size, epoch));
                    MessageDigest md5 = md5();
                    long copied = 0;
                    try (InputStream in = Files.newInputStream(e.path, LinkOption.NOFOLLOW_LINKS)) {
                        for (int n; copied < e.size && (n = in.read(buffer, 0, (int) Math.min(buffer.length, e.size - copied))) > 0; ) {
                            xz.write(buffer, 0, n);
                            md5.update(buffer, 0, n);
                            copied += n;
                        }
                        if (copied == e.size && in.read() != -1) {
                            copied++; // it grew
                        }
                    }
                    if (copied != e.size) {
                        throw new RecipeException(RecipeException.Kind.PACKAGE, e.path + " changed while it was packaged"
                                + "\n  expected: " + e.size + " bytes\n  found:    " + copied + " bytes"
                                + "\n  fix: make sure nothing writes to the build's output any more");
                    }
                    TarWriter.pad(xz, e.size);
                    String hex = HEX.formatHex(md5.digest());
                    md5ByName.put(e.name, hex);
                    md5sums.append(hex).append("  ").append(e.name.substring(2)).append('\n');
                    kib += ceilKiB(e.size);
                }
                default -> throw new IllegalStateException(e.kind.toString());
            }
        }
        TarWriter.finish(xz);
        xz.finish();
        return new DataResult(md5sums.toString(), kib);
    }

    private static long ceilKiB(long bytes) {
        return (bytes + 1023) / 1024;
    }

    private static byte[] controlTar(String control, String md5sums, SortedMap<String, byte[]> extra, long epoch) throws IOException {
        SortedMap<String, byte[]> members = new TreeMap<>(DebWriter::compareBytes);
        members.putAll(extra);
        members.put("control", control.getBytes(StandardCharsets.UTF_8));
        if (!md5sums.isEmpty()) {
            members.put("md5sums", md5sums.getBytes(StandardCharsets.UTF_8));
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        XZOutputStream xz = new XZOutputStream(out, new LZMA2Options(XZ_PRESET));
        TarWriter.writeHeader(xz, TarWriter.Header.of("./", TarWriter.Type.DIRECTORY, null, 0755, 0, 0, 0, epoch));
        for (Map.Entry<String, byte[]> m : members.entrySet()) {
            byte[] bytes = m.getValue();
            TarWriter.writeHeader(xz, TarWriter.Header.of("./" + m.getKey(), TarWriter.Type.FILE, null, 0644, 0, 0, bytes.length, epoch));
            xz.write(bytes);
            TarWriter.pad(xz, bytes.length);
        }
        TarWriter.finish(xz);
        xz.finish();
        return out.toByteArray();
    }

    private static MessageDigest md5() {
        try {
            return MessageDigest.getInstance("MD5");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no MD5", e);
        }
    }
}
