package dev.kiln.resolver.repo;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * kiln against a repository made and signed at test time: it accepts the good one, and refuses each
 * way the metadata can be wrong, leaving nothing in the store's published area.
 */
class RepositoryRefusalTest {
    private static final Instant NOW = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);
    private static final TestKey ARCHIVE = TestKey.generate("Fixture Archive <archive@fixture.test>");

    @TempDir
    Path tmp;
    FixtureRepository repo;
    HttpTransport transport;
    ContentStore store;

    @BeforeEach
    void setUp() throws IOException {
        repo = new FixtureRepository(ARCHIVE);
        repo.date = NOW.minus(Duration.ofDays(3));
        transport = HttpTransport.withDefaults();
        store = ContentStore.open(tmp.resolve("store"));
    }

    @AfterEach
    void tearDown() {
        transport.close();
        repo.close();
    }

    private Lock lock(Keyring trusted, Instant now) {
        Resolver r = new Resolver(transport, store, trusted, Map.of("DEBIAN_MIRROR", repo.url()), now);
        return r.lock(new Resolver.LockRequest("spec.yaml", Digest.of("spec"), tmp,
                List.of(SourceLine.parse("deb ${DEBIAN_MIRROR} " + FixtureRepository.SUITE + " main")),
                List.of(Request.of("hello")), List.of("amd64"), SolveOptions.DEFAULT));
    }

    private Lock lock() {
        return lock(ARCHIVE.keyring(), NOW);
    }

    private KilnException refused() {
        return assertThrows(KilnException.class, this::lock);
    }

    private long published() throws IOException {
        long n = 0;
        for (String dir : List.of("blobs/sha256", "memo", "state")) {
            Path p = store.root().resolve(dir);
            try (Stream<Path> s = Files.walk(p)) {
                n += s.filter(Files::isRegularFile).count();
            }
        }
        return n;
    }

    private void assertNothingPublished() throws IOException {
        assertEquals(0, published(), "nothing may reach blobs/, memo/ or state/ after a refusal");
    }

    @Test
    void aGoodRepositoryIsLockedWithEveryPackagePinned() throws IOException {
        repo.publish();
        Lock lock = lock();
        List<Lock.Package> pkgs = lock.packages("amd64");
        assertEquals(List.of("hello", "libc-fixture"), pkgs.stream().map(Lock.Package::name).toList());
        assertEquals("pool/main/h/hello/hello_2.10-3_amd64.deb", pkgs.get(0).path());
        assertEquals(1234, pkgs.get(0).size());
        assertEquals(Digest.of(repo.files.get(repo.dists() + "InRelease")), lock.repositories().get(0).release());
        assertEquals(List.of(ARCHIVE.fingerprint()), lock.repositories().get(0).signedBy());
        assertEquals(NOW.minus(Duration.ofDays(3)), lock.repositories().get(0).date());
    }

    @Test
    void aMisspeltExcludeIsRefusedWithTheNameItMeant() throws IOException {
        repo.publish();
        Resolver r = new Resolver(transport, store, ARCHIVE.keyring(), Map.of("DEBIAN_MIRROR", repo.url()), NOW);
        SolveOptions typo = new SolveOptions(java.util.Set.of("libc-fixtur"), Map.of(), false);
        KilnException e = assertThrows(KilnException.class, () -> r.lock(new Resolver.LockRequest("spec.yaml", Digest.of("spec"), tmp,
                List.of(SourceLine.parse("deb ${DEBIAN_MIRROR} " + FixtureRepository.SUITE + " main")),
                List.of(Request.of("hello")), List.of("amd64"), typo)));
        assertTrue(e.getMessage().contains("contents.exclude: 'libc-fixtur'; did you mean libc-fixture?"), e.getMessage());
    }

    @Test
    void afterAFailedLockSettlesAnIndexStillBeingParsedStartsNoCacheWrite() throws IOException {
        // settle() is what a failed lock calls; the read after it stands for a parse that was still
        // running on the pool then (an interrupt does not stop it)
        repo.publish();
        RepositoryReader reader = new RepositoryReader(transport, store, NOW);
        RepositoryReader.VerifiedRelease vr = reader.release(new RepositoryReader.Source("deb ${DEBIAN_MIRROR} "
                + FixtureRepository.SUITE + " main", java.net.URI.create(repo.url() + "/"), FixtureRepository.SUITE,
                List.of("main"), dev.kiln.fetcher.pgp.TrustedKeys.of(ARCHIVE.keyring())));
        reader.settle();
        assertEquals(List.of("hello"), reader.read(vr, "amd64").packages().byName("hello").stream()
                .map(dev.kiln.resolver.debian.PackageRecord::name).toList(), "the parse itself still answers");
        reader.finish(); // waits for every write that was started
        Path memo = store.root().resolve("memo");
        try (Stream<Path> s = Files.walk(memo)) {
            assertEquals(List.of(), s.filter(Files::isRegularFile).map(memo::relativize).map(Path::toString)
                    .filter(f -> f.startsWith(IndexCodec.STEP.id())).toList(), "no parsed index was cached after settle()");
        }
    }

    @Test
    void anUnsignedInReleaseIsRefused() throws IOException {
        String release = repo.publish();
        repo.files.put(repo.dists() + "InRelease", release.getBytes(StandardCharsets.UTF_8));
        KilnException e = refused();
        assertTrue(e.getMessage().toLowerCase().contains("sign"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aSignatureByAnUnknownKeyIsRefused() throws IOException {
        repo.signer = TestKey.generate("Someone Else <else@fixture.test>");
        repo.publish();
        KilnException e = refused();
        assertTrue(e.getMessage().contains(repo.signer.fingerprint().substring(24)) || e.getMessage().contains("unknown")
                || e.getMessage().contains("not in"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aBadSignatureIsRefused() throws IOException {
        repo.publish();
        String signed = new String(repo.files.get(repo.dists() + "InRelease"), StandardCharsets.UTF_8);
        repo.files.put(repo.dists() + "InRelease", signed.replace("Origin: Fixture", "Origin: Fixturf").getBytes(StandardCharsets.UTF_8));
        KilnException e = refused();
        assertTrue(e.getMessage().toLowerCase().contains("bad"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aSignatureByAnExpiredKeyIsRefused() throws IOException {
        TestKey expired = TestKey.generate("Old Archive <old@fixture.test>", NOW.minus(Duration.ofDays(30)), Duration.ofDays(10));
        repo.signer = expired.signingAt(NOW.minus(Duration.ofDays(25)));
        repo.publish();
        KilnException e = assertThrows(KilnException.class, () -> lock(expired.keyring(), NOW));
        assertTrue(e.getMessage().toLowerCase().contains("expired"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aSignatureByARevokedKeyIsRefused() throws IOException {
        TestKey key = TestKey.generate("Revoked Archive <revoked@fixture.test>");
        repo.signer = key;
        repo.publish();
        KilnException e = assertThrows(KilnException.class, () -> lock(key.revoked().keyring(), NOW));
        assertTrue(e.getMessage().toLowerCase().contains("revoked"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aReleasePastItsValidUntilIsRefused() throws IOException {
        repo.validUntil = NOW.minus(Duration.ofHours(1));
        repo.publish();
        KilnException e = refused();
        assertTrue(e.getMessage().contains("Valid-Until"), e.getMessage());
        assertEquals("resolve.release-expired", e.code());
        assertNothingPublished();
    }

    @Test
    void aReleaseOlderThanOneAlreadySeenIsRefusedAsARollback() throws IOException {
        repo.publish();
        lock();
        long before = published();
        repo.date = repo.date.minus(Duration.ofDays(3));
        repo.publish();
        KilnException e = refused();
        assertTrue(e.getMessage().contains("rollback") && e.getMessage().contains("older"), e.getMessage());
        assertEquals("resolve.rollback", e.code());
        assertEquals(before, published(), "a refused rollback adds nothing to the store");
    }

    @Test
    void aNewerReleaseIsAccepted() throws IOException {
        repo.publish();
        lock();
        repo.date = repo.date.plus(Duration.ofDays(1));
        repo.publish();
        assertEquals(repo.date, lock().repositories().get(0).date());
    }

    @Test
    void aPackagesIndexThatDoesNotMatchTheSignedHashIsRefused() throws IOException {
        repo.publish();
        for (String path : List.copyOf(repo.files.keySet())) {
            if (path.contains("Packages") || path.contains("by-hash")) {
                byte[] b = repo.files.get(path).clone();
                b[b.length / 2] ^= 1;
                repo.files.put(path, b);
            }
        }
        KilnException e = refused();
        assertTrue(e.getMessage().contains("does not match the signed Release"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aPackagesIndexOfTheWrongSizeIsRefused() throws IOException {
        repo.publish();
        for (String path : List.copyOf(repo.files.keySet())) {
            if (path.contains("Packages") || path.contains("by-hash")) {
                byte[] b = repo.files.get(path);
                byte[] longer = java.util.Arrays.copyOf(b, b.length + 100);
                repo.files.put(path, longer);
            }
        }
        KilnException e = refused();
        assertTrue(e.getMessage().contains("bytes"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void aReleaseForAnotherSuiteIsRefused() throws IOException {
        repo.suiteField = "oldstable";
        repo.publish();
        KilnException e = refused();
        assertTrue(e.getMessage().contains("not 'stable'"), e.getMessage());
        assertNothingPublished();
    }

    @Test
    void withoutInReleaseTheDetachedSignatureIsChecked() throws IOException {
        repo.publish();
        repo.missing.add(repo.dists() + "InRelease");
        assertEquals(2, lock().packages("amd64").size());
    }

    @Test
    void withoutInReleaseABadDetachedSignatureIsRefused() throws IOException {
        repo.publish();
        repo.missing.add(repo.dists() + "InRelease");
        repo.files.put(repo.dists() + "Release.gpg", TestKey.generate("x <x@fixture.test>").detachSign(
                repo.files.get(repo.dists() + "Release")));
        refused();
        assertNothingPublished();
    }

    @Test
    void withNeitherInReleaseNorReleaseGpgTheRepositoryIsRefused() throws IOException {
        repo.publish();
        repo.missing.add(repo.dists() + "InRelease");
        repo.missing.add(repo.dists() + "Release.gpg");
        KilnException e = refused();
        assertTrue(e.getMessage().contains("neither InRelease nor Release.gpg"), e.getMessage());
        assertEquals("fetch.signature.not-signed", e.code());
        assertNothingPublished();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(ints = {-1, 1, -100, 100_000})
    void aWrongSizeForTheUncompressedIndexIsOnlyAHint(int error) throws IOException {
        // the compressed index is what the signature pins; the plain one's size only sizes a buffer
        repo.publish();
        Lock right = lock();
        store = ContentStore.open(tmp.resolve("store-" + error));
        repo.plainSizeError = error;
        repo.publish();
        Lock wrong = lock();
        assertEquals(right.packages("amd64"), wrong.packages("amd64"));
        assertEquals(2, wrong.packages("amd64").size());
    }

    @Test
    void anIndexOnlyAvailableAsXzIsRead() throws IOException {
        repo.listed = java.util.Set.of("Packages.xz");
        repo.publish();
        assertEquals(2, lock().packages("amd64").size());
    }

    @Test
    void anIndexOnlyAvailableUncompressedIsRead() throws IOException {
        repo.listed = java.util.Set.of("Packages");
        repo.publish();
        assertEquals(2, lock().packages("amd64").size());
    }

    @Test
    void aMissingByHashFileFallsBackToThePlainPath() throws IOException {
        repo.publish();
        repo.files.keySet().removeIf(p -> p.contains("by-hash"));
        assertEquals(2, lock().packages("amd64").size());
    }

    @Test
    void aWarmLockReadsNoIndexAgain() throws IOException {
        repo.publish();
        Lock first = lock();
        int before = repo.requests.get();
        Lock second = lock();
        assertEquals(first, second);
        assertEquals(1, repo.requests.get() - before, "only InRelease is fetched again");
    }

    private Lock lockOffline(String pkg, Instant now) {
        Resolver r = new Resolver(transport, store, ARCHIVE.keyring(), Map.of("DEBIAN_MIRROR", repo.url()), now);
        return r.lock(new Resolver.LockRequest("spec.yaml", Digest.of("offline " + pkg), tmp,
                List.of(SourceLine.parse("deb ${DEBIAN_MIRROR} " + FixtureRepository.SUITE + " main")),
                List.of(Request.of(pkg)), List.of("amd64"), SolveOptions.DEFAULT, true));
    }

    @Test
    void offlineWithAnEmptyStoreSaysToLockOnlineFirst() throws IOException {
        repo.publish();
        KilnException e = assertThrows(KilnException.class, () -> lockOffline("hello", NOW));
        assertTrue(e.getMessage().endsWith("\n  fix: resolve the spec online once ('kiln lock'), or use the store that did"),
                e.getMessage());
        assertEquals("resolve.offline-missing", e.code());
        assertEquals(0, repo.requests.get(), "offline makes no request");
    }

    @Test
    void offlineAfterAnOnlineLockResolvesANewSpecWithoutAnyRequest() throws IOException {
        repo.publish();
        lock();
        int before = repo.requests.get();
        assertEquals(List.of("libc-fixture"), lockOffline("libc-fixture", NOW).packages("amd64").stream().map(Lock.Package::name).toList());
        assertEquals(before, repo.requests.get());
    }

    @Test
    void offlineStillRefusesAReleasePastItsValidUntil() throws IOException {
        repo.validUntil = NOW.plus(Duration.ofDays(1));
        repo.publish();
        lock();
        KilnException e = assertThrows(KilnException.class, () -> lockOffline("hello", NOW.plus(Duration.ofDays(2))));
        assertTrue(e.getMessage().contains("Valid-Until"), e.getMessage());
    }
}
