package dev.kiln.builder.deb;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.builder.RecipeException;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The .deb kiln writes: what dpkg and kiln's own reader make of it, its determinism, what it refuses. */
class DebWriterTest {
    @TempDir
    Path tmp;

    private DebWriter.Written fixture() throws IOException {
        return MessyTree.write(MessyTree.make(tmp.resolve("tree"), 1), tmp.resolve("out/kiln-hello.deb"));
    }

    static Run run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), String.join(" ", command));
        return new Run(p.exitValue(), out);
    }

    record Run(int exit, String output) {
    }

    @Test
    void dpkgDebShowsTheControlFieldsAndEveryEntryOwnedByRootWithNormalizedModes() throws Exception {
        DebWriter.Written w = fixture();
        Run info = run(tmp, "dpkg-deb", "--info", w.file().toString());
        assertEquals(0, info.exit(), info.output());
        for (String line : List.of(" Package: kiln-hello", " Version: 2.10-0kiln1", " Depends: libc6 (>= 2.34), base-files",
                " Kiln-Build-Key: sha256:", " Description: says hello", "  A fixture package made by kiln's tests.", "  .",
                "  Its second paragraph.", "kiln-recipe.yaml", "kiln-recipe.lock.json", "md5sums", " Installed-Size: " + w.installedSizeKiB())) {
            assertTrue(info.output().contains(line), line + " in\n" + info.output());
        }
        Run contents = run(tmp, "dpkg-deb", "--contents", w.file().toString());
        assertEquals(0, contents.exit(), contents.output());
        String listing = contents.output();
        assertTrue(listing.contains("drwxr-xr-x 0/0               0 2023-11-14 22:13 ./\n"), listing);
        assertTrue(listing.contains("-rwxr-xr-x 0/0              25 2023-11-14 22:13 ./usr/bin/hello\n"), listing);
        assertTrue(listing.contains("hrwxr-xr-x 0/0               0 2023-11-14 22:13 ./usr/bin/hello-again link to ./usr/bin/hello\n"), listing);
        assertTrue(listing.contains("lrwxrwxrwx 0/0               0 2023-11-14 22:13 ./usr/bin/hi -> hello\n"), listing);
        assertTrue(listing.contains("./usr/bin/abs-link -> /usr/share/kiln-fixture-elsewhere\n"), listing);
        assertTrue(listing.contains("-rw-r--r-- 0/0              43 2023-11-14 22:13 ./usr/share/doc/kiln-hello/README\n"), listing);
        assertTrue(listing.contains("./" + MessyTree.LONG_FILE + "\n"), listing);
        assertTrue(listing.contains("drwxr-xr-x 0/0               0 2023-11-14 22:13 ./usr/lib/kiln-hello/empty/\n"), listing);
        assertFalse(listing.contains("rws"), "no set-id bit survives:\n" + listing);
        List<String> names = listing.lines().map(l -> l.substring(l.indexOf("./"))).map(l -> l.split(" ")[0]).toList();
        assertEquals(names.stream().sorted(DebWriterTest::componentWise).toList(), names, "entries sorted, parents first");
    }

    /** Orders paths as a depth-first walk with sorted names does. */
    private static int componentWise(String a, String b) {
        String[] x = a.split("/");
        String[] y = b.split("/");
        for (int i = 0; i < Math.min(x.length, y.length); i++) {
            int c = x[i].compareTo(y[i]);
            if (c != 0) {
                return c;
            }
        }
        return Integer.compare(x.length, y.length);
    }

    @Test
    void dpkgInstallsItIntoAnEmptyRootAndKeepsTheBuildKeyInItsStatus() throws Exception {
        DebWriter.Written w = fixture();
        Path root = tmp.resolve("root");
        Path admin = root.resolve("var/lib/dpkg");
        Files.createDirectories(admin.resolve("info"));
        Files.createDirectories(admin.resolve("updates"));
        Files.writeString(admin.resolve("status"), "");
        Run install = run(tmp, "dpkg", "--root=" + root, "--force-depends", "--force-not-root", "--force-script-chrootless",
                "--no-triggers", "-i", w.file().toString());
        assertEquals(0, install.exit(), install.output());
        assertTrue(Files.isExecutable(root.resolve("usr/bin/hello")));
        assertEquals("hello", Files.readSymbolicLink(root.resolve("usr/bin/hi")).toString());
        String status = Files.readString(admin.resolve("status"));
        assertTrue(status.contains("Status: install ok installed"), status);
        assertTrue(status.contains("Kiln-Build-Key: sha256:" + "ab".repeat(32)), status);
        // what dpkg does with the extra control members: it accepts them and keeps none of them (only
        // the .deb carries the recipe; dpkg-deb --info --showformat or kiln reads it from there)
        try (Stream<Path> info = Files.list(admin.resolve("info"))) {
            List<String> kept = info.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(List.of("format", "kiln-hello.list", "kiln-hello.md5sums"), kept);
        }
        Run verify = run(tmp, "dpkg", "--root=" + root, "--verify", "kiln-hello");
        assertEquals(0, verify.exit(), "dpkg --verify checks every file against md5sums: " + verify.output());
    }

    @Test
    void kilnsOwnReaderReadsWhatItWrites() throws Exception {
        DebWriter.Written w = fixture();
        DebPackage pkg = DebPackage.read(w.file());
        assertEquals("kiln-hello", pkg.packageName());
        assertEquals("2.10-0kiln1", pkg.version());
        assertEquals(w.control(), new String(pkg.controlFile(), UTF_8));
        assertEquals("sha256:" + "ab".repeat(32), pkg.field("Kiln-Build-Key").orElseThrow());
        assertArrayEquals(MessyTree.members().get("kiln-recipe.yaml"),
                pkg.controlMember("kiln-recipe.yaml").orElseThrow().readAllBytes());
        assertTrue(pkg.md5sums().orElseThrow().contains("  usr/bin/hello\n"));
        assertEquals(Digest.of(Files.readAllBytes(w.file())), w.sha256());
        assertEquals(Files.size(w.file()), w.size());
    }

    /**
     * The fixture's package bytes, pinned: a change to the tar headers, the xz settings or xz-java's
     * version moves it, and with it every recipe-built package's sha256 (say why in the commit).
     */
    @Test
    void theFixturesPackageHasItsGoldenDigest() throws Exception {
        assertEquals(GOLDEN, fixture().sha256().toString());
    }

    static final String GOLDEN = "sha256:148fcb2522f59cfe7de86c9003b6f9ae800f73877a400da0079b3303ea515057";

    @Test
    void installedSizeIsDpkgGencontrolsSum() throws Exception {
        DebWriter.Written w = fixture();
        // 18 directories, 5 small files (1 each), 300 KiB + 17 bytes (301), the hard link counted once, 2 symlinks (1 each)
        long dirs;
        try (Stream<Path> walk = Files.walk(tmp.resolve("tree"))) {
            dirs = walk.filter(p -> Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)).count();
        }
        assertEquals(dirs + 5 + 301 + 2, w.installedSizeKiB());
    }

    @Test
    void treesThatDifferInOwnersModesMtimesAndCreationOrderGiveTheSameBytes() throws Exception {
        Path a = MessyTree.make(tmp.resolve("a"), 1);
        Path b = MessyTree.make(tmp.resolve("b"), 2);
        if (Files.getOwner(b).getName().equals("root")) {
            chownNobody(b);
        }
        DebWriter.Written x = MessyTree.write(a, tmp.resolve("a.deb"));
        DebWriter.Written y = MessyTree.write(b, tmp.resolve("b.deb"));
        assertEquals(x.sha256(), y.sha256());
        assertArrayEquals(Files.readAllBytes(x.file()), Files.readAllBytes(y.file()));
    }

    private void chownNobody(Path tree) throws Exception {
        Run r = run(tmp, "chown", "-hR", "65534:65534", tree.toString());
        assertEquals(0, r.exit(), r.output());
    }

    @Test
    void everyJdkOnTheHostInAnotherTimeZoneAndLocaleWritesTheSameBytes() throws Exception {
        Path tree = MessyTree.make(tmp.resolve("tree"), 1);
        Digest here = MessyTree.write(tree, tmp.resolve("here.deb")).sha256();
        List<Path> jdks = new ArrayList<>();
        jdks.add(Path.of(System.getProperty("java.home")));
        try (Stream<Path> list = Files.list(Path.of("/usr/lib/jvm"))) {
            list.filter(p -> Files.isExecutable(p.resolve("bin/java"))).forEach(jdks::add);
        } catch (java.nio.file.NoSuchFileException e) {
            // only this JDK
        }
        int ran = 0;
        for (Path jdk : jdks.stream().map(DebWriterTest::real).distinct().toList()) {
            // under umask 077 (the .deb's own mode is fixed), another time zone and locale
            ProcessBuilder pb = new ProcessBuilder("sh", "-c", "umask 077 && exec \"$@\"", "sh",
                    jdk.resolve("bin/java").toString(), "-Duser.timezone=Pacific/Kiritimati",
                    "-Duser.language=tr", "-Duser.country=TR", "-cp", System.getProperty("java.class.path"),
                    OtherJvmDebMain.class.getName(), tree.toString(), tmp.resolve("other-" + ran + ".deb").toString())
                    .redirectErrorStream(true);
            Map<String, String> env = pb.environment();
            env.put("TZ", "Asia/Kathmandu");
            env.put("LC_ALL", "C");
            env.put("LANG", "C");
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), UTF_8).strip();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            if (p.exitValue() != 0 && out.contains("UnsupportedClassVersionError")) {
                continue;
            }
            assertEquals(0, p.exitValue(), jdk + ": " + out);
            assertEquals(here.toString(), out, jdk.toString());
            assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(
                    Files.getPosixFilePermissions(tmp.resolve("other-" + ran + ".deb"))));
            ran++;
        }
        assertTrue(ran >= 1);
    }

    private static Path real(Path p) {
        try {
            return p.toRealPath();
        } catch (IOException e) {
            return p;
        }
    }

    @Test
    void aFifoIsRefusedNamingItsPath() throws Exception {
        Path tree = MessyTree.make(tmp.resolve("tree"), 1);
        Run r = run(tmp, "mkfifo", tree.resolve("usr/lib/kiln-hello/pipe").toString());
        assumeTrue(r.exit() == 0, r.output());
        RecipeException e = assertThrows(RecipeException.class, () -> MessyTree.write(tree, tmp.resolve("out/x.deb")));
        assertEquals("recipe.package", e.code());
        assertTrue(e.getMessage().contains("usr/lib/kiln-hello/pipe"), e.getMessage());
        assertFalse(Files.exists(tmp.resolve("out/x.deb")), "nothing written");
        try (Stream<Path> left = Files.list(tmp.resolve("out"))) {
            assertEquals(List.of(), left.toList(), "no temporary file left");
        } catch (java.nio.file.NoSuchFileException fine) {
            // not even the directory
        }
    }

    @Test
    void aNameThatIsNotPrintableAsciiIsRefused() throws Exception {
        Path tree = MessyTree.make(tmp.resolve("tree"), 1);
        Files.writeString(tree.resolve("usr/bin/tab\there"), "x");
        RecipeException e = assertThrows(RecipeException.class, () -> MessyTree.write(tree, tmp.resolve("x.deb")));
        assertEquals("recipe.package", e.code());
        assertTrue(e.getMessage().contains("tab?here"), e.getMessage());
    }

    @Test
    void aControlMemberNamedLikeAMaintainerScriptIsRefused() throws Exception {
        Path tree = MessyTree.make(tmp.resolve("tree"), 1);
        TreeMap<String, byte[]> members = new TreeMap<>(Map.of("postinst", "#!/bin/sh\n".getBytes(UTF_8)));
        RecipeException e = assertThrows(RecipeException.class,
                () -> DebWriter.write(tree, MessyTree.control(), MessyTree.EPOCH, members, tmp.resolve("x.deb")));
        assertEquals("recipe.package", e.code());
        assertTrue(e.getMessage().contains("'postinst'"), e.getMessage());
    }

    @Test
    void aControlValueOnTwoLinesIsRefused() {
        RecipeException e = assertThrows(RecipeException.class, () -> MessyTree.control().withField("Homepage", "a\nb"));
        assertEquals("recipe.package", e.code());
    }

    @Test
    void theDescriptionIsFoldedAsDebControlSays() {
        assertEquals("Package: p1\nVersion: 1-0kiln1\nArchitecture: all\nMaintainer: m\nInstalled-Size: 3\n"
                        + "Description: short\n line one\n .\n  verbatim\n",
                DebControl.of("p1", "1-0kiln1", "all", "m", "short\nline one\n\n verbatim\n").render(3));
    }

    @Test
    void relationsAreWrittenInDpkgsOrderAndReplacesIsOneOfThem() {
        assertEquals("Package: p1\nVersion: 1-0kiln1\nArchitecture: all\nMaintainer: m\nInstalled-Size: 3\n"
                        + "Depends: libc6 (>= 2.34), base-files\nProvides: p-impl\nReplaces: p-old (<< 1), p-legacy\nSection: misc\n"
                        + "Description: short\n",
                DebControl.of("p1", "1-0kiln1", "all", "m", "short").withField("Section", "misc")
                        .withReplaces(List.of("p-old (<< 1)", "p-legacy")).withProvides(List.of("p-impl"))
                        .withDepends(List.of("libc6 (>= 2.34)", "base-files")).render(3));
        assertEquals("recipe.package", assertThrows(RecipeException.class,
                () -> DebControl.of("p1", "1-0kiln1", "all", "m", "short").withReplaces(List.of("a, b"))).code());
        assertEquals("recipe.package", assertThrows(RecipeException.class,
                () -> DebControl.of("p1", "1-0kiln1", "all", "m", "short").withField("Replaces", "a")).code());
    }
}
