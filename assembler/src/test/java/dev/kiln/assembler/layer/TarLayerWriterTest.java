package dev.kiln.assembler.layer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.oci.LayerDigests;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TarLayerWriterTest {
    /** 2023-11-14T22:13:20Z */
    static final long EPOCH = 1_700_000_000L;
    static final String LONG_DIR = "/usr/share/doc/libreoffice-help-common/help/en-US/text/scalc/01"; // 63 bytes
    static final String SPLITTABLE = LONG_DIR + "/func_imtanh_and_other_complex_hyperbolic_functions.xhp"; // > 100, splits
    static final String LONG_COMPONENT = "/opt/" + "k".repeat(120) + ".conf"; // name part > 100: needs PAX
    static final String VERY_LONG = "/usr/share/fonts/truetype/" + "n".repeat(90) + "/" + "m".repeat(90) + "/"
            + "z".repeat(80) + ".ttf"; // > 255 bytes, and no split leaves a prefix of at most 155
    static final String LONG_TARGET = "../../../../usr/lib/jvm/java-17-openjdk-amd64/lib/server/"
            + "libjvm.so.with.a.needlessly.long.versioned.name.that.goes.on"; // > 100
    static final byte[] CAPABILITY = HexFormat.of().parseHex("0100000200200000000000000000000000000000");

    static Content text(String s) {
        return Content.of(s.getBytes(UTF_8));
    }

    /** Real-looking values: real mtimes on both sides of the epoch, odd modes, big ids, long names. */
    static FileTree fixture() {
        byte[] lib = new byte[70_001];
        for (int i = 0; i < lib.length; i++) {
            lib[i] = (byte) (i * 31 ^ (i >>> 7));
        }
        Map<String, ByteString> xattrs = new TreeMap<>();
        xattrs.put("user.kiln.note", ByteString.of("héllo wörld".getBytes(UTF_8)));
        xattrs.put("security.capability", ByteString.of(CAPABILITY));
        return FileTree.builder("fixture")
                .add(Entry.dir("/", 0755, 0, 0, 1_699_999_999L))
                .add(Entry.dir("/etc", 0755, 0, 0, 1_712_345_678L))
                .add(Entry.file("/etc/passwd", 0644, 0, 0, 1_694_201_234L,
                        text("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532::/home/nonroot:/sbin/nologin\n")))
                .add(Entry.dir("/tmp", 01777, 0, 0, 1_600_000_000L))
                .add(Entry.dir("/home/nonroot", 0700, 65532, 65532, 1_734_567_890L))
                .add(Entry.file("/usr/bin/passwd", 04755, 0, 0, 1_680_000_001L, text("\u007fELF passwd")))
                .add(Entry.file("/usr/bin/wall", 02755, 0, 5, 1_680_000_002L, text("\u007fELF wall")))
                .add(Entry.hardlink("/usr/bin/chfn-hard", "/usr/bin/passwd", 04755, 0, 0, 1_680_000_001L))
                .add(Entry.file("/usr/bin/ping", 0755, 0, 0, 1_675_000_000L, text("\u007fELF ping")).withXattrs(xattrs))
                .add(Entry.file("/usr/lib/x86_64-linux-gnu/libfoo.so.1.2.3", 0644, 0, 0, 1_690_000_123L, Content.of(lib)))
                .add(Entry.symlink("/usr/lib/x86_64-linux-gnu/libfoo.so.1", "libfoo.so.1.2.3", 0777, 0, 0, 1_690_000_123L))
                .add(Entry.symlink("/usr/lib/jvm-link", LONG_TARGET, 0777, 0, 0, 1_690_000_124L))
                .add(Entry.file(SPLITTABLE, 0644, 0, 0, 1_650_000_000L, text("<help/>\n")))
                .add(Entry.file(LONG_COMPONENT, 0600, 3_000_000, 4_000_000, 1_800_000_000L, text("big=ids\n")))
                .add(Entry.file(VERY_LONG, 0644, 0, 0, -5L, text("")))
                .add(Entry.file("/usr/share/locale/de/LC_MESSAGES/Übersetzung.mo", 0444, 0, 0, 1_700_000_000L, text("ü")))
                .build();
    }

    static byte[] tar(FileTree tree) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        long n = new TarLayerWriter(EPOCH).writeTar(tree, out);
        assertEquals(out.size(), n);
        return out.toByteArray();
    }

    record Header(String name, char type, int mode, long uid, long gid, long size, long mtime, String link,
            String uname, String gname, String prefix) {
    }

    /** A minimal reader of our own headers (tests only). */
    static List<Header> headers(byte[] tar) {
        List<Header> out = new ArrayList<>();
        int off = 0;
        while (true) {
            byte[] h = Arrays.copyOfRange(tar, off, off + 512);
            if (Arrays.equals(h, new byte[512])) {
                assertArrayEquals(new byte[1024], Arrays.copyOfRange(tar, off, tar.length), "ends with two zero blocks");
                return out;
            }
            long sum = 0;
            for (int i = 0; i < 512; i++) {
                sum += i >= 148 && i < 156 ? ' ' : h[i] & 0xff;
            }
            assertEquals(sum, Long.parseLong(str(h, 148, 6), 8), "checksum");
            assertEquals("ustar\u000000", new String(h, 257, 8, UTF_8));
            assertEquals("0000000", str(h, 329, 8));
            assertEquals("0000000", str(h, 337, 8));
            Header hd = new Header(str(h, 0, 100), (char) h[156], Integer.parseInt(str(h, 100, 8), 8),
                    Long.parseLong(str(h, 108, 8), 8), Long.parseLong(str(h, 116, 8), 8),
                    Long.parseLong(str(h, 124, 12), 8), Long.parseLong(str(h, 136, 12), 8), str(h, 157, 100),
                    str(h, 265, 32), str(h, 297, 32), str(h, 345, 155));
            out.add(hd);
            off += 512 + (int) ((hd.size() + 511) / 512 * 512);
        }
    }

    static String str(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, UTF_8);
    }

    @Test
    void sameTreeGivesTheSameBytesAndTheGoldenDigests() throws IOException {
        byte[] first = tar(fixture());
        byte[] second = tar(fixture());
        assertArrayEquals(first, second);
        ByteArrayOutputStream gz = new ByteArrayOutputStream();
        LayerDigests d = new TarLayerWriter(EPOCH).writeGzip(fixture(), gz);
        assertEquals(Digest.of(first), d.uncompressed());
        assertEquals(first.length, d.uncompressedSize());
        assertEquals(Digest.of(gz.toByteArray()), d.compressed());
        assertEquals(gz.size(), d.compressedSize());
        // Golden values: a change here changes every image kiln builds. Bump the layer format version with it.
        assertEquals("sha256:01f366d7701902924d00deba43d993562b300872fa3844443c9d99eb0eaae48b", d.uncompressed().toString());
        assertEquals("sha256:69485a0407087be0c0ef1c350575134f968c25be155890ee9d751199639617c1", d.compressed().toString());
    }

    @Test
    void entriesComeInTreeOrderWithMissingParentsAddedAndNoRoot() throws IOException {
        List<String> names = headers(tar(fixture())).stream().filter(h -> h.type() != 'x')
                .map(h -> h.prefix().isEmpty() ? h.name() : h.prefix() + "/" + h.name()).toList();
        assertEquals("etc/", names.get(0));
        assertTrue(names.indexOf("usr/") < names.indexOf("usr/bin/"));
        assertTrue(names.indexOf("usr/bin/") < names.indexOf("usr/bin/passwd"));
        assertTrue(names.contains("home/"));
        assertFalse(names.contains("/") || names.contains("./") || names.contains(""));
        for (String n : names) {
            assertFalse(n.startsWith("/") || n.startsWith("./"), n);
        }
    }

    @Test
    void missingParentsAre0755RootOwnedAtTheEpoch() throws IOException {
        Header usr = headers(tar(fixture())).stream().filter(h -> h.name().equals("usr/")).findFirst().orElseThrow();
        assertEquals(new Header("usr/", '5', 0755, 0, 0, 0, EPOCH, "", "", "", ""), usr);
    }

    @Test
    void mtimesAfterTheEpochAreClampedAndEarlierOnesKept() throws IOException {
        Map<String, Long> mtimes = new TreeMap<>();
        for (Header h : headers(tar(fixture()))) {
            mtimes.put(h.name(), h.mtime());
        }
        assertEquals(EPOCH, mtimes.get("etc/"));
        assertEquals(EPOCH, mtimes.get("home/nonroot/"));
        assertEquals(1_694_201_234L, mtimes.get("etc/passwd"));
        assertEquals(1_600_000_000L, mtimes.get("tmp/"));
    }

    @Test
    void ownersAreNumericOnlyAndHeadersCarryNoNames() throws IOException {
        for (Header h : headers(tar(fixture()))) {
            assertEquals("", h.uname(), h.name());
            assertEquals("", h.gname(), h.name());
        }
    }

    @Test
    void aTreeThatUstarCanSayNeedsNoPaxHeader() throws IOException {
        FileTree plain = FileTree.builder("plain")
                .add(Entry.file("/usr/bin/passwd", 04755, 0, 0, 1_680_000_001L, text("x")))
                .add(Entry.file("/home/nonroot/.profile", 0640, 65532, 65532, 1_800_000_000L, text("umask 027\n")))
                .add(Entry.file(SPLITTABLE, 0644, 2_097_151, 2_097_151, 1_650_000_000L, text("<help/>\n")))
                .build();
        assertTrue(headers(tar(plain)).stream().noneMatch(h -> h.type() == 'x'));
    }

    @Test
    void paxHeadersHoldOnlyWhatUstarCannotAndNeverTimes() throws IOException {
        byte[] tar = tar(fixture());
        String all = new String(tar, java.nio.charset.StandardCharsets.ISO_8859_1);
        assertFalse(all.contains("mtime=") || all.contains("atime=") || all.contains("ctime="));
        List<Header> hs = headers(tar);
        long pax = hs.stream().filter(h -> h.type() == 'x').count();
        assertEquals(4, pax, "long component, very long path, long target, xattrs");
        for (Header h : hs) {
            if (h.type() == 'x') {
                assertTrue(h.name().startsWith("PaxHeaders/"), h.name());
                assertEquals(0, h.mtime());
                assertEquals(0644, h.mode());
            }
        }
        assertTrue(all.contains(" uid=3000000\n") && all.contains(" gid=4000000\n"));
        assertTrue(all.contains(" path=" + LONG_COMPONENT.substring(1) + "\n"));
    }

    @Test
    void hardlinksAreTypeOneNamingTheirTargetRelatively() throws IOException {
        Header h = headers(tar(fixture())).stream().filter(x -> x.name().equals("usr/bin/chfn-hard")).findFirst().orElseThrow();
        assertEquals('1', h.type());
        assertEquals("usr/bin/passwd", h.link());
        assertEquals(0, h.size());
    }

    @Test
    void gnuTarExtractsAHardlinkThatSortsBeforeItsTarget(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("tar"));
        Path tar = dir.resolve("layer.tar");
        Files.write(tar, tar(fixture()));
        Path out = Files.createDirectories(dir.resolve("out"));
        run(out, "tar", "-xf", tar.toString(), "usr/bin/passwd", "usr/bin/chfn-hard");
        assertTrue(Files.isSameFile(out.resolve("usr/bin/passwd"), out.resolve("usr/bin/chfn-hard")));
    }

    // --- peers: the real tools read what we write ---

    static boolean onPath(String tool) {
        return Stream.of(System.getenv("PATH").split(":")).anyMatch(d -> Files.isExecutable(Path.of(d, tool)));
    }

    static String run(Path dir, String... command) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("TZ", "UTC");
        pb.environment().put("LC_ALL", "C.UTF-8");
        Process p = pb.start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        String text = new String(out, UTF_8);
        assertEquals(0, p.exitValue(), String.join(" ", command) + ": " + text);
        return text;
    }

    @Test
    void gzipAcceptsTheLayerAndGivesBackTheExactTar(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("gzip"));
        Path gz = dir.resolve("layer.tar.gz");
        try (var out = Files.newOutputStream(gz)) {
            new TarLayerWriter(EPOCH).writeGzip(fixture(), out);
        }
        run(dir, "gzip", "-t", gz.toString());
        Process p = new ProcessBuilder("gzip", "-dc", gz.toString()).start();
        byte[] back = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertArrayEquals(tar(fixture()), back);
    }

    @Test
    void gnuTarListsNamesModesOwnersTimesAndLinks(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("tar"));
        Path tar = dir.resolve("layer.tar");
        Files.write(tar, tar(fixture()));
        List<String> lines = run(dir, "tar", "--numeric-owner", "--full-time", "-tvf", tar.toString())
                .lines().map(l -> l.replaceAll(" +", " ")).toList();
        String usrLib = "usr/lib/x86_64-linux-gnu/";
        assertEquals(List.of(
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 etc/",
                "-rw-r--r-- 0/0 87 2023-09-08 19:27:14 etc/passwd",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 home/",
                "drwx------ 65532/65532 0 2023-11-14 22:13:20 home/nonroot/",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 opt/",
                "-rw------- 3000000/4000000 8 2023-11-14 22:13:20 " + LONG_COMPONENT.substring(1),
                "drwxrwxrwt 0/0 0 2020-09-13 12:26:40 tmp/",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/bin/",
                "-rwsr-xr-x 0/0 11 2023-03-28 10:40:01 usr/bin/passwd",
                "-rwxr-xr-x 0/0 9 2023-01-29 13:46:40 usr/bin/ping",
                "-rwxr-sr-x 0/5 9 2023-03-28 10:40:02 usr/bin/wall",
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/lib/",
                "lrwxrwxrwx 0/0 0 2023-07-22 04:28:44 usr/lib/jvm-link -> " + LONG_TARGET,
                "drwxr-xr-x 0/0 0 2023-11-14 22:13:20 usr/lib/x86_64-linux-gnu/"),
                lines.subList(0, 15));
        assertEquals("hrwsr-xr-x 0/0 0 2023-03-28 10:40:01 usr/bin/chfn-hard link to usr/bin/passwd", lines.get(lines.size() - 1),
                "a hardlink that sorts before its target comes last");
        assertTrue(lines.contains("lrwxrwxrwx 0/0 0 2023-07-22 04:28:43 " + usrLib + "libfoo.so.1 -> libfoo.so.1.2.3"), lines.toString());
        assertTrue(lines.contains("-rw-r--r-- 0/0 70001 2023-07-22 04:28:43 " + usrLib + "libfoo.so.1.2.3"));
        assertTrue(lines.contains("-rw-r--r-- 0/0 0 1970-01-01 00:00:00 " + VERY_LONG.substring(1)));
        assertTrue(lines.contains("-rw-r--r-- 0/0 8 2022-04-15 05:20:00 " + SPLITTABLE.substring(1)));
        assertTrue(lines.contains("-r--r--r-- 0/0 2 2023-11-14 22:13:20 usr/share/locale/de/LC_MESSAGES/Übersetzung.mo"));
        assertEquals(fixtureTarEntries(), lines.size());
    }

    /** Entries in the fixture plus the parents it lacks, less the root. */
    static int fixtureTarEntries() throws IOException {
        return (int) headers(tar(fixture())).stream().filter(h -> h.type() != 'x').count();
    }

    @Test
    void pythonTarfileReadsXattrsAndLongNamesBack(@TempDir Path dir) throws Exception {
        assumeTrue(onPath("python3"));
        Path tar = dir.resolve("layer.tar");
        Files.write(tar, tar(fixture()));
        String script = """
                import sys, tarfile
                with tarfile.open(sys.argv[1]) as t:
                    for m in t.getmembers():
                        x = {k: v.encode('utf-8', 'surrogateescape').hex() for k, v in sorted(m.pax_headers.items()) if k.startswith('SCHILY.xattr.')}
                        print(m.name, oct(m.mode), m.uid, m.gid, m.mtime, m.type.decode(), m.linkname, repr(m.uname), repr(m.gname), x)
                """;
        List<String> lines = run(dir, "python3", "-c", script, tar.toString()).lines().toList();
        String hex = HexFormat.of().formatHex("héllo wörld".getBytes(UTF_8));
        assertTrue(lines.contains("usr/bin/ping 0o755 0 0 1675000000 0  '' '' {'SCHILY.xattr.security.capability': '"
                + HexFormat.of().formatHex(CAPABILITY) + "', 'SCHILY.xattr.user.kiln.note': '" + hex + "'}"), lines.toString());
        assertTrue(lines.contains(LONG_COMPONENT.substring(1) + " 0o600 3000000 4000000 1700000000 0  '' '' {}"));
        assertTrue(lines.contains(VERY_LONG.substring(1) + " 0o644 0 0 0 0  '' '' {}"));
        assertTrue(lines.contains("usr/lib/jvm-link 0o777 0 0 1690000124 2 " + LONG_TARGET + " '' '' {}"));
        assertTrue(lines.contains("tmp 0o1777 0 0 1600000000 5  '' '' {}"));
    }
}
