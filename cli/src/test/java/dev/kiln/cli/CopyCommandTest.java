package dev.kiln.cli;

import dev.kiln.api.LockRequest;
import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.Kiln;
import dev.kiln.api.testing.TinyRepository;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Local sources ({@code paths} with a {@code source}) as a user meets them on the command line:
 * the stale lock, the frozen build and the verify of an image that holds other content than the
 * lock it is checked against. The first tests need no network (a one-package repository already in
 * the store); the last one runs the whole cycle on the host's mirror.
 */
class CopyCommandTest {

    @TempDir
    static Path shared;
    static TinyRepository repo;

    @TempDir
    Path tmp;

    @BeforeAll
    static void setUp() throws Exception {
        CliRun.useCheckoutAsHome();
        repo = TinyRepository.make(shared);
    }

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    private static List<Descriptor> layers(Path layout) {
        LayoutReader reader = LayoutReader.open(layout);
        return reader.manifest(reader.top()).layers();
    }

    private Path site() throws IOException {
        Path www = Files.createDirectories(tmp.resolve("www/css"));
        Files.writeString(tmp.resolve("www/index.html"), "<h1>hello</h1>\n");
        Files.writeString(www.resolve("site.css"), "body { margin: 0 }\n");
        return tmp.resolve("www");
    }

    @Test
    void aFrozenBuildOfAChangedSourceFailsNamingItAndVerifyingAgainstTheOldLockFails() throws IOException {
        site();
        Path spec = repo.spec(tmp, "site", "paths:\n  - {path: /srv/www, type: directory, source: www}\n");
        String store = repo.seed(tmp.resolve("store")).toString();
        String[] first = run("build", "-q", "--store", store, "-o", tmp.resolve("v1").toString(), spec.toString());
        assertEquals("0", first[0], first[2]);
        Path lock = LockRequest.besideSpec(spec);
        Path oldLock = Files.copy(lock, tmp.resolve("v1.lock.json"));

        Files.writeString(tmp.resolve("www/index.html"), "<h1>HELLO</h1>\n");
        String[] frozen = run("build", "-q", "--frozen", "--store", store, "-o", tmp.resolve("frozen").toString(), spec.toString());
        assertEquals(Integer.toString(Main.ERROR), frozen[0], frozen[1] + frozen[2]);
        assertTrue(frozen[2].contains("~ source /srv/www from www: its content changed"), frozen[2]);
        assertTrue(frozen[2].contains("~ index.html: content"), frozen[2]);
        assertTrue(frozen[2].contains("fix: resolve the spec again ('kiln lock " + spec + "')"), frozen[2]);
        assertTrue(frozen[2].endsWith("\n  (kiln: 'kiln lock SPEC' pins it anew, as kiln build does itself without --frozen)\n"),
                frozen[2]);
        assertFalse(Files.exists(tmp.resolve("frozen")));
        assertEquals(Files.readString(oldLock), Files.readString(lock), "a failed build leaves the lock alone");

        String[] second = run("build", "-q", "--store", store, "-o", tmp.resolve("v2").toString(), spec.toString());
        assertEquals("0", second[0], second[2]);
        assertTrue(Files.readString(lock).contains("\"localSources\""));

        // v2 holds other bytes than the old lock pins: found before any rebuild, a failed check
        String fresh = repo.seed(tmp.resolve("fresh")).toString();
        String[] v = run("verify", "--use-store", "--store", fresh, "--spec", spec.toString(), "--lock", oldLock.toString(),
                tmp.resolve("v2").toString());
        assertEquals(Integer.toString(Main.CHECK_FAILED), v[0], v[1] + v[2]);
        assertTrue(v[2].contains("does not hold the local sources its lock pins"), v[2]);

        // and v1 verifies from itself, its sources taken from its own layers
        String[] ok = run("verify", "--use-store", "--store", repo.seed(tmp.resolve("fresh-2")).toString(), tmp.resolve("v1").toString());
        assertEquals("0", ok[0], ok[1] + ok[2]);
    }

