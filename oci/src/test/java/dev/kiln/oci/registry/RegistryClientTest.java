package dev.kiln.oci.registry;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.testing.TestImages;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import mockwebserver3.MockResponse;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The registry client against an in-memory registry: the requests it makes and what it refuses. */
class RegistryClientTest {
    @TempDir
    Path tmp;

    final FakeRegistry registry = new FakeRegistry();

    @AfterEach
    void stop() throws IOException {
        registry.close();
    }

    RegistryClient client() {
        return RegistryClient.builder().credentials(RegistryCredentials.none()).build();
    }

    RegistryClient client(RegistryCredentials credentials) {
        return RegistryClient.builder().credentials(credentials).build();
    }

    Path single() {
        Path dir = tmp.resolve("single");
        TestImages.single(dir, 300);
        return dir;
    }

    /** The blobs a layout's manifest names, config first. */
    static List<Descriptor> blobs(Path layout) {
        LayoutReader r = LayoutReader.open(layout);
        Manifest m = r.manifest(r.top());
        return Stream.concat(Stream.of(m.config()), m.layers().stream()).toList();
    }

    long count(String prefix) {
        return registry.lines().stream().filter(l -> l.startsWith(prefix)).count();
    }

    @Test
    void aPushUploadsEachBlobAfterAHeadThenTheManifestByTag() {
        Path layout = single();
        Pushed pushed;
        try (RegistryClient c = client()) {
            pushed = c.push(layout, registry.ref("kiln/test:1"));
        }
        Descriptor top = LayoutReader.open(layout).top();
        assertEquals(top.digest(), pushed.top().digest());
        assertEquals(registry.host() + "/kiln/test:1@" + top.digest(), pushed.reference().toString());
        List<String> lines = registry.lines();
        for (Descriptor blob : blobs(layout)) {
            int head = lines.indexOf("HEAD /v2/kiln/test/blobs/" + blob.digest());
            assertTrue(head >= 0, "HEAD for " + blob.digest() + " in " + lines);
            assertTrue(lines.get(head + 1).equals("POST /v2/kiln/test/blobs/uploads/"), lines.toString());
            assertTrue(lines.get(head + 2).startsWith("PUT /v2/kiln/test/blobs/uploads/")
                    && lines.get(head + 2).endsWith("digest=" + blob.digest()), lines.toString());
            assertArrayEquals(LayoutReaderBytes.file(layout, blob), registry.blobs.get(blob.digest()));
        }
        assertEquals("PUT /v2/kiln/test/manifests/1", lines.get(lines.size() - 1));
        assertEquals(MediaTypes.MANIFEST, registry.manifests.get("kiln/test 1").mediaType());
        assertEquals(0, count("PATCH"), "small blobs go up in one PUT");
    }

    @Test
    void blobsTheRegistryHasAreNotUploadedAgain() {
        Path layout = single();
        try (RegistryClient c = client()) {
            c.push(layout, registry.ref("kiln/test:1"));
            registry.requests.clear();
            c.push(layout, registry.ref("kiln/test:2"));
        }
        assertEquals(0, count("POST"), registry.lines().toString());
        assertEquals(blobs(layout).size(), count("HEAD"));
        assertEquals(List.of("PUT /v2/kiln/test/manifests/2"), registry.lines().stream().filter(l -> l.startsWith("PUT")).toList());
    }

