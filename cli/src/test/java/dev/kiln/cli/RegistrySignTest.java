package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryCredentials;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln sign} and {@code kiln verify --key} on images in a real docker-registry (no referrers
 * API there, so referrers are listed under the {@code sha256-<hex>} tag), with skopeo reading what
 * was attached. The image is examples/static.yaml built from the host's mirror, so that verify can
 * rebuild it; each test pushes it to a repository of its own.
 */
class RegistrySignTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SLSA = "https://slsa.dev/provenance/v1";
    private static final String SPDX = "https://spdx.dev/Document";

    @TempDir
    static Path tmp;
    static Path registryDir;
    static TestRegistry registry;
    static Path layout;
    static String digest;

    @BeforeAll
    static void buildAndStart() throws IOException {
        CliRun.useCheckoutAsHome();
        assumeTrue(TestRegistry.available(), "docker-registry is installed by .ci/run");
        assumeTrue(onPath("skopeo"), "skopeo is installed by .ci/run");
        Path spec = tmp.resolve("static.yaml");
        Files.writeString(spec, Files.readString(HOME.resolve("examples/static.yaml")).replaceAll("(?m)^archs: .*$", "archs: [amd64]"));
        layout = tmp.resolve("static-oci");
        String[] b = run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", layout.toString(), spec.toString());
        assertEquals("0", b[0], b[2]);
        digest = JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0).get("digest").asText();
        for (String name : List.of("me", "other")) {
            String[] k = run("keys", "generate", name, "--dir", tmp.resolve("keys").toString());
            assertEquals("0", k[0], k[2]);
        }
        registryDir = Files.createDirectories(tmp.resolve("registry"));
        registry = TestRegistry.start(registryDir);
    }

    @AfterAll
    static void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    private static String[] run(String... args) {
        return CliRun.run(args);
    }

    private static String key(String file) {
        return tmp.resolve("keys").resolve(file).toString();
    }

    private static String doc(String suffix) {
        return tmp.resolve("static-oci" + suffix).toString();
    }

    /** The built image pushed to {@code repo:v1}; returns {@code HOST/repo}. */
    private static String pushed(String repo) {
        String name = registry.host() + "/" + repo;
        try (RegistryClient client = RegistryClient.builder().credentials(RegistryCredentials.none()).build()) {
            assertEquals(digest, client.push(layout, ImageReference.parse(name + ":v1")).top().digest().toString());
        }
        return name;
    }

    private static String skopeo(String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("skopeo"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "skopeo did not finish");
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + err + "\nregistry log:\n" + registry.log());
        return out;
    }

    private static JsonNode raw(String reference) throws IOException, InterruptedException {
        return JSON.readTree(skopeo("inspect", "--raw", "--tls-verify=false", "docker://" + reference));
    }

    private static boolean onPath(String tool) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(":"))
                .anyMatch(d -> !d.isEmpty() && Files.isExecutable(Path.of(d, tool)));
    }

    /** Every file the registry keeps, by path: what "changes nothing in the registry" is measured on. */
    private static Map<String, Digest> registryFiles() throws IOException {
        Map<String, Digest> files = new TreeMap<>();
        Path storage = registryDir.resolve("storage");
        try (Stream<Path> walk = Files.walk(storage)) {
            for (Path p : walk.filter(Files::isRegularFile).toList()) {
                files.put(storage.relativize(p).toString(), Digest.of(Files.readAllBytes(p)));
            }
        }
        return files;
    }

    @Test
    void aPushedImageIsSignedWithItsProvenanceAndSbomThatSkopeoSeesAndVerifiesWithAnEmptyStore() throws Exception {
        String name = pushed("kiln/signed");
        String[] s = run("sign", name + ":v1", "--key", key("me.key"),
                "--attest", doc(".provenance.json"), "--sbom", doc(".amd64.spdx.json"));
        assertEquals("0", s[0], s[2]);
        assertTrue(s[1].startsWith("signed " + digest + " as " + name + " with key sha256:"), s[1]);

        JsonNode referrers = raw(name + ":sha256-" + digest.substring("sha256:".length()));
        assertEquals("application/vnd.oci.image.index.v1+json", referrers.get("mediaType").asText());
        List<String> types = new ArrayList<>();
        Set<String> predicates = new TreeSet<>();
        for (JsonNode m : referrers.get("manifests")) {
            types.add(m.get("artifactType").asText());
            JsonNode artifact = raw(name + "@" + m.get("digest").asText());
            assertEquals(digest, artifact.get("subject").get("digest").asText(), "attached to the image itself");
            JsonNode layer = artifact.get("layers").get(0);
            if (layer.has("annotations") && layer.get("annotations").has("predicateType")) {
                predicates.add(layer.get("annotations").get("predicateType").asText());
            }
        }
        assertEquals(List.of("application/vnd.dev.cosign.artifact.sig.v1+json", "application/vnd.in-toto+json",
                "application/vnd.in-toto+json"), types);
        assertEquals(Set.of(SLSA, SPDX), predicates);

        String[] v = run("verify", name + ":v1", "--key", key("me.pub"));
        assertEquals("0", v[0], v[1] + v[2]);
        assertTrue(v[1].contains("in a fresh store"), v[1]);
        assertTrue(v[1].contains("signature: good, by key sha256:") && v[1].contains("(identity " + name + ")"), v[1]);
        assertTrue(v[1].contains("attestation: good, " + SLSA + " about " + digest + ", by key sha256:"), v[1]);
        assertTrue(v[1].contains("attestation: good, " + SPDX + " about " + digest + ", by key sha256:"), v[1]);
        assertTrue(v[1].contains("verified " + name + ":v1 " + digest), v[1]);
    }

    @Test
    void attestationsByAnotherKeyAreNotedNotCounted() {
        String name = pushed("kiln/attested-by-other");
        String[] mine = run("sign", name + ":v1", "--key", key("me.key"));
        assertEquals("0", mine[0], mine[2]);
        String[] theirs = run("sign", name + ":v1", "--key", key("other.key"), "--attest", doc(".provenance.json"));
        assertEquals("0", theirs[0], theirs[2]);
        String[] v = run("verify", name + ":v1", "--key", key("me.pub"));
        assertEquals("0", v[0], v[1] + v[2]);
        assertTrue(v[1].contains("signature: good"), v[1]);
        assertFalse(v[1].contains("attestation: good"), v[1]);
        assertTrue(v[2].contains("kiln: note, attestations: no valid attestation for " + digest + " in " + name), v[2]);
        assertTrue(v[2].contains("not by the key given"), v[2]);
    }

    @Test
    void verifyingWithAnotherKeyFailsNamingTheKeyThatSigned() {
        String name = pushed("kiln/other-key");
        String[] s = run("sign", name + ":v1", "--key", key("me.key"));
        assertEquals("0", s[0], s[2]);
        String signer = s[1].substring(s[1].indexOf("with key ") + "with key ".length()).lines().findFirst().orElseThrow();
        String[] v = run("verify", name + "@" + digest, "--key", key("other.pub"));
        assertNotEquals("0", v[0], v[1] + v[2]);
        assertTrue(v[2].contains("no valid signature for " + digest + " in " + name), v[2]);
        assertTrue(v[2].contains("made by key " + signer + " (as its annotation says), not by the key given"), v[2]);
        assertTrue(v[2].contains("fix: verify with the public key that made the signature"), v[2]);
    }

    @Test
    void anUnsignedImageFailsVerificationSayingHowToSignIt() {
        String name = pushed("kiln/unsigned");
        String[] v = run("verify", name + ":v1", "--key", key("me.pub"));
        assertNotEquals("0", v[0], v[1] + v[2]);
        assertTrue(v[2].contains("no signature for " + digest + " in " + name), v[2]);
        assertTrue(v[2].contains("fix: sign it with a trusted key ('kiln sign " + name + "@" + digest + "')"), v[2]);
    }

    @Test
    void signingTwiceChangesNothingInTheRegistry() throws IOException {
        String name = pushed("kiln/twice");
        String[] args = {"sign", name + ":v1", "--key", key("me.key"), "--attest", doc(".provenance.json"),
            "--sbom", doc(".amd64.spdx.json")};
        String[] first = run(args);
        assertEquals("0", first[0], first[2]);
        Map<String, Digest> before = registryFiles();
        String[] second = run(args);
        assertEquals("0", second[0], second[2]);
        assertEquals(first[1], second[1]);
        assertEquals(before, registryFiles());
    }

    @Test
    void anSbomOfAnotherImageIsRefusedAndNothingIsAttached() {
        String name = registry.host() + "/kiln/hand-made";
        TestImages.single(tmp.resolve("hand-made"), 100);
        ImageReference ref = ImageReference.parse(name + ":v1");
        try (RegistryClient client = RegistryClient.builder().credentials(RegistryCredentials.none()).build()) {
            Digest image = client.push(tmp.resolve("hand-made"), ref).top().digest();
            String[] s = run("sign", name + ":v1", "--key", key("me.key"), "--sbom", doc(".amd64.spdx.json"));
            assertEquals(Integer.toString(Main.ERROR), s[0], s[1] + s[2]);
            assertTrue(s[2].contains("describes another image (" + digest + "), not " + image + " in " + name), s[2]);
            assertEquals(List.of(), client.referrers(ref, image, Optional.empty()), "not even the signature was attached");
        }
    }
}