    @Test
    void aSourceHoldingAFifoIsRefusedBeforeAnythingIsWritten() throws Exception {
        Path www = site();
        assertEquals(0, new ProcessBuilder("mkfifo", www.resolve("css/pipe").toString()).start().waitFor());
        Path spec = repo.spec(tmp, "fifo", "paths:\n  - {path: /srv/www, type: directory, source: www}\n");
        String[] r = run("build", "--store", repo.seed(tmp.resolve("store")).toString(), "-o", tmp.resolve("oci").toString(),
                spec.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
        assertTrue(r[2].contains(spec + ":7: paths[0].source: www/css/pipe is a fifo"), r[2]);
        assertFalse(Files.exists(tmp.resolve("oci")));
    }

    /**
     * Sources a hostile spec could name to exfiltrate a runner's secrets: each is refused by lock and
     * by build before anything is resolved or fetched, naming the spec's line, and nothing is written
     * (no lock, no image, not a blob in the store), whatever the store holds.
     */
    @Test
    void hostileSourcesAreRefusedBeforeAnythingIsFetchedOrWritten() throws Exception {
        Path ctx = Files.createDirectories(tmp.resolve("repo"));
        Files.writeString(Files.createDirectories(tmp.resolve("runner")).resolve("token"), "s3cret\n");
        Files.createSymbolicLink(ctx.resolve("token.conf"), Path.of("../runner/token"));
        Files.createSymbolicLink(ctx.resolve("etc"), tmp.resolve("runner"));
        Files.createSymbolicLink(ctx.resolve("env"), Path.of("/proc/self/environ"));
        Files.createSymbolicLink(ctx.resolve("zero"), Path.of("/dev/zero"));
        assertEquals(0, new ProcessBuilder("mkfifo", ctx.resolve("pipe").toString()).start().waitFor());
        Map<String, String> hostile = new LinkedHashMap<>();
        hostile.put("/etc/passwd", "'/etc/passwd' is an absolute path");
        hostile.put("../../../../../../../../etc/shadow", "'../../../../../../../../etc/shadow' leads outside the build context");
        hostile.put("token.conf", "'token.conf' leads outside the build context");
        hostile.put("etc/token", "'etc/token' leads outside the build context");
        hostile.put("env", "'env' is /proc/");
        hostile.put("zero", "'zero' is /dev/zero (symlinks followed), and kiln never copies from /dev");
        hostile.put("pipe", "'pipe' is a fifo");
        for (Map.Entry<String, String> h : hostile.entrySet()) {
            Path spec = repo.spec(ctx, "hostile", "paths:\n  - {path: /x, type: file, source: \"" + h.getKey() + "\"}\n");
            Files.delete(LockRequest.besideSpec(spec)); // so that a build would have to resolve, and write a lock
            Path store = tmp.resolve("store-" + Math.abs(h.getKey().hashCode()));
            for (String[] args : List.of(
                    new String[] {"lock", "--store", store.toString(), spec.toString()},
                    new String[] {"build", "--store", store.toString(), "-o", tmp.resolve("oci").toString(), spec.toString()},
                    new String[] {"build", "--store", store.toString(), "--context", "/", "-o", tmp.resolve("oci").toString(), spec.toString()})) {
                String[] r = run(args);
                String what = String.join(" ", args);
                boolean wider = List.of(args).contains("--context");
                if (wider && (h.getKey().equals("token.conf") || h.getKey().equals("etc/token") || h.getKey().startsWith(".."))) {
                    continue; // with the whole disk as its context, what these reach is inside it: the next test's case
                }
                assertEquals(Integer.toString(Main.ERROR), r[0], what + ": " + r[1] + r[2]);
                assertTrue(r[2].startsWith("kiln: " + spec + ":7: paths[0].source: " + h.getValue()), what + ": " + r[2]);
                assertFalse(Files.exists(LockRequest.besideSpec(spec)), what + " wrote a lock");
                assertFalse(Files.exists(tmp.resolve("oci")), what + " wrote an image");
                try (Stream<Path> blobs = Files.list(store.resolve("blobs/sha256"))) {
                    assertEquals(List.of(), blobs.toList(), what + " put something into the store");
                }
            }
        }
    }

    /**
     * A file of /proc bind-mounted inside a directory source (as root, or in a mount namespace, can
     * do): the walk notices the other file system and refuses it. kiln runs in a JVM of its own
     * that sees the mount through bubblewrap.
     */
    @Test
    void aProcFileMountedInsideASourceIsRefused() throws Exception {
        Path www = site();
        Path mountPoint = Files.writeString(www.resolve("version"), "");
        Path spec = repo.spec(tmp, "mounted", "paths:\n  - {path: /srv/www, type: directory, source: www}\n");
        Process probe = new ProcessBuilder("bwrap", "--dev-bind", "/", "/", "--ro-bind", "/proc/version", mountPoint.toString(), "true")
                .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        org.junit.jupiter.api.Assumptions.assumeTrue(probe.waitFor() == 0, "bubblewrap cannot bind-mount here");
        Process p = new ProcessBuilder("bwrap", "--dev-bind", "/", "/", "--ro-bind", "/proc/version", mountPoint.toString(),
                Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Dkiln.home=" + HOME,
                "-cp", System.getProperty("java.class.path"), Main.class.getName(),
                "lock", "--store", tmp.resolve("store").toString(), spec.toString()).redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(Main.ERROR, p.waitFor(), output);
        assertTrue(output.contains(spec + ":7: paths[0].source: www/version is on a proc file system mounted inside the source"),
                output);
    }

    @Test
    void aSourceOutsideTheSpecsDirectoryBuildsWithAContextThatHoldsItAndPinsTheSameLock() throws IOException {
        Path ctx = Files.createDirectories(tmp.resolve("repo/images"));
        Files.writeString(Files.createDirectories(tmp.resolve("repo/shared")).resolve("motd"), "welcome\n");
        Path spec = repo.spec(ctx, "motd", "paths:\n  - {path: /etc/motd, type: file, source: ../shared/motd}\n");
        String store = repo.seed(tmp.resolve("store")).toString();
        String[] refused = run("build", "-q", "--store", store, "-o", tmp.resolve("oci").toString(), spec.toString());
        assertEquals(Integer.toString(Main.ERROR), refused[0], refused[1] + refused[2]);
        assertTrue(refused[2].contains(":7: paths[0].source: '../shared/motd' leads outside the build context"), refused[2]);
        assertTrue(refused[2].contains("give a wider build context that holds both"), refused[2]);
        assertTrue(refused[2].endsWith("\n  (kiln: --context DIR gives a wider build context, one that holds the spec and what it"
                + " copies)\n"), "the CLI names the flag: " + refused[2]);

        String[] built = run("build", "-q", "--store", store, "--context", tmp.resolve("repo").toString(), "-o",
                tmp.resolve("oci").toString(), spec.toString());
        assertEquals("0", built[0], built[1] + built[2]);
        String lock = Files.readString(LockRequest.besideSpec(spec));
        assertTrue(lock.contains("\"../shared/motd\""), "the lock keeps the source as the spec writes it: " + lock);
        assertFalse(lock.contains(tmp.toString()), "and no host path");
        // the image verifies without the context: a rebuild takes the sources from the image
        String[] verify = run("verify", "--use-store", "--store", repo.seed(tmp.resolve("fresh")).toString(), tmp.resolve("oci").toString());
        assertEquals("0", verify[0], verify[1] + verify[2]);
        // verify takes the same option (one set of options for lock, build and verify), and checks it
        String[] withContext = run("verify", "--use-store", "--store", repo.seed(tmp.resolve("fresh-2")).toString(),
                "--context", tmp.resolve("repo").toString(), tmp.resolve("oci").toString());
        assertEquals("0", withContext[0], withContext[1] + withContext[2]);
        String[] noSuchContext = run("verify", "--context", tmp.resolve("nope").toString(), tmp.resolve("oci").toString());
        assertEquals("2", noSuchContext[0], noSuchContext[1] + noSuchContext[2]);
        assertTrue(noSuchContext[2].contains("--context " + tmp.resolve("nope") + ": not a directory"), noSuchContext[2]);
        // a context that does not hold the spec is refused
        String[] elsewhere = run("lock", "--store", store, "--context", tmp.resolve("repo/shared").toString(), spec.toString());
        assertEquals(Integer.toString(Main.ERROR), elsewhere[0]);
        assertTrue(elsewhere[2].contains("does not contain the spec"), elsewhere[2]);
        assertTrue(elsewhere[2].contains("\n  (kiln: --context DIR names the build context: a directory that holds the spec;"),
                elsewhere[2]);
    }

    /**
     * An image with local sources whose blobs were changed in place, one layer at a time: verify
     * fails the check (exit 1) naming that layer and both digests, as it does for an image without
     * sources, whichever layer it is (the packages', the sources', the spec and lock's).
     */
    @Test
    void aChangedLayerOfAnImageWithSourcesFailsTheCheckNamingThatLayer() throws IOException {
        site();
        Path spec = repo.spec(tmp, "site", "paths:\n  - {path: /srv/www, type: directory, source: www}\n");
        Path built = tmp.resolve("built");
        String[] b = run("build", "-q", "--store", repo.seed(tmp.resolve("store")).toString(), "-o", built.toString(), spec.toString());
        assertEquals("0", b[0], b[2]);
        List<Descriptor> layers = layers(built);
        assertEquals(3, layers.size());
        for (int i = 0; i < layers.size(); i++) {
            Path copy = tmp.resolve("tampered-" + i);
            try (Stream<Path> all = Files.walk(built)) {
                for (Path p : all.toList()) {
                    Files.copy(p, copy.resolve(built.relativize(p).toString()));
                }
            }
            Path blob = copy.resolve("blobs/sha256").resolve(layers.get(i).digest().hex());
            byte[] bytes = Files.readAllBytes(blob);
            bytes[bytes.length / 2] ^= 1;
            Files.write(blob, bytes);
            String[] r = run("verify", "--use-store", "--store", repo.seed(tmp.resolve("fresh-" + i)).toString(), copy.toString());
            assertEquals(Integer.toString(Main.CHECK_FAILED), r[0], r[1] + r[2]);
            assertTrue(r[2].contains("does not hold the bytes its digests name (1 blob differs):\n  layer layers[" + i + "] ("
                    + layers.get(i).digest() + "): its bytes hash to sha256:"), r[2]);
        }
    }

    /** The whole cycle on the host's mirror: lock, a stale check naming the file, build, verify in a fresh store. */
    @Test
    void onTheHostsMirrorTheLockGoesStaleWhenAFileChangesAndTheImageVerifies() throws Exception {
        site();
        Files.writeString(tmp.resolve("www/run.sh"), "#!/bin/sh\n");
        Path spec = tmp.resolve("static.yaml");
        String tmpEntry = "  - {path: /tmp, type: directory, permissions: 0o1777}\n";
        String example = Files.readString(HOME.resolve("examples/static.yaml")).replaceAll("(?m)^archs: .*$", "archs: [amd64]");
        assertTrue(example.contains(tmpEntry), "the example's paths section");
        Files.writeString(spec, example.replace(tmpEntry,
                tmpEntry + "  - {path: /srv/www, type: directory, source: ./www, uid: 65532, gid: 65532}\n"));
        String store = tmp.resolve("store").toString();
        String[] lock = run("lock", "--store", store, spec.toString());
        assertEquals("0", lock[0], lock[2]);
        assertTrue(lock[1].contains("1 local source"), lock[1]);
        String[] check = run("lock", "--check", "--store", store, spec.toString());
        assertEquals("0", check[0], check[1] + check[2]);

        Files.setPosixFilePermissions(tmp.resolve("www/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        String[] stale = run("lock", "--check", "--store", store, spec.toString());
        assertEquals(Integer.toString(Main.CHECK_FAILED), stale[0], stale[1] + stale[2]);
        assertTrue(stale[1].contains("~ source /srv/www from ./www: its content changed"), stale[1]);
        assertTrue(stale[1].contains("~ run.sh: mode 0644 -> 0755"), stale[1]);

        Path out = tmp.resolve("static-oci");
        String[] build = run("build", "-q", "--store", store, "-o", out.toString(), spec.toString());
        assertEquals("0", build[0], build[2]);
        String[] verify = run("verify", out.toString());
        assertEquals("0", verify[0], verify[1] + verify[2]);
        // the packages' layer is the one of the spec without the source, the source's follows it
        Path plainSpec = Files.writeString(tmp.resolve("plain.yaml"), example);
        String[] plain = run("build", "-q", "--store", store, "-o", tmp.resolve("plain-oci").toString(), plainSpec.toString());
        assertEquals("0", plain[0], plain[2]);
        List<Descriptor> layers = layers(out);
        assertEquals(3, layers.size(), layers.toString());
        assertEquals(layers(tmp.resolve("plain-oci")).get(0), layers.get(0));
        Process umoci = new ProcessBuilder("umoci", "unpack", "--rootless", "--image", out + ":latest", tmp.resolve("bundle").toString())
                .redirectErrorStream(true).start();
        String log = new String(umoci.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, umoci.waitFor(), log);
        Path www = tmp.resolve("bundle/rootfs/srv/www");
        assertEquals("<h1>hello</h1>\n", Files.readString(www.resolve("index.html")));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(www.resolve("run.sh"))));
        assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(www.resolve("css/site.css"))));
    }
}