    @Test
    void largeBlobsGoUpInChunksWithContentRangeThenAnEmptyPut() {
        Path layout = tmp.resolve("noisy");
        TestImages.single(layout, 5000);
        Descriptor big = blobs(layout).stream().max((a, b) -> Long.compare(a.size(), b.size())).orElseThrow();
        assertTrue(big.size() > 5000, "the noise layer is incompressible");
        try (RegistryClient c = RegistryClient.builder().credentials(RegistryCredentials.none()).chunking(1000, 2048).build()) {
            c.push(layout, registry.ref("kiln/big:1"));
        }
        List<RecordedRequest> patches = registry.requests.stream()
                .filter(r -> r.getMethod().equals("PATCH") && r.getBodySize() > 0 && r.getUrl().encodedPath().contains("/u"))
                .toList();
        long expectedChunks = (big.size() + 2047) / 2048;
        List<RecordedRequest> bigPatches = patches.subList(patches.size() - (int) expectedChunks, patches.size());
        long offset = 0;
        for (RecordedRequest p : bigPatches) {
            long n = Math.min(2048, big.size() - offset);
            assertEquals(offset + "-" + (offset + n - 1), p.getHeaders().get("Content-Range"));
            assertEquals(n, p.getBodySize());
            offset += n;
        }
        assertEquals(big.size(), offset);
        RecordedRequest last = registry.requests.stream()
                .filter(r -> r.getMethod().equals("PUT") && big.digest().toString().equals(r.getUrl().queryParameter("digest")))
                .findFirst().orElseThrow();
        assertEquals(0, last.getBodySize(), "the final PUT carries no bytes");
        assertArrayEquals(LayoutReaderBytes.file(layout, big), registry.blobs.get(big.digest()));
    }

    /** An auth file with one login under {@code key}. */
    static Path authFile(Path file, String key, String userColonPassword) throws IOException {
        Files.createDirectories(file.getParent());
        return Files.writeString(file, "{\"auths\":{\"" + key + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString(userColonPassword.getBytes(UTF_8)) + "\"}}}");
    }

    @Test
    void basicAuthIsSentAfterAChallengeWithTheLoginFromTheAuthFile() throws IOException {
        registry.auth = FakeRegistry.Auth.BASIC;
        Path authFile = authFile(tmp.resolve("auth.json"), registry.host(), "kiln:s3cret-pw");
        try (RegistryClient c = client(RegistryCredentials.fromEnvironment(Map.of("REGISTRY_AUTH_FILE", authFile.toString(),
                "HOME", tmp.toString())))) {
            c.push(single(), registry.ref("kiln/test:1"));
        }
        assertEquals(null, registry.requests.get(0).getHeaders().get("Authorization"), "anonymous first");
        assertEquals(1, registry.requests.stream().filter(r -> r.getHeaders().get("Authorization") == null).count(),
                "one challenge, then the login is kept");
        assertNotNull(registry.manifests.get("kiln/test 1"));
    }

    @Test
    void bearerTokensComeFromTheRealmWithTheScopeAndTheDockerLogin() throws IOException {
        registry.auth = FakeRegistry.Auth.BEARER;
        Path home = tmp.resolve("home");
        authFile(home.resolve(".docker/config.json"), "http://" + registry.host() + "/v1/", "kiln:s3cret-pw");
        Path layout = single();
        try (RegistryClient c = client(RegistryCredentials.fromEnvironment(Map.of("HOME", home.toString())))) {
            c.push(layout, registry.ref("kiln/test:1"));
            Path pulled = tmp.resolve("pulled");
            c.pull(registry.ref("kiln/test:1"), pulled);
        }
        List<RecordedRequest> tokens = registry.requests.stream().filter(r -> r.getUrl().encodedPath().equals("/token")).toList();
        assertEquals(1, tokens.size(), "one token for pushing; pulling reuses it: " + registry.lines());
        RecordedRequest t = tokens.get(0);
        assertEquals("repository:kiln/test:pull,push", t.getUrl().queryParameter("scope"));
        assertEquals("fake-registry", t.getUrl().queryParameter("service"));
        assertEquals(registry.basic(), t.getHeaders().get("Authorization"));
        assertTrue(registry.requests.stream().filter(r -> r.getUrl().encodedPath().startsWith("/v2/"))
                .skip(1).allMatch(r -> String.valueOf(r.getHeaders().get("Authorization")).startsWith("Bearer fake-token-")),
                "after the first challenge every request carries the token");
    }

