package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.oci.testing.SilentServer;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.store.ContentStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --json} on lock, fetch, build, verify and sign, run in-process against a signed fixture
 * repository served on 127.0.0.1 (and the committed golden packages for a two-architecture image):
 * every line on stdout is one JSON object, the last carries the result (or the error, with its code)
 * and nothing else is printed, on stdout or stderr.
 */
class JsonOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path GOLDEN = Path.of("src/test/resources/golden");

    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    static Path spec;
    /** hello 2.0-1 and base-fixture built once into a layout, copied by each test that changes it. */
    static Path pristine;

    @BeforeAll
    static void buildTheImage() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = HelloRepository.publish();
        spec = HelloRepository.spec(repo, tmp);
        pristine = tmp.resolve("pristine");
        String[] r = CliRun.run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", pristine.toString(), spec.toString());
        assertEquals("0", r[0], r[1] + r[2]);
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    /** What {@code kiln ARGS} printed: its exit code, each stdout line parsed, and stderr. */
    private record Run(int code, List<JsonNode> lines, String err) {
        JsonNode last() {
            return lines.get(lines.size() - 1);
        }

        JsonNode result() {
            assertTrue(last().has("result"), "the last line is the result: " + last());
            return last().get("result");
        }

        JsonNode error() {
            assertTrue(last().has("error"), "the last line is the error: " + last());
            return last().get("error");
        }

        List<String> events() {
            return lines.subList(0, lines.size() - 1).stream().map(l -> l.get("event").asText()).toList();
        }

        List<JsonNode> events(String name) {
            return lines.stream().filter(l -> name.equals(l.path("event").asText(null))).toList();
        }
    }

    /** Runs kiln and parses every line of its stdout, each of which must be one JSON object; stderr must be empty. */
    private static Run kiln(String... args) throws IOException {
        String[] r = CliRun.run(args);
        String said = String.join(" ", args) + "\nstdout:\n" + r[1] + "stderr:\n" + r[2];
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r[1].lines().toList()) {
            JsonNode node = JSON.readTree(line);
            assertTrue(node != null && node.isObject(), "not one JSON object: " + line + "\n" + said);
            assertEquals(line, JSON.writeValueAsString(node), "one object, nothing after it: " + said);
            lines.add(node);
        }
        assertFalse(lines.isEmpty(), said);
        for (JsonNode event : lines.subList(0, lines.size() - 1)) {
            assertTrue(event.has("event"), "every line before the last is an event: " + event + "\n" + said);
        }
        assertEquals("", r[2], "nothing on stderr: " + said);
        return new Run(Integer.parseInt(r[0]), lines, r[2]);
    }

    /** The digest {@code index.json} names first: the image, as skopeo and verify read it. */
    private static String topDigest(Path layout) throws IOException {
        return JSON.readTree(layout.resolve("index.json").toFile()).get("manifests").get(0).get("digest").asText();
    }

    private static JsonNode blob(Path layout, String digest) throws IOException {
        return JSON.readTree(layout.resolve("blobs/sha256/" + digest.substring("sha256:".length())).toFile());
    }

    private static Path copy(String name) throws IOException {
        Path to = tmp.resolve(name);
        try (Stream<Path> all = Files.walk(pristine)) {
            for (Path p : all.toList()) {
                Files.copy(p, to.resolve(pristine.relativize(p).toString()));
            }
        }
        return to;
    }

    // ---- lock

    @Test
    void lockEndsWithTheLockItWroteWithEachArchitecturesPackages() throws IOException {
        Path lock = tmp.resolve("json-lock.lock.json");
        Run r = kiln("lock", "--json", "--store", tmp.resolve("lock-store").toString(), "-o", lock.toString(), spec.toString());
        assertEquals(0, r.code());
        assertTrue(r.events().contains("phase"), "phases are events: " + r.events());
        assertTrue(r.events("phase").stream().anyMatch(p -> p.get("phase").asText().equals("releases verified")
                && p.get("elapsedMs").isIntegralNumber()), r.lines().toString());
        JsonNode result = r.result();
        assertEquals(lock.toString(), result.get("lockFile").asText());
        assertTrue(result.get("specDigest").asText().startsWith("sha256:"), result.toString());
        JsonNode amd64 = result.get("archs").get("amd64");
        assertEquals(2, amd64.get("count").asInt());
        assertEquals(repo.published("hello", "2.0-1").size() + repo.published("base-fixture", "1.0-1").size(),
                amd64.get("bytes").asLong());
        List<String> pinned = new ArrayList<>();
        amd64.get("packages").forEach(p -> pinned.add(p.get("name").asText() + " " + p.get("version").asText()
                + " " + p.get("sha256").asText()));
        assertTrue(pinned.contains("hello 2.0-1 " + repo.published("hello", "2.0-1").sha256()), pinned.toString());
        assertEquals(0, result.get("copies").size());
        assertTrue(Files.isRegularFile(lock));
    }

    @Test
    void lockCheckSaysWhetherTheLockIsStaleWithTheDiffsLines() throws IOException {
        Path lock = tmp.resolve("json-check.lock.json");
        String store = tmp.resolve("check-store").toString();
        assertEquals("0", CliRun.run("lock", "--store", store, "-o", lock.toString(), spec.toString())[0]);
        Run fresh = kiln("lock", "--check", "--json", "--store", store, "-o", lock.toString(), spec.toString());
        assertEquals(0, fresh.code());
        assertFalse(fresh.result().get("stale").asBoolean());
        assertEquals(0, fresh.result().get("changes").size());

        Files.writeString(lock, Files.readString(lock).replace("\"version\": \"2.0-1\"", "\"version\": \"1.9-1\""));
        Run stale = kiln("lock", "--check", "--json", "--store", store, "-o", lock.toString(), spec.toString());
        assertEquals(Main.CHECK_FAILED, stale.code());
        assertTrue(stale.result().get("stale").asBoolean());
        assertTrue(stale.result().get("changes").toString().contains("hello 1.9-1 -> 2.0-1"), stale.result().toString());
    }

    @Test
    void aLockErrorEndsWithItsCodeMessageAndFix() throws IOException {
        Path bad = tmp.resolve("bad.yaml");
        Files.writeString(bad, "contents:\n  repositories:\n    - deb ${DEBIAN_MIRROR} bookworm main\n  pakages: [libc6]\n");
        Run r = kiln("lock", "--json", "--store", tmp.resolve("lock-store").toString(), bad.toString());
        assertEquals(Main.ERROR, r.code());
        assertEquals("spec.invalid", r.error().get("code").asText());
        assertTrue(r.error().get("message").asText().contains("bad.yaml:4"), r.error().toString());
        assertTrue(r.error().has("fix") && r.error().has("hint") && r.error().has("cause"), r.error().toString());
    }

    // ---- fetch

    @Test
    void fetchTellsEachPackageThenTheCountsAndBytes() throws IOException {
        Path lock = tmp.resolve("fetch.lock.json");
        assertEquals("0", CliRun.run("lock", "--store", tmp.resolve("fetch-lock-store").toString(), "-o", lock.toString(),
                spec.toString())[0]);
        Run r = kiln("fetch", "--json", "--store", tmp.resolve("fetch-store").toString(), lock.toString());
        assertEquals(0, r.code());
        JsonNode planned = r.events("planned").get(0);
        assertEquals(2, planned.get("packages").asInt());
        List<JsonNode> finished = r.events("finished");
        assertEquals(2, finished.size(), r.lines().toString());
        JsonNode hello = finished.stream().filter(f -> f.get("name").asText().startsWith("hello ")).findFirst().orElseThrow();
        // fetch's events keep the fields they had: the sha256 as bare hex, the size, whether it was there
        assertEquals(repo.published("hello", "2.0-1").sha256().hex(), hello.get("sha256").asText());
        assertEquals(repo.published("hello", "2.0-1").size(), hello.get("size").asLong());
        assertFalse(hello.get("present").asBoolean());
        assertTrue(r.events("started").get(0).get("url").asText().startsWith("http://127.0.0.1:"), r.lines().toString());
        assertEquals(2, r.events("done").get(0).get("fetched").asInt(), "the summary event stays");
        JsonNode result = r.result();
        assertEquals(2, result.get("total").asInt());
        assertEquals(2, result.get("fetched").asInt());
        assertEquals(planned.get("bytes").asLong(), result.get("bytesFetched").asLong());
        assertEquals(0, result.get("alreadyPresent").asInt());

        Run again = kiln("fetch", "--json", "--quiet", "--store", tmp.resolve("fetch-store").toString(), lock.toString());
        assertEquals(1, again.lines().size(), "--quiet leaves the result alone: " + again.lines());
        assertEquals(2, again.result().get("alreadyPresent").asInt());
    }

    @Test
    void anOfflineFetchOfWhatIsMissingEndsWithItsCodeAndTheFlagThatHelps() throws IOException {
        Path lock = tmp.resolve("offline.lock.json");
        assertEquals("0", CliRun.run("lock", "--store", tmp.resolve("offline-lock-store").toString(), "-o", lock.toString(),
                spec.toString())[0]);
        Run r = kiln("fetch", "--json", "--offline", "--store", tmp.resolve("offline-store").toString(), lock.toString());
        assertEquals(Main.ERROR, r.code());
        assertEquals("fetch.offline-missing", r.error().get("code").asText());
        assertTrue(r.error().get("message").asText().contains("hello 2.0-1"), r.error().toString());
        assertEquals("fetch them online", r.error().get("fix").asText());
        assertEquals("without --offline, kiln fetch downloads what is missing", r.error().get("hint").asText());
    }

    // ---- build

    @Test
    void buildEndsWithTheImageItsPlatformsTheLayoutAndItsDocuments() throws IOException {
        Path out = tmp.resolve("json-oci");
        Run r = kiln("build", "--json", "--store", tmp.resolve("build-store").toString(), "-o", out.toString(), spec.toString());
        assertEquals(0, r.code());
        assertEquals(2, r.events("finished").size(), "a fresh store: the fetch is told: " + r.events());
        assertTrue(r.events("phase").stream().anyMatch(p -> p.get("phase").asText().equals("image written")), r.events().toString());
        JsonNode result = r.result();
        String top = topDigest(out);
        assertEquals(top, result.get("digest").asText());
        assertEquals("application/vnd.oci.image.manifest.v1+json", result.get("mediaType").asText());
        assertEquals(List.of(Map.of("platform", "linux/amd64", "digest", top)),
                JSON.convertValue(result.get("manifests"), List.class));
        assertEquals(tmp.resolve("hello.lock.json").toString(), result.get("lockFile").asText());
        assertEquals(out.toString(), result.get("layout").get("dir").asText());
        assertEquals(List.of(tmp.resolve("json-oci.amd64.spdx.json").toString()),
                JSON.convertValue(result.get("layout").get("sboms"), List.class));
        assertEquals(tmp.resolve("json-oci.provenance.json").toString(), result.get("layout").get("provenance").asText());
        assertEquals(1_760_954_400L, result.get("epoch").asLong(), "the fixture Release's date");
        assertEquals(0, result.get("archives").size());
        assertEquals(0, result.get("pushed").size());
    }

    @Test
    void aTwoArchitectureBuildGivesTheIndexEachPlatformsManifestAndTheArchive() throws IOException {
        Path work = Files.createDirectories(tmp.resolve("golden"));
        try (Stream<Path> all = Files.walk(GOLDEN.resolve("site"))) {
            for (Path p : all.toList()) {
                Files.copy(p, work.resolve("site").resolve(GOLDEN.resolve("site").relativize(p).toString()));
            }
        }
        Files.copy(GOLDEN.resolve("golden.yaml"), work.resolve("golden.yaml"));
        Files.copy(GOLDEN.resolve("golden.lock.json"), work.resolve("golden.lock.json"));
        Path store = tmp.resolve("golden-store");
        try (ContentStore s = ContentStore.open(store); Stream<Path> debs = Files.list(GOLDEN.resolve("debs"))) {
            for (Path deb : debs.toList()) {
                s.put(Files.readAllBytes(deb));
            }
        }
        Path out = tmp.resolve("golden-oci");
        Path archive = tmp.resolve("golden-arm64.tar");
        Run r = kiln("build", "--json", "--frozen", "--store", store.toString(), "-o", out.toString(),
                "--tarball", archive.toString(), "--arch", "arm64", "--tag", "localhost/golden:1", work.resolve("golden.yaml").toString());
        assertEquals(0, r.code());
        JsonNode result = r.result();
        String top = topDigest(out);
        assertEquals(top, result.get("digest").asText());
        assertEquals(GoldenImageTest.INDEX, top);
        assertEquals("application/vnd.oci.image.index.v1+json", result.get("mediaType").asText());
        Map<String, String> inIndex = new TreeMap<>();
        blob(out, top).get("manifests").forEach(m -> inIndex.put(m.get("platform").get("os").asText() + "/"
                + m.get("platform").get("architecture").asText()
                + (m.get("platform").has("variant") ? "/" + m.get("platform").get("variant").asText() : ""), m.get("digest").asText()));
        Map<String, String> reported = new TreeMap<>();
        result.get("manifests").forEach(m -> reported.put(m.get("platform").asText(), m.get("digest").asText()));
        assertEquals(inIndex, reported);
        assertEquals(2, reported.size());
        assertEquals(2, result.get("layout").get("sboms").size());
        JsonNode tarball = result.get("archives").get(0);
        assertEquals(archive.toString(), tarball.get("file").asText());
        assertEquals("localhost/golden:1", tarball.get("tag").asText());
        assertEquals("linux/arm64/v8", tarball.get("platform").asText());
        assertEquals(reported.get("linux/arm64/v8"), tarball.get("digest").asText());
        assertEquals(1_710_000_000L, result.get("epoch").asLong(), "the golden lock's Release date");
    }

    @Test
    void aPushEndsWithTheReferenceByDigest() throws IOException {
        assumeTrue(TestRegistry.available(), "docker-registry is installed by .ci/run");
        try (TestRegistry registry = TestRegistry.start(Files.createDirectories(tmp.resolve("registry")))) {
            Run r = kiln("build", "--json", "--store", tmp.resolve("store").toString(), "--push", registry.host() + "/json/hello:1",
                    spec.toString());
            assertEquals(0, r.code(), registry.log());
            JsonNode result = r.result();
            assertTrue(result.get("layout").isNull(), "no layout asked for: " + result);
            assertEquals(registry.host() + "/json/hello:1@" + result.get("digest").asText(),
                    result.get("pushed").get(0).get("reference").asText());
        }
    }

    @Test
    void aBuildErrorEndsWithItsCodeAndTheFlagThatHelps() throws IOException {
        Run r = kiln("build", "--json", "--store", tmp.resolve("store").toString(), "--tarball", tmp.resolve("s390x.tar").toString(),
                "--arch", "s390x", spec.toString());
        assertEquals(Main.ERROR, r.code());
        assertEquals(1, r.lines().size(), "refused before anything happened: " + r.lines());
        assertEquals("oci.platform", r.error().get("code").asText());
        assertTrue(r.error().get("fix").asText().startsWith("choose one of them for the archive"), r.error().toString());
        assertEquals("--arch takes one of the spec's architectures", r.error().get("hint").asText());
    }

    @Test
    void aPushToARegistryThatNeverAnswersTellsTheWaitsThenEndsWithTheError() throws IOException {
        try (SilentServer registry = SilentServer.silent()) {
            Run r = kiln("build", "--json", "--store", tmp.resolve("store").toString(), "--push", registry.host() + "/json/hello:1",
                    "--registry-timeout", "1", spec.toString());
            assertEquals(Main.ERROR, r.code());
            JsonNode wait = r.events("registry-wait").get(0);
            assertEquals(registry.host(), wait.get("registry").asText());
            assertEquals(2000, wait.get("maxWaitMs").asLong());
            assertTrue(wait.get("message").asText().startsWith("waiting for " + registry.host()), wait.toString());
            assertTrue(r.events("registry-wait").stream().anyMatch(w -> w.get("retry").asBoolean()), r.lines().toString());
            assertEquals("registry.unavailable", r.error().get("code").asText());
            assertEquals("--registry-timeout SECONDS sets how long kiln waits for a registry that is only slow", r.error().get("hint").asText());
        }
    }

    // ---- sign

    private static Path keys(String name) {
        Path dir = tmp.resolve("keys-" + name);
        String[] g = CliRun.run("keys", "generate", name, "--dir", dir.toString());
        assertEquals("0", g[0], g[2]);
        return dir;
    }

    @Test
    void signEndsWithWhatItAttachedAndTheirDigests() throws IOException {
        Path layout = copy("sign-oci");
        Path provenance = Files.copy(tmp.resolve("pristine.provenance.json"), tmp.resolve("sign-oci.provenance.json"));
        Path keys = keys("signer");
        Run r = kiln("sign", "--json", layout.toString(), "--key", keys.resolve("signer.key").toString(),
                "--attest", provenance.toString());
        assertEquals(0, r.code());
        assertEquals(1, r.lines().size(), "signing a layout waits for nothing: " + r.lines());
        JsonNode result = r.result();
        String image = topDigest(pristine);
        assertEquals(image, result.get("digest").asText());
        assertEquals("sign-oci", result.get("identity").asText());
        assertEquals(layout.toString(), result.get("location").asText());
        assertTrue(result.get("keyFingerprint").asText().startsWith("sha256:"), result.toString());
        String signature = result.get("signature").asText();
        assertTrue(Files.isRegularFile(layout.resolve("blobs/sha256/" + signature.substring("sha256:".length()))), signature);
        JsonNode attestation = result.get("attestations").get(0);
        assertEquals("https://slsa.dev/provenance/v1", attestation.get("predicateType").asText());
        assertEquals(image, attestation.get("subject").asText());
        assertTrue(attestation.get("digest").asText().startsWith("sha256:"), attestation.toString());
    }

    @Test
    void signingWhatIsNotALayoutEndsWithTheCodeAndWhatWritesOne() throws IOException {
        Path notALayout = Files.createDirectories(tmp.resolve("not-a-layout"));
        Path keys = keys("stray");
        Run r = kiln("sign", "--json", notALayout.toString(), "--key", keys.resolve("stray.key").toString());
        assertEquals(Main.ERROR, r.code());
        assertEquals("oci.not-a-layout", r.error().get("code").asText());
        assertEquals("'kiln build SPEC -o DIR' writes a layout", r.error().get("hint").asText());
    }

    // ---- verify

    @Test
    void verifyEndsWithTheVerdictTheDigestsAndTheSignature() throws IOException {
        Path layout = copy("verify-oci");
        Path keys = keys("verifier");
        String[] s = CliRun.run("sign", layout.toString(), "--key", keys.resolve("verifier.key").toString());
        assertEquals("0", s[0], s[2]);
        Run r = kiln("verify", "--json", layout.toString(), "--key", keys.resolve("verifier.pub").toString());
        assertEquals(0, r.code());
        String image = topDigest(layout);
        JsonNode rebuild = r.events("rebuild").get(0);
        assertEquals(layout.toString(), rebuild.get("image").asText());
        assertEquals(image, rebuild.get("digest").asText());
        assertEquals(2, r.events("finished").size(), "the rebuild's fresh store fetches: " + r.events());
        JsonNode result = r.result();
        assertTrue(result.get("verified").asBoolean(), result.toString());
        assertTrue(result.get("identical").asBoolean(), result.toString());
        assertEquals(image, result.get("digest").asText());
        assertEquals(image, result.get("rebuilt").asText());
        assertEquals(0, result.get("differences").size());
        assertEquals(0, result.get("packages").size());
        assertEquals("verify-oci", result.get("signature").get("identity").asText());
        assertNotNull(result.get("signature").get("keyFingerprint").asText());
        assertEquals(0, result.get("attestations").size());
    }

    @Test
    void anUnsignedImageVerifiedWithAKeyEndsWithTheCheckThatFailedAndWhy() throws IOException {
        Path keys = keys("nobody");
        Run r = kiln("verify", "--json", "-q", copy("unsigned-oci").toString(), "--key", keys.resolve("nobody.pub").toString());
        assertEquals(Main.CHECK_FAILED, r.code());
        assertEquals(1, r.lines().size(), "-q: the last line only: " + r.lines());
        assertEquals("verify.signature", r.error().get("code").asText());
        assertEquals("trust.signature.missing", r.error().get("cause").asText());
        assertEquals("'kiln sign IMAGE --key KEY' signs it", r.error().get("hint").asText());
    }

    @Test
    void anImageThatDiffersFromItsRebuildEndsWithTheVerdictAndWhereTheyPart() throws IOException {
        // the spec and lock given with --spec/--lock ask for another entrypoint than the image has
        Path other = tmp.resolve("other.yaml");
        Files.writeString(other, Files.readString(spec) + "entrypoint: {command: /usr/bin/hello}\n");
        String[] l = CliRun.run("lock", "--store", tmp.resolve("store").toString(), other.toString());
        assertEquals("0", l[0], l[2]);
        Run r = kiln("verify", "--json", copy("differs-oci").toString(), "--spec", other.toString(), "--lock",
                tmp.resolve("other.lock.json").toString());
        assertEquals(Main.CHECK_FAILED, r.code());
        JsonNode result = r.result();
        assertFalse(result.get("verified").asBoolean());
        assertFalse(result.get("identical").asBoolean());
        assertFalse(result.get("digest").asText().equals(result.get("rebuilt").asText()), result.toString());
        assertTrue(result.get("differences").size() > 0, result.toString());
        assertTrue(result.get("differences").get(0).has("where") && result.get("differences").get(0).has("aspect"),
                result.toString());
        assertEquals(Optional.empty(), Optional.ofNullable(result.get("signature")).filter(n -> !n.isNull()));
    }
}
