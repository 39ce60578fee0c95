package dev.kiln.api.client;

import static dev.kiln.api.testing.SuitesRepository.changelog;
import static dev.kiln.api.testing.SuitesRepository.docLink;
import static dev.kiln.api.testing.SuitesRepository.entry;
import static dev.kiln.api.testing.SuitesRepository.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.FetchEvent;
import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import dev.kiln.api.LockRequest;
import dev.kiln.api.OutdatedRequest;
import dev.kiln.api.OutdatedResult;
import dev.kiln.api.OutdatedResult.Changelog;
import dev.kiln.api.OutdatedResult.Update;
import dev.kiln.api.Spec;
import dev.kiln.api.testing.SuitesRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Kiln#outdated} against a fixture mirror with a main and a security suite: a lock made, then
 * updates published (a security one with CVEs, one through a doc directory linked to another
 * package's, one whose changelog alone says security, one that is not security), re-signed.
 */
class OutdatedTest {
    private static final Instant MADE = Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS);

    @TempDir
    static Path dir;
    static SuitesRepository repo;
    static Path spec;
    static Path lock;
    static Path keys;

    @BeforeAll
    static void lockThenPublishUpdates() throws IOException {
        repo = new SuitesRepository();
        for (String arch : SuitesRepository.ARCHS) {
            repo.add("stable", "libc-fix", "2.0-1", arch, "", files("libc-fix",
                    changelog("libc-fix", entry("libc-fix", "2.0-1", "stable", "medium", "Initial release."))));
            repo.add("stable", "libfoo1", "1.0-1", arch, "libfoo", files("libfoo1", docLink("libfoo1", "libfoo-common")));
        }
        repo.add("stable", "libbar", "1.0-1", "all", "", files("libbar"));
        repo.add("stable", "libmed", "1.0-1", "all", "", files("libmed"));
        repo.add("stable", "libqux", "3.0-1", "amd64", "", files("libqux"));
        repo.add("stable", "libqux", "3.0-1", "arm64", "", files("libqux"));
        repo.publish("stable", MADE.minus(Duration.ofDays(2)), MADE.plus(Duration.ofDays(7)));
        repo.publish("stable-security", MADE.minus(Duration.ofDays(2)), MADE.plus(Duration.ofDays(7)));
        keys = dir.resolve("fixture.asc");
        spec = dir.resolve("app.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n"
                + "    - " + repo.sourceLine(keys, "stable") + "\n"
                + "    - " + repo.sourceLine(keys, "stable-security") + "\n"
                + "  packages: [libc-fix, libfoo1, libbar, libmed, libqux]\narchs: [amd64, arm64]\n");
        try (Kiln kiln = kiln(dir.resolve("lock-store"), Clock.systemUTC())) {
            lock = kiln.lock(LockRequest.of(Spec.load(spec))).lockFile();
        }

        for (String arch : SuitesRepository.ARCHS) {
            repo.add("stable-security", "libc-fix", "2.0-1+deb1u1", arch, "", files("libc-fix", changelog("libc-fix",
                    entry("libc-fix", "2.0-1+deb1u1", "stable-security", "medium",
                            "Fix a heap overflow (CVE-2025-2222).", "Fix CVE-2025-1111."),
                    entry("libc-fix", "2.0-1", "stable", "medium", "Initial release, CVE-2024-0001 never affected it."))));
            repo.add("stable-security", "libfoo1", "1.0-2", arch, "libfoo", files("libfoo1", docLink("libfoo1", "libfoo-common")));
        }
        repo.add("stable-security", "libfoo-common", "1.0-2", "all", "libfoo", files("libfoo-common", changelog("libfoo-common",
                entry("libfoo", "1.0-2", "stable", "high", "Fix CVE-2025-3333 in the parser."),
                entry("libfoo", "1.0-1", "stable", "low", "Initial release."))));
        repo.add("stable", "libbar", "1.1-1", "all", "", files("libbar", changelog("libbar",
                entry("libbar", "1.1-1", "stable", "critical", "New upstream release."),
                entry("libbar", "1.0-1", "stable", "low", "Initial release."))));
        repo.add("stable", "libqux", "3.0-2", "amd64", "", files("libqux", changelog("libqux",
                entry("libqux", "3.0-2", "stable", "high", "Security fix for the parser."))));
        repo.add("stable", "libmed", "1.0-2", "all", "", files("libmed", changelog("libmed",
                entry("libmed", "1.0-2", "stable", "medium", "Fix CVE-2025-5555 (a point release's fix)."))));
        repo.publish("stable", MADE.minus(Duration.ofDays(1)), MADE.plus(Duration.ofDays(30)));
        repo.publish("stable-security", MADE.minus(Duration.ofDays(1)), MADE.plus(Duration.ofDays(30)));
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    private static Kiln kiln(Path store, Clock clock) {
        return Kiln.builder().store(store).keys(keys).clock(clock).open();
    }

    private static Map<String, Update> byName(OutdatedResult r) {
        Map<String, Update> out = new TreeMap<>();
        r.updates().forEach(u -> out.put(u.name(), u));
        return out;
    }

    @Test
    void eachUpdateIsReportedWithItsArchitecturesMergedItsSuiteAndWhatItsChangelogSays() {
        OutdatedResult r;
        try (Kiln kiln = kiln(dir.resolve("store-report"), Clock.systemUTC())) {
            r = kiln.outdated(OutdatedRequest.of(Spec.load(spec)));
        }
        assertEquals(List.of("libbar", "libc-fix", "libfoo1", "libmed", "libqux"), r.updates().stream().map(Update::name).toList());
        Map<String, Update> u = byName(r);

        Update security = u.get("libc-fix");
        assertEquals(List.of("amd64", "arm64"), security.architectures());
        assertEquals("2.0-1", security.lockedVersion());
        assertEquals("2.0-1+deb1u1", security.newVersion());
        assertEquals("stable-security", security.suite());
        assertTrue(security.repository().endsWith(" stable-security main"), security.repository());
        assertTrue(security.security(), "it comes from a -security suite");
        assertEquals(List.of("CVE-2025-1111", "CVE-2025-2222"), security.cves(), "only the entries newer than the lock's version");
        assertEquals(Optional.of("medium"), security.urgency());
        assertEquals(Changelog.READ, security.changelog());

        Update linked = u.get("libfoo1");
        assertEquals(List.of("CVE-2025-3333"), linked.cves(), "read from libfoo-common, where libfoo1's doc directory leads");
        assertEquals(Optional.of("high"), linked.urgency());
        assertEquals(Changelog.READ, linked.changelog());

        Update bySaying = u.get("libqux");
        assertEquals("stable", bySaying.suite());
        assertTrue(bySaying.security(), "urgency high and the word, though from the main suite");
        assertEquals(List.of(), bySaying.cves());

        Update byCve = u.get("libmed");
        assertTrue(byCve.security(), "a CVE id at urgency medium, from the main suite");
        assertEquals(List.of("CVE-2025-5555"), byCve.cves());
        assertEquals(List.of("amd64"), bySaying.architectures(), "arm64 has no newer libqux");

        Update plain = u.get("libbar");
        assertFalse(plain.security(), "urgency critical, but neither the word nor a CVE, from the main suite");
        assertEquals(Optional.of("critical"), plain.urgency());
        assertEquals(List.of(), plain.cves());
        assertEquals(List.of("amd64", "arm64"), plain.architectures(), "Architecture: all, in both indexes");
        assertTrue(r.security());
        assertEquals(List.of(), r.notes(), "the lock's Releases are still valid");
    }

    @Test
    void aSecondRunDownloadsAndUnpacksNothing() {
        Path store = dir.resolve("store-memo");
        List<FetchEvent.Started> started = java.util.Collections.synchronizedList(new ArrayList<>()); // told from the fetcher's threads
        OutdatedResult first;
        OutdatedResult second;
        try (Kiln kiln = Kiln.builder().store(store).keys(keys).addEventHandler(FetchEvent.Started.class, started::add).open()) {
            first = kiln.outdated(OutdatedRequest.of(Spec.load(spec)));
            assertEquals(6, started.size(), "libc-fix, libfoo1, libfoo-common, libbar, libmed, libqux: one .deb each: " + started);
            started.clear();
            second = kiln.outdated(OutdatedRequest.of(Spec.load(spec)));
        }
        assertEquals(List.of(), started, "every changelog is remembered by its .deb's sha256");
        assertEquals(first, second);
    }

    @Test
    void offlineNothingIsDownloadedAndWhatTheStoreLacksIsSaid() {
        Path store = dir.resolve("store-offline");
        try (Kiln kiln = kiln(store, Clock.systemUTC())) {
            // the store verifies today's Releases and indexes, and holds no .deb
            kiln.lock(LockRequest.of(Spec.load(spec)).withLockFile(dir.resolve("today.lock.json")));
        }
        int before = repo.requestCount();
        OutdatedResult r;
        try (Kiln kiln = kiln(store, Clock.systemUTC())) {
            r = kiln.outdated(OutdatedRequest.of(Spec.load(spec)).withMode(LockMode.OFFLINE));
        }
        assertEquals(before, repo.requestCount(), "offline, the mirror hears nothing");
        Map<String, Update> u = byName(r);
        assertEquals(5, u.size());
        assertTrue(u.get("libc-fix").security(), "the suite says so without the changelog");
        assertEquals(Changelog.OFFLINE, u.get("libc-fix").changelog());
        assertEquals(List.of(), u.get("libc-fix").cves());
        assertTrue(r.notes().stream().anyMatch(n -> n.startsWith("offline") && n.contains("libc-fix 2.0-1+deb1u1")), r.notes().toString());
    }

    @Test
    void aLockPastItsReleasesValidUntilGetsANoteAndALockNamesItsSpec() {
        Clock later = Clock.fixed(MADE.plus(Duration.ofDays(10)), ZoneOffset.UTC);
        OutdatedResult r;
        try (Kiln kiln = kiln(dir.resolve("store-later"), later)) {
            r = kiln.outdated(OutdatedRequest.ofLock(lock));
        }
        assertEquals(spec.toAbsolutePath().normalize(), r.specFile().toAbsolutePath().normalize());
        assertEquals(5, r.updates().size());
        assertEquals(2, r.notes().size(), r.notes().toString());
        assertTrue(r.notes().get(0).contains("stable main': the Release the lock was made from was valid until")
                && r.notes().get(0).contains("some may still be pending"), r.notes().get(0));
    }
}