    @Test
    void aRegistryWantingALoginWithoutOneIsAClearErrorNamingWhatToDo() {
        registry.auth = FakeRegistry.Auth.BASIC;
        RegistryException e;
        try (RegistryClient c = client(RegistryCredentials.fromEnvironment(Map.of("HOME", tmp.toString())))) {
            e = assertThrows(RegistryException.class, () -> c.push(single(), registry.ref("kiln/test:1")));
        }
        String m = e.getMessage();
        assertTrue(m.contains(registry.host() + " wants a login to push to kiln/test"), m);
        assertTrue(m.contains("HTTP 401"), m);
        assertEquals("registry.unauthorized", e.code());
        assertTrue(m.contains("no login for it was found"), m);
        assertTrue(m.contains("fix: log in with 'podman login " + registry.host() + "'"), m);
        assertTrue(m.contains(tmp.resolve(".docker/config.json").toString()), m);
        assertTrue(registry.manifests.isEmpty());
    }

    @Test
    void aRefusedLoginIsNamedByItsFileAndThePasswordIsNeverPrinted() throws IOException {
        registry.auth = FakeRegistry.Auth.BEARER;
        Path authFile = authFile(tmp.resolve("auth.json"), registry.host() + "/kiln", "kiln:wrong-pw");
        RegistryException e;
        try (RegistryClient c = client(RegistryCredentials.fromEnvironment(Map.of("REGISTRY_AUTH_FILE", authFile.toString(),
                "HOME", tmp.toString())))) {
            e = assertThrows(RegistryException.class, () -> c.getManifest(registry.ref("kiln/test:1")));
        }
        assertTrue(e.getMessage().contains("refused the login from " + authFile), e.getMessage());
        assertFalse(e.getMessage().contains("wrong-pw"), e.getMessage());
        assertFalse(e.getMessage().contains(Base64.getEncoder().encodeToString("kiln:wrong-pw".getBytes(UTF_8))));
    }

    @Test
    void plainHttpToAHostThatIsNotLoopbackIsRefusedBeforeConnecting() {
        registry.location = l -> "http://registry.invalid" + l;
        RegistryException e;
        try (RegistryClient c = client()) {
            e = assertThrows(RegistryException.class, () -> c.push(single(), registry.ref("kiln/test:1")));
        }
        assertTrue(e.getMessage().startsWith("refusing plain HTTP to registry.invalid"), e.getMessage());
        assertTrue(e.getMessage().contains("or allow plain HTTP to it if the network is trusted"), e.getMessage());
        assertEquals("registry.plain-http", e.code());
        assertEquals(1, count("POST"), "not retried: " + registry.lines());
    }

