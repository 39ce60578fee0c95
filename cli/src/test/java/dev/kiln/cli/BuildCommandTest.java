package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.assembler.cache.LayerCache;
import dev.kiln.assembler.cache.UnpackCache;
import dev.kiln.oci.testing.TestRegistry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln build} end to end on the host's mirror, read back by skopeo and umoci. */
class BuildCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    private static String exec(Path dir, String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    /** examples/static.yaml for amd64 only. */
    private static Path staticSpec() throws IOException {
        Path spec = tmp.resolve("static.yaml");
        if (!Files.exists(spec)) {
            String text = Files.readString(HOME.resolve("examples/static.yaml")).replaceAll("(?m)^archs: .*$", "archs: [amd64]");
            Files.writeString(spec, text);
        }
        return spec;
    }

    @Test
    void theStaticExampleBuildsToALayoutThatSkopeoAndUmociRead() throws Exception {
        Path out = tmp.resolve("static-oci");
        String[] r = run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", out.toString(), staticSpec().toString());
        assertEquals("0", r[0], r[2]);
        String raw = exec(tmp, "skopeo", "inspect", "--raw", "oci:" + out + ":latest");
        assertTrue(raw.contains("application/vnd.oci.image.manifest.v1+json"), raw);
        exec(tmp, "umoci", "unpack", "--rootless", "--image", out + ":latest", tmp.resolve("bundle").toString());
        Path rootfs = tmp.resolve("bundle/rootfs");
        assertTrue(Files.size(rootfs.resolve("etc/ssl/certs/ca-certificates.crt")) > 100_000, "the CA bundle is built");
        assertTrue(Files.readString(rootfs.resolve("etc/passwd")).startsWith("root:x:0:0:"));
        assertTrue(Files.isSymbolicLink(rootfs.resolve("bin")), "merged /usr");
        assertTrue(Files.exists(rootfs.resolve("var/lib/dpkg/status.d/tzdata")));
        assertTrue(Files.exists(rootfs.resolve("usr/share/zoneinfo/UTC")));
    }

    @Test
    void buildingTwiceFromAColdAndAWarmStoreGivesTheSameDigest() throws Exception {
        Path spec = staticSpec();
        String[] a = run("build", "-q", "--store", tmp.resolve("store-a").toString(), "-o", tmp.resolve("a").toString(), spec.toString());
        String[] b = run("build", "-q", "--store", tmp.resolve("store-a").toString(), "-o", tmp.resolve("b").toString(), spec.toString());
        String[] c = run("build", "-q", "--frozen", "--store", tmp.resolve("store-c").toString(), "-o", tmp.resolve("c").toString(), spec.toString());
        assertEquals("0", a[0], a[2]);
        assertEquals("0", b[0], b[2]);
        assertEquals("0", c[0], c[2]);
        String digest = a[1].substring(a[1].indexOf("sha256:"));
        assertEquals(digest, b[1].substring(b[1].indexOf("sha256:")));
        assertEquals(digest, c[1].substring(c[1].indexOf("sha256:")));
        for (String f : List.of("index.json", "oci-layout")) {
            assertEquals(Files.readString(tmp.resolve("a").resolve(f)), Files.readString(tmp.resolve("c").resolve(f)), f);
        }
    }

    @Test
    void frozenWithoutALockIsAnError() throws IOException {
        Path spec = tmp.resolve("nolock.yaml");
        Files.copy(staticSpec(), spec);
        String[] r = run("build", "--frozen", "--store", tmp.resolve("store").toString(), "-o", tmp.resolve("x").toString(), spec.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0]);
        assertTrue(r[2].contains("no lock"), r[2]);
    }

    @Test
    void anOutputThatCannotBeWrittenFailsBeforeAnythingIsResolvedOrFetched() throws IOException {
        Path spec = tmp.resolve("unwritable.yaml");
        Files.copy(staticSpec(), spec);
        Path store = tmp.resolve("unwritable-store");
        Path file = Files.writeString(tmp.resolve("a-file"), "not a layout");
        Path lock = tmp.resolve("unwritable.lock.json");
        String[][] cases = {
            {"-o", file.toString(), "refusing to write an image layout at " + file + ": expected a directory or nothing there, found a file"},
            {"--tarball", tmp.toString(), "cannot write the docker archive " + tmp + ": it is a directory"},
            {"--tarball", file.resolve("x.tar").toString(), "cannot write the docker archive " + file.resolve("x.tar") + ": " + file + " is not a directory"},
        };
        for (String[] c : cases) {
            String[] r = run("build", "--store", store.toString(), c[0], c[1], spec.toString());
            assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
            assertTrue(r[2].contains(c[2]) && r[2].contains("fix:"), r[2]);
            assertFalse(Files.exists(lock), "nothing was resolved: " + c[0]);
            try (var blobs = Files.list(store.resolve("blobs/sha256"))) {
                assertEquals(0, blobs.count(), "nothing was fetched: " + c[0]);
            }
        }
        // an architecture the spec does not build: refused before the build too (it was after it)
        String[] r = run("build", "--store", store.toString(), "--tarball", tmp.resolve("s390x.tar").toString(), "--arch", "s390x",
                spec.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1] + r[2]);
        assertTrue(r[2].contains("the spec builds linux/amd64 but not the architecture s390x") && r[2].contains("fix: choose one of them for the archive"),
                r[2]);
        assertFalse(Files.exists(lock), "nothing was resolved: --arch");
    }

    /** The manifest of a single-arch layout, as JSON. */
    private static JsonNode manifest(Path layout) throws IOException {
        JsonNode index = JSON.readTree(layout.resolve("index.json").toFile());
        String digest = index.get("manifests").get(0).get("digest").asText();
        return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring(7)).toFile());
    }

    private static List<String> layerDigests(Path layout) throws IOException {
        List<String> out = new ArrayList<>();
        manifest(layout).get("layers").forEach(l -> out.add(l.get("digest").asText()));
        return out;
    }

    @Test
    void theSpecAndTheLockTravelInTheImageInTheirOwnLastLayer() throws Exception {
        Path spec = staticSpec();
        Path out = tmp.resolve("meta-oci");
        String[] r = run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", out.toString(), spec.toString());
        assertEquals("0", r[0], r[2]);
        List<String> layers = layerDigests(out);
        assertEquals(2, layers.size(), "the packages, then the spec and lock: " + layers);
        Path last = out.resolve("blobs/sha256/" + layers.get(1).substring(7));
        String listing = exec(tmp, "tar", "-tzvf", last.toString());
        assertTrue(listing.contains("etc/kiln/image.yaml") && listing.contains("etc/kiln/image.lock.json"), listing);
        Path x = Files.createDirectories(tmp.resolve("meta-x"));
        exec(x, "tar", "-xzf", last.toString());
        assertEquals(Files.readString(spec), Files.readString(x.resolve("etc/kiln/image.yaml")));
        assertEquals(Files.readString(tmp.resolve("static.lock.json")), Files.readString(x.resolve("etc/kiln/image.lock.json")));

        // the SBOM and the provenance are written beside the layout
        JsonNode sbom = JSON.readTree(tmp.resolve("meta-oci.amd64.spdx.json").toFile());
        assertEquals("SPDX-2.3", sbom.get("spdxVersion").asText());
        assertTrue(sbom.toString().contains("pkg:deb/debian/tzdata@"), "every package with its purl");
        JsonNode provenance = JSON.readTree(tmp.resolve("meta-oci.provenance.json").toFile());
        String top = JSON.readTree(out.resolve("index.json").toFile()).get("manifests").get(0).get("digest").asText();
        assertEquals(top.substring(7), provenance.get("subject").get(0).get("digest").get("sha256").asText());
    }

    @Test
    void changingOnlyTheEntrypointReusesThePackageLayerFromTheStore() throws Exception {
        Path store = tmp.resolve("store-entry");
        Path one = tmp.resolve("entry.yaml");
        Files.writeString(one, Files.readString(staticSpec()));
        String[] a = run("build", "-q", "--store", store.toString(), "-o", tmp.resolve("entry-a").toString(), one.toString());
        assertEquals("0", a[0], a[2]);
        long layersBefore = memoRecords(store, LayerCache.STEP.id());
        long unpackedBefore = memoRecords(store, UnpackCache.STEP.id());
        assertTrue(unpackedBefore > 0, "unpacked packages are memo entries");

        Files.writeString(one, Files.readString(one) + "entrypoint: {command: /bin/true}\n");
        String[] b = run("build", "-q", "--store", store.toString(), "-o", tmp.resolve("entry-b").toString(), one.toString());
        assertEquals("0", b[0], b[2]);
        List<String> before = layerDigests(tmp.resolve("entry-a"));
        List<String> after = layerDigests(tmp.resolve("entry-b"));
        assertEquals(before.get(0), after.get(0), "the package layer is the same");
        assertTrue(!before.get(1).equals(after.get(1)), "the spec layer holds the new spec");
        assertEquals(layersBefore + 1, memoRecords(store, LayerCache.STEP.id()), "only the spec layer was written anew");
        assertEquals(unpackedBefore, memoRecords(store, UnpackCache.STEP.id()), "no package was unpacked again");
    }

    private static long memoRecords(Path store, String step) throws IOException {
        Path dir = store.resolve("memo").resolve(step);
        if (!Files.isDirectory(dir)) {
            return 0;
        }
        try (var s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void originLayeringGivesTheLargestPackagesTheirOwnLayersAndUmociUnpacksTheSameTree() throws Exception {
        Path spec = tmp.resolve("origin.yaml");
        Files.writeString(spec, Files.readString(staticSpec()) + "layering: {strategy: origin, budget: 3}\n");
        Path flat = tmp.resolve("origin-flat");
        Path layered = tmp.resolve("origin-oci");
        String[] a = run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", layered.toString(), spec.toString());
        assertEquals("0", a[0], a[2]);
        String[] b = run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", flat.toString(), staticSpec().toString());
        assertEquals("0", b[0], b[2]);
        JsonNode m = manifest(layered);
        assertEquals(4, m.get("layers").size(), "two package layers, the rest, the spec: " + m);
        JsonNode config = JSON.readTree(layered.resolve("blobs/sha256/" + m.get("config").get("digest").asText().substring(7)).toFile());
        List<String> comments = new ArrayList<>();
        config.get("history").forEach(h -> comments.add(h.path("comment").asText()));
        assertEquals("tzdata", comments.get(0), "the largest package first: " + comments);
        assertEquals(List.of("other packages and generated files", "spec and lock"), comments.subList(2, 4));

        exec(tmp, "umoci", "unpack", "--rootless", "--image", layered + ":latest", tmp.resolve("origin-bundle").toString());
        exec(tmp, "umoci", "unpack", "--rootless", "--image", flat + ":latest", tmp.resolve("flat-bundle").toString());
        String left = exec(tmp.resolve("origin-bundle/rootfs"), "sh", "-c", "find . ! -path './etc/kiln/*' | LC_ALL=C sort | xargs -d '\\n' stat -c '%n %f %u %g %s %Y %N' ");
        String right = exec(tmp.resolve("flat-bundle/rootfs"), "sh", "-c", "find . ! -path './etc/kiln/*' | LC_ALL=C sort | xargs -d '\\n' stat -c '%n %f %u %g %s %Y %N' ");
        assertEquals(right, left, "the layered image unpacks to the same files as the single-layer one");
    }

    @Test
    void pushAndTarballNeedNoLayoutDirectoryAndPrintThePushedDigest() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        try (TestRegistry registry = TestRegistry.start(Files.createTempDirectory(tmp, "registry"))) {
            String ref = registry.host() + "/kiln/static:1";
            Path tar = tmp.resolve("static.tar");
            String[] r = run("build", "-q", "--store", tmp.resolve("store").toString(), "--push", ref, "--tarball", tar.toString(),
                    staticSpec().toString());
            assertEquals("0", r[0], r[2]);
            Matcher pushed = Pattern.compile("pushed " + Pattern.quote(ref) + "@(sha256:[0-9a-f]{64})").matcher(r[1]);
            assertTrue(pushed.find(), r[1]);
            assertTrue(!r[1].contains("built "), "no layout directory was asked for: " + r[1]);
            String inspect = exec(tmp, "skopeo", "inspect", "--tls-verify=false", "docker://" + ref);
            assertTrue(inspect.contains("\"Digest\": \"" + pushed.group(1) + "\""), inspect);
            String archive = exec(tmp, "skopeo", "inspect", "docker-archive:" + tar);
            assertTrue(archive.contains("\"Architecture\": \"amd64\""), archive);
            assertTrue(r[1].contains("wrote " + tar + " (docker archive of linux/amd64, " + ref + ")"), r[1]);
        }
    }

    @Test
    void withoutAnyOutputTheBuildIsAUsageError() throws IOException {
        String[] r = run("build", "--store", tmp.resolve("store").toString(), staticSpec().toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("-o DIR, --push REF or --tarball FILE"), r[2]);
        String[] bad = run("build", "--store", tmp.resolve("store").toString(), "--push", "static:1", staticSpec().toString());
        assertEquals("2", bad[0]);
        assertTrue(bad[2].contains("names no registry"), bad[2]);
        String[] stray = run("build", "--store", tmp.resolve("store").toString(), "-o", tmp.resolve("y").toString(), "--arch", "arm64",
                staticSpec().toString());
        assertEquals("2", stray[0]);
        assertTrue(stray[2].contains("--tag and --arch go with --tarball"), stray[2]);
    }
}
