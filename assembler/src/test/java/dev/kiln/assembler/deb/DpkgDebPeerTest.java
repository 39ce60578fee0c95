package dev.kiln.assembler.deb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Peer tests against dpkg-deb, the real tool: packages it builds must read back as exactly what
 * was put in, and packages from the host's apt cache must read as dpkg-deb and an independent
 * tar reader (Python's) see them.
 */
class DpkgDebPeerTest {
    private static final Path APT_ARCHIVES = Path.of("/var/cache/apt/archives");
    private static final String CONTROL = """
            Package: kiln-peer
            Version: 1.2.3-1
            Architecture: all
            Maintainer: Kiln Tests <kiln@example.invalid>
            Installed-Size: 12
            Depends: libc6 (>= 2.36)
            Description: peer test package
             A second line.
             .
             And a third.
            """;

    record Result(int exit, byte[] out, String err) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command);
        pb.environment().remove("SOURCE_DATE_EPOCH"); // dpkg-deb would clamp mtimes to it
        pb.environment().put("LC_ALL", "C.UTF-8");
        pb.environment().put("PYTHONIOENCODING", "utf-8");
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        return new Result(p.waitFor(), out, err);
    }

    private static boolean hasDpkgDeb() {
        try {
            return run(List.of("dpkg-deb", "--version")).exit() == 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }

    /** The -Z types this dpkg-deb can build, from its own --help. */
    static Stream<String> compressions() throws Exception {
        if (!hasDpkgDeb()) {
            return Stream.of("xz");
        }
        String help = new String(run(List.of("dpkg-deb", "--help")).out(), UTF_8);
        List<String> out = new ArrayList<>();
        for (String z : List.of("xz", "gzip", "none", "zstd")) {
            if (help.matches("(?s).*Allowed types:[^\\n]*\\b" + z + "\\b.*")) {
                out.add(z);
            }
        }
        return out.stream();
    }

    @ParameterizedTest(name = "dpkg-deb -Z{0}")
    @MethodSource("compressions")
    void readsWhatDpkgDebBuildsExactly(String compression, @TempDir Path tmp) throws Exception {
        assumeTrue(hasDpkgDeb(), "dpkg-deb is not installed");
        Path root = tmp.resolve("kiln-peer");
        byte[] postinst = "#!/bin/sh\nset -e\necho configured\n".getBytes(UTF_8);
        buildSourceTree(root, postinst);

        Path deb = tmp.resolve("kiln-peer_1.2.3-1_all.deb");
        Result built = run(List.of("dpkg-deb", "--root-owner-group", "-Z" + compression, "--build", root.toString(), deb.toString()));
        assertEquals(0, built.exit(), built.err());

        DebPackage pkg = DebPackage.read(deb);

        FileTree expected = treeOf(root);
        assertEquals(expected.toString(), pkg.data().toString());
        assertEquals(expected, pkg.data());
        assertEquals(List.of(), pkg.skipped());
        assertArrayEquals(Files.readAllBytes(root.resolve("DEBIAN/control")), pkg.controlFile());
        assertEquals(List.of("conffiles", "control", "md5sums", "postinst"), List.copyOf(pkg.controlMembers().keySet()));
        assertArrayEquals(postinst, pkg.controlMember("postinst").orElseThrow().readAllBytes());
        assertEquals(List.of("/etc/kiln-peer.conf"), pkg.conffiles());
        for (Map.Entry<String, String> field : pkg.control().entrySet()) {
            Result f = run(List.of("dpkg-deb", "--field", deb.toString(), field.getKey()));
            assertEquals(field.getValue() + "\n", new String(f.out(), UTF_8), field.getKey());
        }
    }

    /** Messy on purpose: setuid, setgid, sticky, a hardlink, long and non-ASCII names, distinct mtimes. */
    private static void buildSourceTree(Path root, byte[] postinst) throws Exception {
        Path debian = Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(debian.resolve("control"), CONTROL);
        Files.write(debian.resolve("postinst"), postinst);
        Files.setAttribute(debian.resolve("postinst"), "unix:mode", 0755);
        Files.writeString(debian.resolve("conffiles"), "/etc/kiln-peer.conf\n");

        Map<String, byte[]> files = new TreeMap<>();
        files.put("etc/kiln-peer.conf", "key = value\n".getBytes(UTF_8));
        files.put("usr/bin/kiln-tool", "#!/bin/sh\necho tool\n".getBytes(UTF_8));
        files.put("usr/bin/kiln-sgid", new byte[] {0x7f, 'E', 'L', 'F', 2, 1, 1, 0});
        String longDir = "usr/lib/kiln/" + "a-rather-long-directory-name-".repeat(4);
        files.put(longDir + "/" + "and-a-long-file-name-".repeat(5) + ".so", new byte[9000]);
        files.put("usr/share/doc/kiln-peer/café.txt", "non-ASCII name\n".getBytes(UTF_8));
        files.put("usr/share/doc/kiln-peer/with space.txt", "a space\n".getBytes(UTF_8));
        StringBuilder md5sums = new StringBuilder();
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Path p = root.resolve(f.getKey());
            Files.createDirectories(p.getParent());
            Files.write(p, f.getValue());
            Files.setAttribute(p, "unix:mode", 0644);
            md5sums.append(HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(f.getValue())))
                    .append("  ").append(f.getKey()).append('\n');
        }
        Files.writeString(debian.resolve("md5sums"), md5sums.toString());
        Files.setAttribute(root.resolve("usr/bin/kiln-tool"), "unix:mode", 04755);
        Files.setAttribute(root.resolve("usr/bin/kiln-sgid"), "unix:mode", 02755);
        Files.createLink(root.resolve("usr/bin/kiln-tool-again"), root.resolve("usr/bin/kiln-tool"));
        Files.createDirectories(root.resolve("var/kiln-tmp"));
        Files.setAttribute(root.resolve("var/kiln-tmp"), "unix:mode", 01777);
        Files.createDirectories(root.resolve("usr/share/empty"));
        Files.createSymbolicLink(root.resolve("usr/lib/kiln/libkiln.so"), Path.of("../../../lib/libkiln.so.1"));
        Files.createSymbolicLink(root.resolve("usr/bin/kiln-abs"), Path.of("/usr/bin/kiln-tool"));

        // distinct mtimes, children before parents so a parent's time sticks
        List<Path> all;
        try (Stream<Path> walk = Files.walk(root)) {
            all = walk.filter(p -> !p.startsWith(debian)).sorted((a, b) -> b.getNameCount() - a.getNameCount()).toList();
        }
        long mtime = 1_600_000_000L;
        for (Path p : all) {
            mtime += 7919;
            try {
                Files.getFileAttributeView(p, BasicFileAttributeView.class, LinkOption.NOFOLLOW_LINKS)
                        .setTimes(FileTime.from(mtime, TimeUnit.SECONDS), null, null);
            } catch (IOException | UnsupportedOperationException e) {
                // a symlink's own mtime may not be settable here; the comparison reads what is there
            }
        }
        Files.setAttribute(root, "unix:mode", 0755);
        Files.getFileAttributeView(root, BasicFileAttributeView.class).setTimes(FileTime.from(1_650_000_000L, TimeUnit.SECONDS), null, null);
    }

    /** What the source directory holds, as the tree kiln should read back; the first path of an inode is the file. */
    private static FileTree treeOf(Path root) throws IOException {
        List<Path> paths;
        try (Stream<Path> walk = Files.walk(root)) {
            paths = walk.filter(p -> !p.startsWith(root.resolve("DEBIAN"))).toList();
        }
        TreeMap<String, Path> byTreePath = new TreeMap<>(TreePath.ORDER);
        for (Path p : paths) {
            byTreePath.put(p.equals(root) ? "/" : "/" + root.relativize(p).toString(), p);
        }
        FileTree.Builder tree = FileTree.builder("source");
        Map<Object, String> firstOfInode = new HashMap<>();
        for (Map.Entry<String, Path> e : byTreePath.entrySet()) {
            Path p = e.getValue();
            Map<String, Object> a = Files.readAttributes(p, "unix:mode,ino,lastModifiedTime", LinkOption.NOFOLLOW_LINKS);
            int mode = (int) a.get("mode") & 07777;
            long mtime = ((FileTime) a.get("lastModifiedTime")).to(TimeUnit.SECONDS);
            if (Files.isSymbolicLink(p)) {
                tree.add(Entry.symlink(e.getKey(), Files.readSymbolicLink(p).toString(), mode, 0, 0, mtime));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                tree.add(Entry.dir(e.getKey(), mode, 0, 0, mtime));
            } else {
                String first = firstOfInode.putIfAbsent(a.get("ino"), e.getKey());
                if (first != null) {
                    tree.add(Entry.hardlink(e.getKey(), first, mode, 0, 0, mtime));
                } else {
                    tree.add(Entry.file(e.getKey(), mode, 0, 0, mtime, Content.of(Files.readAllBytes(p))));
                }
            }
        }
        return tree.build();
    }

    // --- real packages from the host's apt cache ----------------------------------------------

    /** Lists data.tar entries with Python's tarfile: a second, independent tar reader. */
    private static final String PY_LIST = """
            import json, sys, tarfile
            with tarfile.open(fileobj=sys.stdin.buffer, mode='r|') as t:
                for m in t:
                    kind = 'FILE' if m.isreg() else 'DIR' if m.isdir() else 'SYMLINK' if m.issym() \
                        else 'HARDLINK' if m.islnk() else 'OTHER'
                    print(json.dumps([m.name, kind, m.mode & 0o7777, m.uid, m.gid, int(m.mtime), m.linkname, m.size]))
            """;

    @Test
    void readsRealPackagesFromTheAptCacheAsDpkgDebAndPythonSeeThem() throws Exception {
        assumeTrue(hasDpkgDeb(), "dpkg-deb is not installed");
        assumeTrue(run(List.of("python3", "-c", "import tarfile")).exit() == 0, "python3 is not installed");
        List<Path> debs;
        try (Stream<Path> list = Files.isDirectory(APT_ARCHIVES) ? Files.list(APT_ARCHIVES) : Stream.empty()) {
            debs = list.filter(p -> p.getFileName().toString().endsWith(".deb"))
                    .filter(p -> size(p) < (6 << 20))
                    .sorted()
                    .toList();
        }
        assumeTrue(!debs.isEmpty(), "no .deb files in " + APT_ARCHIVES);
        int step = Math.max(1, debs.size() / 24);
        int checked = 0;
        ObjectMapper json = new ObjectMapper();
        for (int i = 0; i < debs.size(); i += step) {
            Path file = debs.get(i);
            DebPackage pkg = DebPackage.read(file);
            String name = file.getFileName().toString();

            Result info = run(List.of("dpkg-deb", "--info", file.toString(), "control"));
            assertEquals(0, info.exit(), info.err());
            assertArrayEquals(info.out(), pkg.controlFile(), name);

            Result listing = run(List.of("sh", "-c", "dpkg-deb --fsys-tarfile \"$1\" | python3 -c \"$2\"", "sh",
                    file.toString(), PY_LIST));
            assertEquals(0, listing.exit(), listing.err());
            int seen = 0;
            for (String line : new String(listing.out(), UTF_8).split("\n")) {
                if (line.isEmpty()) {
                    continue;
                }
                JsonNode n = json.readTree(line);
                String path = TreePath.normalize(n.get(0).asText());
                String kind = n.get(1).asText();
                seen++;
                if (kind.equals("OTHER")) {
                    assertTrue(pkg.skipped().stream().anyMatch(s -> s.path().equals(path)), name + " " + path);
                    continue;
                }
                Entry e = pkg.data().get(path).orElse(null);
                assertNotNull(e, name + ": " + path + " missing");
                assertEquals(kind, e.type().name(), name + " " + path);
                assertEquals(n.get(2).asInt(), e.mode(), name + " " + path);
                assertEquals(n.get(3).asLong(), e.uid(), name + " " + path);
                assertEquals(n.get(4).asLong(), e.gid(), name + " " + path);
                assertEquals(n.get(5).asLong(), e.mtime(), name + " " + path);
                if (e.type() == Entry.Type.SYMLINK) {
                    assertEquals(n.get(6).asText(), e.linkTarget(), name + " " + path);
                } else if (e.type() == Entry.Type.HARDLINK) {
                    assertEquals(TreePath.normalize(n.get(6).asText()), e.linkTarget(), name + " " + path);
                } else if (e.type() == Entry.Type.FILE) {
                    assertEquals(n.get(7).asLong(), e.content().size(), name + " " + path);
                }
            }
            assertEquals(seen, pkg.data().size() + pkg.skipped().size(), name);

            // md5sums is the package's own account of its files
            for (String line : pkg.md5sums().orElse("").split("\n")) {
                if (line.isBlank()) {
                    continue;
                }
                String md5 = line.substring(0, 32);
                String path = TreePath.normalize(line.substring(34));
                Entry e = pkg.data().get(path).orElseThrow(() -> new AssertionError(name + ": md5sums lists " + path));
                Entry file2 = e.type() == Entry.Type.HARDLINK ? pkg.data().get(e.linkTarget()).orElseThrow() : e;
                assertEquals(md5, HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(file2.content().readAllBytes())),
                        name + " " + path);
            }
            checked++;
        }
        assertTrue(checked > 0);
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return Long.MAX_VALUE;
        }
    }
}