    @Test
    void aTokenRealmOverPlainHttpElsewhereGetsNoCredentials() throws IOException {
        registry.auth = FakeRegistry.Auth.BEARER;
        registry.realm = r -> "http://auth.invalid/token";
        try (RegistryClient c = client(RegistryCredentials.of(registry.host(), "kiln", "s3cret-pw"))) {
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest(registry.ref("kiln/test:1")));
            assertTrue(e.getMessage().startsWith("refusing plain HTTP to auth.invalid"), e.getMessage());
        }
    }

    @Test
    void aRegistryHostThatIsNotLoopbackIsSpokenToOverHttpsUnlessInsecure() {
        try (RegistryClient c = client(); RegistryClient insecure = RegistryClient.builder().insecure(true)
                .credentials(RegistryCredentials.none()).build()) {
            ImageReference ref = ImageReference.parse("registry.example.com:5000/kiln/test:1");
            assertEquals("https://registry.example.com:5000/v2/kiln/test/manifests/1", c.url(ref, "manifests/1").toString());
            assertEquals("http://registry.example.com:5000/v2/kiln/test/manifests/1", insecure.url(ref, "manifests/1").toString());
            assertEquals("http://[::1]:5000/v2/a/manifests/1", c.url(ImageReference.parse("[::1]:5000/a"), "manifests/1").toString());
            assertEquals("http://localhost/v2/a/manifests/1", c.url(ImageReference.parse("localhost/a"), "manifests/1").toString());
            assertEquals("https://registry-1.docker.io/v2/library/debian/manifests/1",
                    c.url(ImageReference.parse("docker.io/debian"), "manifests/1").toString());
        }
    }

    @Test
    void aPullVerifiesEveryBlobAndWritesNothingOnAMismatch() throws IOException {
        Path layout = single();
        try (RegistryClient c = client()) {
            c.push(layout, registry.ref("kiln/test:1"));
            Descriptor layer = blobs(layout).get(2);
            byte[] wrong = registry.blobs.get(layer.digest()).clone();
            wrong[wrong.length / 2] ^= 1;
            registry.lies.put(layer.digest(), wrong);
            Path target = tmp.resolve("pulled");
            OciException e = assertThrows(OciException.class, () -> c.pull(registry.ref("kiln/test:1"), target));
            assertTrue(e.getMessage().contains(layer.digest() + " (" + MediaTypes.LAYER_TAR_GZIP + ")"), e.getMessage());
            assertTrue(e.getMessage().contains("nothing of it was kept"), e.getMessage());
            assertFalse(Files.exists(target));
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of("single"), left.map(p -> p.getFileName().toString()).toList(), "no staging left");
            }
        }
    }

    @Test
    void aManifestPulledByDigestMustHashToIt() {
        Path layout = single();
        try (RegistryClient c = client()) {
            Pushed pushed = c.push(layout, registry.ref("kiln/test:1"));
            Digest digest = pushed.top().digest();
            registry.manifests.put("kiln/test " + digest, new FakeRegistry.Stored(MediaTypes.MANIFEST, "{\"schemaVersion\":2}".getBytes(UTF_8)));
            Path target = tmp.resolve("pulled");
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.pull(registry.ref("kiln/test@" + digest), target));
            assertTrue(e.getMessage().contains("but its bytes hash to " + Digest.of("{\"schemaVersion\":2}")), e.getMessage());
            assertFalse(Files.exists(target));
        }
    }

    @Test
    void aManifestWhoseDigestHeaderDisagreesWithItsBytesIsRefused() {
        Path layout = single();
        try (RegistryClient c = client()) {
            c.push(layout, registry.ref("kiln/test:1"));
            registry.failNext(r -> new MockResponse.Builder().code(200).setHeader("Content-Type", MediaTypes.MANIFEST)
                    .setHeader("Docker-Content-Digest", Digest.of("other").toString()).body("{\"schemaVersion\":2}").build());
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest(registry.ref("kiln/test:1")));
            assertTrue(e.getMessage().contains("named it " + Digest.of("other")), e.getMessage());
        }
    }

    @Test
    void aTwoArchImagePushedAndPulledBackIsTheSameLayout() throws IOException {
        Path layout = tmp.resolve("two");
        TestImages.twoArch(layout, 300);
        Path pulled = tmp.resolve("pulled");
        try (RegistryClient c = client()) {
            Pushed pushed = c.push(layout, registry.ref("kiln/two:1"));
            assertEquals(MediaTypes.INDEX, pushed.top().mediaType());
            Descriptor top = c.pull(registry.ref("kiln/two:1"), pulled);
            assertEquals(pushed.top().digest(), top.digest());
        }
        List<String> puts = registry.lines().stream().filter(l -> l.startsWith("PUT /v2/kiln/two/manifests/")).toList();
        assertEquals(3, puts.size(), puts.toString());
        assertTrue(puts.get(0).endsWith("/manifests/sha256:" + LayoutReader.open(layout).images().get(0).digest().hex()), puts.toString());
        assertEquals("PUT /v2/kiln/two/manifests/1", puts.get(2), "the index last, by tag");
        assertSameBlobs(layout, pulled);
        assertEquals(5, registry.blobs.size(), "shared base layer once, two own layers, two configs");
    }

    /** Both layouts hold the same blobs, byte for byte. */
    static void assertSameBlobs(Path expected, Path actual) throws IOException {
        assertEquals(blobNames(expected), blobNames(actual));
        for (String name : blobNames(expected)) {
            assertArrayEquals(Files.readAllBytes(expected.resolve("blobs/sha256").resolve(name)),
                    Files.readAllBytes(actual.resolve("blobs/sha256").resolve(name)), name);
        }
    }

    static List<String> blobNames(Path layout) throws IOException {
        try (Stream<Path> s = Files.list(layout.resolve("blobs/sha256"))) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void transientFailuresAreRetriedAndPersistentOnesNameTheRegistry() {
        Path layout = single();
        List<RegistryListener.Waiting> heard = new CopyOnWriteArrayList<>();
        try (RegistryClient c = RegistryClient.builder().credentials(RegistryCredentials.none()).listener(heard::add).build()) {
            registry.failNext(r -> FakeRegistry.error(503, "UNAVAILABLE"));
            registry.failNext(r -> FakeRegistry.error(502, "BAD_GATEWAY"));
            c.push(layout, registry.ref("kiln/test:1"));
            assertNotNull(registry.manifests.get("kiln/test 1"));
            assertEquals(List.of(2, 3), heard.stream().map(RegistryListener.Waiting::attempt).toList());
            heard.clear();
            for (int i = 0; i < 3; i++) {
                registry.failNext(r -> FakeRegistry.error(503, "UNAVAILABLE"));
            }
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest(registry.ref("kiln/test:1")));
            assertTrue(e.getMessage().contains(registry.host() + " (repository kiln/test): get manifest 1: HTTP 503"), e.getMessage());
            assertTrue(e.getMessage().contains("tried 3 times"), e.getMessage());
            assertEquals("registry.unavailable", e.code());
            assertEquals(List.of(2, 3).stream().map(n -> "waiting for " + registry.host() + " (kiln/test: get manifest 1): HTTP 503:"
                    + " UNAVAILABLE fake unavailable, trying again (" + n + " of 3); kiln gives up after 60 s in all").toList(),
                    heard.stream().map(RegistryListener.Waiting::message).toList());
        }
    }

    @Test
    void aMissingTagAndADeniedPushAreClearErrors() {
        try (RegistryClient c = client()) {
            RegistryException missing = assertThrows(RegistryException.class, () -> c.getManifest(registry.ref("kiln/none:1")));
            assertTrue(missing.getMessage().contains("has no manifest 1 in kiln/none"), missing.getMessage());
            registry.failNext(r -> FakeRegistry.error(403, "DENIED"));
            RegistryException denied = assertThrows(RegistryException.class, () -> c.push(single(), registry.ref("kiln/test:1")));
            assertTrue(denied.getMessage().contains("denied us"), denied.getMessage());
            assertTrue(denied.getMessage().contains("HTTP 403"), denied.getMessage());
            assertTrue(denied.getMessage().contains("may pull and push kiln/test"), denied.getMessage());
        }
    }

    @Test
    void blobsAndManifestsCanBePutAndGotOneByOne() {
        ImageReference repo = registry.ref("kiln/parts");
        try (RegistryClient c = client()) {
            byte[] blob = "{\"hello\":1}".getBytes(UTF_8);
            Digest d = c.putBlob(repo, blob);
            assertTrue(c.hasBlob(repo, d));
            assertArrayEquals(blob, c.getBlob(repo, d, 100));
            assertThrows(RegistryException.class, () -> c.getBlob(repo, d, 5), "larger than allowed");
            byte[] manifest = ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.MANIFEST + "\",\"config\":{\"mediaType\":\""
                    + MediaTypes.CONFIG + "\",\"digest\":\"" + d + "\",\"size\":" + blob.length + "},\"layers\":[]}").getBytes(UTF_8);
            Digest m = c.putManifest(repo, "v1", MediaTypes.MANIFEST, manifest);
            ManifestContent got = c.getManifest(repo.withTag("v1"));
            assertEquals(m, got.digest());
            assertEquals(MediaTypes.MANIFEST, got.mediaType());
            assertArrayEquals(manifest, got.bytes());
        }
    }

    @Test
    void referrersComeFromTheApiWhereTheRegistryHasIt() {
        registry.referrersApi = true;
        ImageReference repo = registry.ref("kiln/test");
        try (RegistryClient c = client()) {
            Pushed image = c.push(single(), registry.ref("kiln/test:1"));
            Digest sig = c.attach(repo, MediaTypes.MANIFEST, artifact(c, repo, image.top(), "application/vnd.example.sig"));
            assertFalse(registry.manifests.containsKey("kiln/test " + RegistryClient.fallbackTag(image.top().digest())),
                    "the registry indexes it: no fallback tag");
            List<Referrer> all = c.referrers(repo, image.top().digest(), Optional.empty());
            assertEquals(1, all.size());
            assertEquals(sig, all.get(0).digest());
            assertEquals(Optional.of("application/vnd.example.sig"), all.get(0).artifactType());
            assertEquals(List.of(), c.referrers(repo, image.top().digest(), Optional.of("application/other")));
        }
    }

    @Test
    void withoutTheApiReferrersAreKeptUnderTheSha256DashTag() {
        ImageReference repo = registry.ref("kiln/test");
        try (RegistryClient c = client()) {
            Pushed image = c.push(single(), registry.ref("kiln/test:1"));
            Digest subject = image.top().digest();
            assertEquals(List.of(), c.referrers(repo, subject, Optional.empty()));
            Digest sig = c.attach(repo, MediaTypes.MANIFEST, artifact(c, repo, image.top(), "application/vnd.example.sig"));
            Digest sbom = c.attach(repo, MediaTypes.MANIFEST, artifact(c, repo, image.top(), "application/vnd.example.sbom"));
            c.attach(repo, MediaTypes.MANIFEST, artifact(c, repo, image.top(), "application/vnd.example.sbom")); // again: no duplicate
            assertTrue(registry.manifests.containsKey("kiln/test sha256-" + subject.hex()));
            List<Referrer> all = c.referrers(repo, subject, Optional.empty());
            assertEquals(List.of(sig, sbom), all.stream().map(Referrer::digest).toList());
            assertEquals(List.of(sbom), c.referrers(repo, subject, Optional.of("application/vnd.example.sbom"))
                    .stream().map(Referrer::digest).toList());
            assertEquals(Map.of("org.example.note", "application/vnd.example.sbom"), all.get(1).annotations());
        }
    }

    @Test
    void attachingAManifestWithoutASubjectIsRefused() {
        try (RegistryClient c = client()) {
            RegistryException e = assertThrows(RegistryException.class,
                    () -> c.attach(registry.ref("kiln/test"), MediaTypes.MANIFEST, "{\"schemaVersion\":2}".getBytes(UTF_8)));
            assertTrue(e.getMessage().contains("has no 'subject'"), e.getMessage());
        }
    }

    /** An OCI artifact manifest (empty config, one small layer) whose subject is {@code subject}. */
    static byte[] artifact(RegistryClient c, ImageReference repo, Descriptor subject, String artifactType) {
        byte[] empty = "{}".getBytes(UTF_8);
        Digest e = c.putBlob(repo, empty);
        byte[] payload = ("payload of " + artifactType).getBytes(UTF_8);
        Digest p = c.putBlob(repo, payload);
        return ("{\"schemaVersion\":2,\"mediaType\":\"" + MediaTypes.MANIFEST + "\",\"artifactType\":\"" + artifactType
                + "\",\"config\":{\"mediaType\":\"application/vnd.oci.empty.v1+json\",\"digest\":\"" + e + "\",\"size\":2},"
                + "\"layers\":[{\"mediaType\":\"application/octet-stream\",\"digest\":\"" + p + "\",\"size\":" + payload.length + "}],"
                + "\"subject\":{\"mediaType\":\"" + subject.mediaType() + "\",\"digest\":\"" + subject.digest() + "\",\"size\":"
                + subject.size() + "},\"annotations\":{\"org.example.note\":\"" + artifactType + "\"}}").getBytes(UTF_8);
    }

    /** Reads a blob file of a layout directly. */
    static final class LayoutReaderBytes {
        static byte[] file(Path layout, Descriptor d) {
            try {
                return Files.readAllBytes(layout.resolve("blobs/sha256").resolve(d.digest().hex()));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }
}
