package dev.kiln.api;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.testing.RegistryProxy;
import dev.kiln.api.testing.TinyRepository;
import dev.kiln.cache.MemoEntry;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.ManifestContent;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.testing.TestRegistry;
import dev.kiln.store.Digest;
import dev.kiln.trust.Dsse;
import dev.kiln.trust.KeyFiles;
import dev.kiln.trust.SigningKey;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A store shared through a registry ({@code docker-registry} on 127.0.0.1): store A builds and
 * pushes; store B, empty, with the mirror dead, builds the same image from the cache alone, and
 * every entry that is not exactly what it must be is refused and the work done locally, to the
 * same digest.
 */
class SharedCacheTest {
    private static final String REPO = "kiln/cache";

    @TempDir
    static Path shared;
    static TinyRepository repo;
    static Path trustedPub;
    static Path trustedKey;
    static Path otherKey;

    @TempDir
    Path tmp;
    TestRegistry registry;
    Path spec;

    @BeforeAll
    static void packagesAndKeys() throws Exception {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        repo = TinyRepository.make(shared);
        KeyFiles.Written ci = KeyFiles.generate(shared.resolve("keys"), "ci", Optional.empty(), false);
        trustedPub = ci.publicKey();
        trustedKey = ci.privateKey();
        otherKey = KeyFiles.generate(shared.resolve("keys"), "other", Optional.empty(), false).privateKey();
    }

    @BeforeEach
    void registryAndSpec() throws IOException {
        registry = TestRegistry.start(tmp.resolve("registry"));
        spec = repo.spec(tmp, "tiny", "");
    }

    @AfterEach
    void stop() {
        if (registry != null) {
            registry.close();
        }
    }

    /** What one build reported and made. */
    record Run(String digest, List<KilnEvent> events) {
        List<CacheEvent.Hit> hits() {
            return events.stream().filter(e -> e instanceof CacheEvent.Hit).map(e -> (CacheEvent.Hit) e).toList();
        }

        List<CacheEvent.Miss> refused() {
            return events.stream().filter(e -> e instanceof CacheEvent.Miss m && m.refused()).map(e -> (CacheEvent.Miss) e).toList();
        }

        int made(String step) {
            return events.stream().filter(e -> e instanceof StoreEvent.MemoUsed m && m.step().equals(step))
                    .mapToInt(e -> ((StoreEvent.MemoUsed) e).made()).sum();
        }

