package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.WhyResult.Answer;
import dev.kiln.api.WhyResult.Chain;
import dev.kiln.api.WhyResult.Link;
import dev.kiln.api.WhyResult.Status;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.WhyFixture;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Kiln#why}: the chains of dependencies that pulled a package into a lock's closure, read
 * from the locked packages' control data, against a signed fixture repository on 127.0.0.1.
 */
class WhyTest {
    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    static Path trusted;
    static Path spec;
    static Path store;

    @BeforeAll
    static void lockTheClosure() throws IOException {
        repo = new FixtureRepository();
        WhyFixture.addTo(repo);
        repo.publish();
        trusted = tmp.resolve("fixture.asc");
        spec = WhyFixture.spec(tmp.resolve("spec"), repo.sourceLine(trusted));
        store = tmp.resolve("store");
        try (Kiln kiln = kiln(store)) {
            kiln.lock(LockRequest.of(Spec.load(spec)));
        }
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    private static Kiln kiln(Path storeDir) {
        return Kiln.builder().store(storeDir).keys(trusted).open();
    }

    private static WhyResult why(String name) {
        try (Kiln kiln = kiln(store)) {
            return kiln.why(WhyRequest.of(name, spec));
        }
    }

    private static Answer only(WhyResult r) {
        assertEquals(1, r.answers().size(), r.toString());
        assertEquals(List.of("amd64"), r.answers().get(0).architectures());
        return r.answers().get(0);
    }

    @Test
    void aPackageTwoLevelsDownIsExplainedByTheShortestChainFromEachRequest() {
        WhyResult r = why("libbase");
        Answer a = only(r);
        assertEquals(Status.PULLED_IN, a.status());
        assertEquals(Optional.of("2.0-1"), a.version());
        assertTrue(r.inClosure());
        assertTrue(r.lockMatchesSpec());
        assertEquals(List.of(List.of("tool", "libbase"), List.of("app", "libmid", "libbase")),
                a.chains().stream().map(Chain::packages).toList(), "the shortest first");
        List<Link> links = a.chains().get(1).links();
        assertEquals(List.of("Depends: libmid (>= 1.0)", "Depends: libbase (>= 2)"), links.stream().map(Link::relation).toList());
        assertEquals(Optional.empty(), links.get(0).alternative());
        assertEquals(Optional.empty(), links.get(0).provided());
        assertEquals(0, a.moreChains());
    }

    @Test
    void theNumberOfChainsIsCappedAndTheRestCounted() {
        try (Kiln kiln = kiln(store)) {
            Answer a = only(kiln.why(WhyRequest.of("libbase", spec).withMaxChains(1)));
            assertEquals(List.of("tool"), a.chains().stream().map(Chain::root).toList());
            assertEquals(1, a.moreChains());
        }
    }

    @Test
    void anAlternativeSaysWhichOneWasTaken() {
        Link l = only(why("dash-fixture")).chains().get(0).links().get(0);
        assertEquals("Depends: busybox-fixture | dash-fixture", l.relation());
        assertEquals(Optional.of("dash-fixture"), l.alternative());
    }

    @Test
    void aVirtualPackageLeadsToItsProvider() {
        Link l = only(why("exim-fixture")).chains().get(0).links().get(0);
        assertEquals("Depends: mail-transport-agent", l.relation());
        assertEquals(Optional.of("mail-transport-agent"), l.provided());

        Answer virtual = only(why("mail-transport-agent"));
        assertEquals(Status.PULLED_IN, virtual.status());
        assertEquals(List.of("exim-fixture"), virtual.providedBy());
        assertEquals(List.of("app", "exim-fixture"), virtual.chains().get(0).packages());
    }

    @Test
    void aRequestedPackageIsSaidToBeRequested() {
        Answer a = only(why("app"));
        assertEquals(Status.REQUESTED, a.status());
        assertEquals(Optional.of("1.0-1"), a.version());
    }

    @Test
    void aPackageOutsideTheClosureSaysWhyItIsNotThere() {
        WhyResult excluded = why("liblegacy");
        assertFalse(excluded.inClosure());
        assertEquals(Status.EXCLUDED, only(excluded).status());
        assertEquals(Optional.empty(), only(excluded).version());

        Answer skipped = only(why("libextra"));
        assertEquals(Status.SKIPPED, skipped.status());
        assertEquals(List.of("libbase"), skipped.skippedBy());

        assertEquals(Status.ABSENT, only(why("unused")).status());
        assertEquals(Status.ABSENT, only(why("no-such-package")).status());
    }

    @Test
    void theLockMayBeNamedInsteadOfTheSpecAndASecondRunFetchesNothing() {
        Path lock = LockRequest.besideSpec(spec);
        why("tool");
        int requests = repo.requestCount();
        try (Kiln kiln = kiln(store)) {
            WhyResult r = kiln.why(WhyRequest.of("libmid", lock));
            assertEquals(spec, r.spec());
            assertEquals(lock, r.lockFile());
            assertEquals(List.of("app", "libmid"), only(r).chains().get(0).packages());
        }
        assertEquals(requests, repo.requestCount(), "the packages were in the store");
    }

    @Test
    void offlineWithoutThePackagesNamesWhatTheStoreLacks() {
        try (Kiln kiln = kiln(tmp.resolve("empty-store"))) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.why(WhyRequest.of("app", spec).withMode(LockMode.OFFLINE)));
            assertEquals("fetch.offline-missing", e.code());
        }
    }

    @Test
    void aSpecWithoutALockIsRefusedSayingHowToMakeOne() throws IOException {
        Path lonely = Files.writeString(tmp.resolve("lonely.yaml"), Files.readString(spec));
        try (Kiln kiln = kiln(store)) {
            KilnException e = assertThrows(KilnException.class, () -> kiln.why(WhyRequest.of("app", lonely)));
            assertEquals("lock.invalid", e.code());
            assertTrue(e.getMessage().contains("lonely.lock.json"), e.getMessage());
        }
    }

    @Test
    void aRequestNamesAPackageNotSomethingElse() {
        assertThrows(IllegalArgumentException.class, () -> WhyRequest.of("Not A Name", spec));
        assertThrows(IllegalArgumentException.class, () -> WhyRequest.of("app", spec).withMaxChains(0));
        assertThrows(IllegalArgumentException.class, () -> WhyRequest.of("app", spec).withMode(LockMode.FROZEN));
    }
}
