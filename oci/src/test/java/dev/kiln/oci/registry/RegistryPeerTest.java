package dev.kiln.oci.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** kiln's client against a real docker-registry, with skopeo as the second opinion. */
class RegistryPeerTest {
    @TempDir
    static Path shared;

    static TestRegistry registry;

    @TempDir
    Path tmp;

    @BeforeAll
    static void start() throws IOException {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        registry = TestRegistry.start(shared);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    static RegistryClient client() {
        // a chunk threshold below the noise layer's size, so real uploads go both ways
        return RegistryClient.builder().credentials(RegistryCredentials.none()).chunking(4096, 3000).build();
    }

    static String skopeo(String... args) throws IOException, InterruptedException {
        assumeTrue(onPath("skopeo"), "skopeo is not installed");
        String[] cmd = new String[args.length + 1];
        cmd[0] = "skopeo";
        System.arraycopy(args, 0, cmd, 1, args.length);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + err + "\nregistry log:\n" + registry.log());
        return new String(out, UTF_8);
    }

    static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    static byte[] topBytes(Path layout) {
        LayoutReader r = LayoutReader.open(layout);
        return r.bytes(r.top());
    }

    static String indexDigest(Path layout) throws IOException {
        return new ObjectMapper().readTree(Files.readAllBytes(layout.resolve("index.json"))).get("manifests").get(0).get("digest").asText();
    }

    @Test
    void aSingleArchImageArrivesByteForByteAndSkopeoCopiesItWithTheSameDigest() throws Exception {
        Path layout = tmp.resolve("single");
        TestImages.single(layout, 20_000);
        String ref = registry.host() + "/kiln/single:1";
        Pushed pushed;
        try (RegistryClient c = client()) {
            pushed = c.push(layout, ImageReference.parse(ref));
        }
        assertEquals(new String(topBytes(layout), UTF_8), skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + ref));
        JsonNode inspect = new ObjectMapper().readTree(skopeo("inspect", "--tls-verify=false", "docker://" + ref));
        assertEquals(pushed.top().digest().toString(), inspect.get("Digest").asText());
        assertEquals("amd64", inspect.get("Architecture").asText());
        Path copied = tmp.resolve("copied");
        skopeo("copy", "--quiet", "--preserve-digests", "--src-tls-verify=false", "docker://" + ref, "oci:" + copied + ":x");
        assertEquals(pushed.top().digest().toString(), indexDigest(copied));
        assertEquals(registry.host() + "/kiln/single@" + pushed.top().digest(), pushed.pinned());
    }

    @Test
    void aTwoArchIndexArrivesWhole() throws Exception {
        Path layout = tmp.resolve("two");
        TestImages.twoArch(layout, 20_000);
        String ref = registry.host() + "/kiln/two:1";
        Pushed pushed;
        try (RegistryClient c = client()) {
            pushed = c.push(layout, ImageReference.parse(ref));
        }
        assertEquals(MediaTypes.INDEX, pushed.top().mediaType());
        assertEquals(new String(topBytes(layout), UTF_8), skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + ref));
        Path copied = tmp.resolve("copied");
        skopeo("copy", "--quiet", "--all", "--preserve-digests", "--src-tls-verify=false", "docker://" + ref, "oci:" + copied + ":x");
        assertEquals(pushed.top().digest().toString(), indexDigest(copied));
        JsonNode arm = new ObjectMapper().readTree(skopeo("inspect", "--override-arch", "arm64", "--override-os", "linux",
                "--tls-verify=false", "docker://" + ref));
        assertEquals("arm64", arm.get("Architecture").asText());
    }

    @Test
    void whatWasPushedIsPulledBackIdenticalByTagAndByDigest() throws Exception {
        Path layout = tmp.resolve("two");
        TestImages.twoArch(layout, 20_000);
        ImageReference ref = ImageReference.parse(registry.host() + "/kiln/roundtrip:1");
        try (RegistryClient c = client()) {
            Pushed pushed = c.push(layout, ref);
            Path byTag = tmp.resolve("by-tag");
            Path byDigest = tmp.resolve("by-digest");
            assertEquals(pushed.top().digest(), c.pull(ref, byTag).digest());
            assertEquals(pushed.top().digest(), c.pull(ImageReference.parse(pushed.pinned()), byDigest).digest());
            RegistryClientTest.assertSameBlobs(layout, byTag);
            RegistryClientTest.assertSameBlobs(layout, byDigest);
            // skopeo reads what the pull wrote
            JsonNode inspect = new ObjectMapper().readTree(skopeo("inspect", "--override-arch", "amd64", "oci:" + byTag + ":1"));
            assertEquals("amd64", inspect.get("Architecture").asText());
        }
    }

    @Test
    void referrersFallBackToTheTagSchemaOnARegistryWithoutTheApi() throws Exception {
        Path layout = tmp.resolve("single");
        TestImages.single(layout, 100);
        ImageReference repo = ImageReference.parse(registry.host() + "/kiln/signed");
        try (RegistryClient c = client()) {
            Pushed image = c.push(layout, repo.withTag("1"));
            Descriptor subject = image.top();
            assertEquals(List.of(), c.referrers(repo, subject.digest(), Optional.empty()));
            Digest sig = c.attach(repo, MediaTypes.MANIFEST, RegistryClientTest.artifact(c, repo, subject, "application/vnd.example.sig"));
            List<Referrer> found = c.referrers(repo, subject.digest(), Optional.empty());
            assertEquals(List.of(sig), found.stream().map(Referrer::digest).toList());
            assertEquals(Optional.of("application/vnd.example.sig"), found.get(0).artifactType());
            String tag = registry.host() + "/kiln/signed:" + RegistryClient.fallbackTag(subject.digest());
            assertTrue(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + tag).contains(sig.toString()));
        }
    }

    @Test
    void aRegistryWithALoginGetsItFromTheAuthFileAndRefusesUsWithout() throws Exception {
        Path layout = tmp.resolve("single");
        TestImages.single(layout, 100);
        try (TestRegistry guarded = TestRegistry.start(tmp.resolve("guarded"), "kiln", "s3cret-pw")) {
            ImageReference ref = ImageReference.parse(guarded.host() + "/kiln/private:1");
            try (RegistryClient anonymous = client()) {
                RegistryException e = assertThrows(RegistryException.class, () -> anonymous.push(layout, ref));
                assertTrue(e.getMessage().contains(guarded.host() + " wants a login to push to kiln/private"), e.getMessage());
            }
            Path authFile = RegistryClientTest.authFile(tmp.resolve("auth.json"), guarded.host(), "kiln:s3cret-pw");
            RegistryCredentials logins = RegistryCredentials.fromEnvironment(Map.of("REGISTRY_AUTH_FILE", authFile.toString(),
                    "HOME", tmp.toString()));
            Pushed pushed;
            try (RegistryClient c = RegistryClient.builder().credentials(logins).build()) {
                pushed = c.push(layout, ref);
            }
            JsonNode inspect = new ObjectMapper().readTree(skopeo("inspect", "--tls-verify=false", "--authfile", authFile.toString(),
                    "docker://" + ref));
            assertEquals(pushed.top().digest().toString(), inspect.get("Digest").asText());
        }
    }
}