        <E> List<E> of(Class<E> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    private Run build(Path store, SharedCache cache, String out) {
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        Kiln.Builder b = TinyRepository.builder(store).addEventHandler(KilnEvent.class, events::add);
        if (cache != null) {
            b.cache(cache);
        }
        try (Kiln kiln = b.open()) {
            String digest = kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve(out)))).digest();
            return new Run(digest, List.copyOf(events));
        }
    }

    private SharedCache cache(String host) {
        return SharedCache.of(host + "/" + REPO).trusting(trustedPub);
    }

    /** Store A (seeded with the package, the mirror dead) builds and pushes; returns its run. */
    private Run pushFromA() {
        return build(repo.seed(tmp.resolve("store-a")), cache(registry.host()).pushingWith(trustedKey), "a");
    }

    @Test
    void anEmptyStoreBuildsTheSameImageFromTheCacheAloneUnpackingAndCompressingNothing() {
        Run a = pushFromA();
        CacheEvent.Pushed pushed = a.of(CacheEvent.Pushed.class).get(0);
        assertTrue(pushed.entries() >= 3, "the unpacked package and the layers: " + pushed);
        assertTrue(a.made("unpack") > 0 && a.made("layer") > 0);

        Run b = build(tmp.resolve("store-b"), cache(registry.host()), "b");
        assertEquals(a.digest(), b.digest());
        assertEquals(0, b.made("unpack"), "no package unpacked");
        assertEquals(0, b.made("layer"), "no layer compressed");
        assertEquals(List.of(), b.refused());
        List<String> steps = b.hits().stream().map(CacheEvent.Hit::step).distinct().sorted().toList();
        assertTrue(steps.containsAll(List.of("", "deb-unpack-v2", "layer-v3")), "the .deb, the unpacked package, the layers: " + steps);
        assertEquals(List.of(), b.of(CacheEvent.Pushed.class), "nothing pushed without a push key");
        assertEquals(0, unpackedBlobs(tmp.resolve("store-b")), "the layers came from the cache: no package's files fetched");
    }

    /** Gives the first two layer entries' tags each other's manifest. */
    private void swapLayerTags(Run a) throws IOException {
        assertTrue(a.made("layer") >= 2, "two layers to swap");
        List<String> tags = memoTags("memo-layer-v3-");
        try (RegistryClient client = RegistryClient.withDefaults()) {
            byte[] first = manifest(client, tags.get(0)).bytes();
            byte[] second = manifest(client, tags.get(1)).bytes();
            put(client, tags.get(0), second);
            put(client, tags.get(1), first);
        }
    }

    @Test
    void filesWhoseBytesTheCacheNoLongerHasAreUnpackedHereWhenALayerReadsThem() throws IOException {
        Run a = pushFromA();
        swapLayerTags(a);
        List<Path> inRegistry = unpackedBlobFiles(tmp.resolve("registry"));
        assertEquals(1, inRegistry.size());
        Files.delete(inRegistry.get(0));
        Run b = build(tmp.resolve("store-b"), cache(registry.host()), "b");
        assertEquals(a.digest(), b.digest());
        assertEquals(2, b.made("layer"));
        assertEquals(1, b.made("unpack"), "the package's record and index came from the cache, its files from its .deb");
        assertEquals(1, unpackedBlobFiles(tmp.resolve("store-b")).size());
    }

    @Test
    void gcKeepsTheIndexOfAPackageWhoseFilesStayedInTheCache() {
        Run a = pushFromA();
        Path storeB = tmp.resolve("store-b");
        build(storeB, cache(registry.host()), "b");
        assertEquals(0, unpackedBlobs(storeB));
        try (dev.kiln.store.ContentStore s = dev.kiln.store.ContentStore.open(storeB)) {
            new dev.kiln.store.StoreGc(s).withRootReader(new dev.kiln.assembler.cache.BuildRoots(s)).withMemos(dev.kiln.store.StoreGc.Memos.KEEP_REACHED)
                    .gc(List.of());
        }
        registry.close();
        Run again = build(storeB, null, "again");
        assertEquals(a.digest(), again.digest());
        assertEquals(0, again.made("unpack"), "the package's index was kept: nothing unpacked");
        assertEquals(0, again.made("layer"));
    }

    /** How many unpacked packages' blobs (files' bytes and index) a store holds. */
    private static long unpackedBlobs(Path store) {
        return unpackedBlobFiles(store).size();
    }

    /** The files under {@code dir} that are unpacked packages' blobs. */
    private static List<Path> unpackedBlobFiles(Path dir) {
        byte[] magic = "kiln-unpacked-1\n".getBytes(UTF_8);
        try (java.util.stream.Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).filter(f -> {
                try (java.io.InputStream in = Files.newInputStream(f)) {
                    return java.util.Arrays.equals(in.readNBytes(magic.length), magic);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            }).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void verifyRebuildsInAFreshStoreFromTheCache() {
        Run a = pushFromA();
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        VerifyResult v;
        try (Kiln kiln = TinyRepository.builder(tmp.resolve("store-v")).cache(cache(registry.host()))
                .addEventHandler(KilnEvent.class, events::add).open()) {
            v = kiln.verify(VerifyRequest.of(ImageRef.layout(tmp.resolve("a"))).withFreshStore(true));
        }
        assertTrue(v.verified(), v.toString());
        Run rebuild = new Run(a.digest(), List.copyOf(events));
        assertEquals(0, rebuild.made("unpack"), "the rebuild unpacked nothing");
        assertEquals(0, rebuild.made("layer"), "the rebuild compressed nothing");
        assertFalse(rebuild.hits().isEmpty());
    }

    @Test
    void withoutTrustedKeysOnlyBlobsAreReadAndTheWorkIsDoneHere() {
        String clean = pushFromA().digest();
        Run b = build(tmp.resolve("store-b"), SharedCache.of(registry.host() + "/" + REPO), "b");
        assertEquals(clean, b.digest());
        assertTrue(b.made("unpack") > 0 && b.made("layer") > 0);
        assertEquals(List.of(""), b.hits().stream().map(CacheEvent.Hit::step).distinct().toList(), "only the .deb");
    }

    @Test
    void aStoreWithoutPushSendsNoWriteRequest() throws IOException {
        String clean = pushFromA().digest();
        try (RegistryProxy proxy = RegistryProxy.of(registry.host())) {
            Run b = build(tmp.resolve("store-b"), cache(proxy.host()), "b");
            assertEquals(clean, b.digest());
            assertEquals(0, b.made("layer"), "the proxy passed the entries on");
            List<String> writes = proxy.requests().stream().filter(r -> !r.startsWith("GET ") && !r.startsWith("HEAD ")).toList();
            assertEquals(List.of(), writes);
            assertFalse(proxy.requests().isEmpty());
        }
    }

    @Test
    void blobBytesAlteredInTransitAreRefusedAndTheWorkDoneHere() throws IOException {
        String clean = pushFromA().digest();
        try (RegistryProxy proxy = RegistryProxy.flippingBlobs(registry.host())) {
            // the .deb is in the store: with the mirror dead, a package blob refused could not be had at all
            Run b = build(repo.seed(tmp.resolve("store-b")), cache(proxy.host()), "b");
            assertEquals(clean, b.digest());
            assertTrue(b.made("unpack") > 0 && b.made("layer") > 0);
            assertFalse(b.refused().isEmpty());
            assertEquals(List.of(), b.hits());
        }
    }

    @Test
    void anUnsignedEntryIsRefused() throws IOException {
        assertPoisonRefused(entry -> poisoned(entry, Optional.empty(), UnaryOperator.identity()), "not signed by a trusted key");
    }

    @Test
    void anEntrySignedByAnUntrustedKeyIsRefused() throws IOException {
        SigningKey other = SigningKey.read(otherKey, Optional.empty());
        assertPoisonRefused(entry -> poisoned(entry, Optional.of(other), UnaryOperator.identity()), "not signed by a trusted key");
    }

    @Test
    void aValidEntryMovedToAnotherKeysTagIsRefused() throws IOException {
        // every entry's tag gets the manifest of another entry of the same step
        Run a = pushFromA();
        swapLayerTags(a);
        Run b = build(tmp.resolve("store-b"), cache(registry.host()), "b");
        assertEquals(a.digest(), b.digest());
        assertEquals(2, b.made("layer"));
        assertTrue(b.refused().stream().allMatch(m -> m.reason().contains("a moved tag")), b.refused().toString());
        assertEquals(2, b.refused().size());
        // the layers written here read the package's files: fetched from the cache when read, not unpacked
        assertEquals(0, b.made("unpack"));
        assertEquals(1, unpackedBlobs(tmp.resolve("store-b")));
    }

    @Test
    void aStatementWhoseValueIsNotTheLayerItNamesIsRefused() throws IOException {
        SigningKey trusted = SigningKey.read(trustedKey, Optional.empty());
        Digest stranger = Digest.of("another value".getBytes(UTF_8));
        assertPoisonRefused(entry -> poisoned(entry, Optional.of(trusted), s -> new MemoEntry.Statement(s.format(), s.step(), s.key(),
                replaceFirst(s.blobs(), new MemoEntry.Blob(stranger, 13)))), "its layers are not the blobs its statement names");
    }

    /**
     * A registry that stops during the build (at the first thing it gave) leaves a local build that
     * succeeds: told once, then no more asked.
     */
    @Test
    void aRegistryThatStopsMidBuildLeavesALocalBuildThatSucceeds() {
        String clean = pushFromA().digest();
        List<KilnEvent> events = Collections.synchronizedList(new ArrayList<>());
        Kiln.Builder b = TinyRepository.builder(repo.seed(tmp.resolve("store-b"))).cache(cache(registry.host()))
                .addEventHandler(KilnEvent.class, events::add)
                .addEventHandler(CacheEvent.class, e -> registry.close());
        try (Kiln kiln = b.open()) {
            assertEquals(clean, kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("b")))).digest());
        }
        assertEquals(1, events.stream().filter(e -> e instanceof CacheEvent.Unavailable).count(), events.toString());
    }

    @Test
    void aPushToARegistryThatIsDownNeverFailsTheBuild() {
        String host = registry.host();
        registry.close();
        Run a = build(repo.seed(tmp.resolve("store-a")), cache(host).pushingWith(trustedKey), "a");
        assertEquals(1, a.of(CacheEvent.Unavailable.class).size());
        assertTrue(a.made("layer") > 0);
    }

    @Test
    void afterGarbageCollectionEntriesWhoseManifestsRemainStillResolve() throws Exception {
        String clean = pushFromA().digest();
        Digest stray;
        try (RegistryClient client = RegistryClient.withDefaults()) {
            stray = client.putBlob(repository(), "a blob no manifest lists".getBytes(UTF_8)); // what gc must take
        }
        registry.close();
        Process gc = new ProcessBuilder("docker-registry", "garbage-collect", tmp.resolve("registry/config.yml").toString())
                .redirectErrorStream(true).start();
        String log = new String(gc.getInputStream().readAllBytes(), UTF_8);
        assertEquals(0, gc.waitFor(), log);
        registry = TestRegistry.start(tmp.resolve("registry"));
        try (RegistryClient client = RegistryClient.withDefaults()) {
            assertFalse(client.hasBlob(repository(), stray), "the collection ran and took what no manifest lists");
        }
        Run b = build(tmp.resolve("store-b"), cache(registry.host()), "b");
        assertEquals(clean, b.digest());
        assertEquals(0, b.made("unpack"));
        assertEquals(0, b.made("layer"));
    }

    @Test
    void aStoreBuiltWithoutTheCachePublishesWhatItHoldsForALock() {
        Path storeA = repo.seed(tmp.resolve("store-a"));
        Run a = build(storeA, null, "a");
        CachePushResult pushed;
        try (Kiln kiln = TinyRepository.builder(storeA).cache(cache(registry.host()).pushingWith(trustedKey)).open()) {
            pushed = kiln.pushToCache(List.of(LockRequest.besideSpec(spec)));
        }
        assertEquals(1, pushed.locks());
        assertEquals(a.made("unpack") + a.made("layer"), pushed.entries(), "the unpacked package and the layers (a build reads no control file)");
        Run b = build(tmp.resolve("store-b"), cache(registry.host()), "b");
        assertEquals(a.digest(), b.digest());
        assertEquals(0, b.made("unpack"));
        assertEquals(0, b.made("layer"));
    }

    @Test
    void publishingToARegistryThatIsDownFails() {
        Path storeA = repo.seed(tmp.resolve("store-a"));
        build(storeA, null, "a");
        String host = registry.host();
        registry.close();
        try (Kiln kiln = TinyRepository.builder(storeA).cache(cache(host).pushingWith(trustedKey)).open()) {
            dev.kiln.cache.CacheException e = org.junit.jupiter.api.Assertions.assertThrows(dev.kiln.cache.CacheException.class,
                    () -> kiln.pushToCache(List.of(LockRequest.besideSpec(spec))));
            assertEquals("cache.push-failed", e.code());
        }
    }

    // ---- poisoning ----

    private interface Poison {
        byte[] manifest(ManifestContent entry) throws IOException;
    }

    /** Replaces every unpack and layer entry by its poisoned form; store B must refuse each and build the same image. */
    private void assertPoisonRefused(Poison poison, String reason) throws IOException {
        Run a = pushFromA();
        List<String> tags = new ArrayList<>(memoTags("memo-layer-v3-"));
        tags.addAll(memoTags("memo-deb-unpack-v2-"));
        try (RegistryClient client = RegistryClient.withDefaults()) {
            for (String tag : tags) {
                put(client, tag, poison.manifest(manifest(client, tag)));
            }
        }
        Run b = build(tmp.resolve("store-b"), cache(registry.host()), "b");
        assertEquals(a.digest(), b.digest());
        assertEquals(a.made("unpack"), b.made("unpack"), "every package unpacked here");
        assertEquals(a.made("layer"), b.made("layer"), "every layer compressed here");
        assertEquals(tags.size(), b.refused().size(), b.refused().toString());
        assertTrue(b.refused().stream().allMatch(m -> m.reason().contains(reason)), b.refused().toString());
    }

    /** The entry re-signed by {@code key} (none: no signature) over its statement changed by {@code change}. */
    private byte[] poisoned(ManifestContent entry, Optional<SigningKey> key, UnaryOperator<MemoEntry.Statement> change) throws IOException {
        try (RegistryClient client = RegistryClient.withDefaults()) {
            MemoEntry.Parsed parsed = MemoEntry.parseManifest(entry.bytes());
            Dsse.Envelope envelope = Dsse.parse(client.getBlob(repository(), parsed.config().digest(), parsed.config().size()));
            MemoEntry.Statement statement = change.apply(MemoEntry.Statement.parse(envelope.payload()));
            byte[] signed = key.map(k -> Dsse.sign(statement.json(), MemoEntry.PAYLOAD_TYPE, k))
                    .orElse(new Dsse.Envelope(MemoEntry.PAYLOAD_TYPE, statement.json(), List.of())).json();
            client.putBlob(repository(), signed);
            // the layers stay the original entry's
            byte[] manifest = MemoEntry.manifest(new MemoEntry.Blob(Digest.of(signed), signed.length),
                    new MemoEntry.Statement(statement.format(), statement.step(), statement.key(), parsed.layers()));
            return manifest;
        }
    }

    private static List<MemoEntry.Blob> replaceFirst(List<MemoEntry.Blob> blobs, MemoEntry.Blob first) {
        List<MemoEntry.Blob> out = new ArrayList<>(blobs);
        out.set(0, first);
        return out;
    }

    private ImageReference repository() {
        return ImageReference.parse(registry.host() + "/" + REPO);
    }

    private ManifestContent manifest(RegistryClient client, String tag) {
        return client.getManifest(ImageReference.parse(registry.host() + "/" + REPO + ":" + tag));
    }

    private void put(RegistryClient client, String tag, byte[] manifest) {
        client.putManifest(repository(), tag, MemoEntry.MANIFEST_MEDIA_TYPE, manifest);
    }

    /** The repository's tags that start with {@code prefix}, sorted. */
    private List<String> memoTags(String prefix) throws IOException {
        try {
            HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://" + registry.host() + "/v2/" + REPO + "/tags/list")).build(), HttpResponse.BodyHandlers.ofString());
            List<String> out = new ArrayList<>();
            for (var t : dev.kiln.store.json.StrictJson.parse(r.body().getBytes(UTF_8)).path("tags")) {
                if (t.asText().startsWith(prefix)) {
                    out.add(t.asText());
                }
            }
            Collections.sort(out);
            assertFalse(out.isEmpty(), "no tag " + prefix + "* in " + r.body());
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }
}
