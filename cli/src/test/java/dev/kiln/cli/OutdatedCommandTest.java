package dev.kiln.cli;

import static dev.kiln.api.testing.SuitesRepository.changelog;
import static dev.kiln.api.testing.SuitesRepository.entry;
import static dev.kiln.api.testing.SuitesRepository.files;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.SuitesRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln outdated} through the CLI's entry point: against a fixture mirror where one lock is a
 * security version behind and another only a plain update behind; and, live, a lock made now
 * against the host's Debian mirror, which has nothing newer.
 */
class OutdatedCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Instant NOW = Instant.now();

    @TempDir
    static Path tmp;
    static SuitesRepository repo;
    /** A spec whose lock is one security version of libc-fix behind (CVE-2025-1111). */
    static Path secure;
    /** A spec whose lock is one plain version of libbar behind. */
    static Path plain;

    @BeforeAll
    static void lockThenPublish() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = new SuitesRepository();
        repo.add("stable", "libc-fix", "2.0-1", "all", "", files("libc-fix"));
        repo.add("stable", "libbar", "1.0-1", "all", "", files("libbar"));
        repo.publish("stable", NOW.minus(Duration.ofDays(2)), null);
        repo.publish("stable-security", NOW.minus(Duration.ofDays(2)), null);
        Path keys = tmp.resolve("fixture.asc");
        String lines = "    - " + repo.sourceLine(keys, "stable") + "\n    - " + repo.sourceLine(keys, "stable-security") + "\n";
        secure = tmp.resolve("secure.yaml");
        Files.writeString(secure, "contents:\n  repositories:\n" + lines + "  packages: [libc-fix]\narchs: [amd64, arm64]\n");
        plain = tmp.resolve("plain.yaml");
        Files.writeString(plain, "contents:\n  repositories:\n" + lines + "  packages: [libbar]\narchs: [amd64]\n");
        for (Path spec : List.of(secure, plain)) {
            String[] r = CliRun.run("lock", "--store", store(), spec.toString());
            assertEquals("0", r[0], r[1] + r[2]);
        }
        repo.add("stable-security", "libc-fix", "2.0-1+deb1u1", "all", "", files("libc-fix", changelog("libc-fix",
                entry("libc-fix", "2.0-1+deb1u1", "stable-security", "high", "Fix CVE-2025-1111."),
                entry("libc-fix", "2.0-1", "stable", "medium", "Initial release."))));
        repo.add("stable", "libbar", "1.1-1", "all", "", files("libbar", changelog("libbar",
                entry("libbar", "1.1-1", "stable", "medium", "New upstream release."))));
        repo.publish("stable", NOW.minus(Duration.ofDays(1)), null);
        repo.publish("stable-security", NOW.minus(Duration.ofDays(1)), null);
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    private static String store() {
        return tmp.resolve("store").toString();
    }

    @Test
    void aSecurityUpdateIsReportedWithItsCvesAndFailsByDefault() {
        String[] r = CliRun.run("outdated", "--store", store(), secure.toString());
        assertEquals("1", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("1 update, 1 security"), r[1]);
        assertTrue(r[1].contains("  security libc-fix 2.0-1 -> 2.0-1+deb1u1 (amd64, arm64) from stable-security; urgency high;"
                + " CVE-2025-1111"), r[1]);
        assertEquals("", r[2]);
        assertEquals("1", CliRun.run("outdated", "--fail-on", "security", "--store", store(), secure.toString())[0]);
    }

    @Test
    void failOnNeverReportsButExitsZero() {
        String[] r = CliRun.run("outdated", "--fail-on", "never", "--store", store(), secure.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("CVE-2025-1111"), r[1]);
    }

    @Test
    void aPlainUpdateFailsOnlyWithFailOnAny() {
        Path lock = tmp.resolve("plain.lock.json");
        String[] byDefault = CliRun.run("outdated", "--store", store(), lock.toString());
        assertEquals("0", byDefault[0], byDefault[1] + byDefault[2]);
        assertTrue(byDefault[1].contains("  update   libbar 1.0-1 -> 1.1-1 (amd64) from stable; urgency medium"), byDefault[1]);
        String[] any = CliRun.run("outdated", "--fail-on", "any", "--store", store(), lock.toString());
        assertEquals("1", any[0], any[1] + any[2]);
    }

    @Test
    void jsonIsOneUpdatePerLineThenTheSummary() throws IOException {
        String[] r = CliRun.run("outdated", "--json", "--store", store(), secure.toString(), plain.toString());
        assertEquals("1", r[0], r[1] + r[2]);
        assertEquals("", r[2]);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : r[1].lines().toList()) {
            lines.add(JSON.readTree(line));
        }
        List<JsonNode> updates = lines.stream().filter(l -> "update".equals(l.path("event").asText())).toList();
        assertEquals(2, updates.size(), r[1]);
        JsonNode u = updates.get(0);
        assertEquals("libc-fix", u.get("name").asText());
        assertEquals("[\"amd64\",\"arm64\"]", u.get("architectures").toString());
        assertEquals("2.0-1", u.get("lockedVersion").asText());
        assertEquals("2.0-1+deb1u1", u.get("newVersion").asText());
        assertEquals("stable-security", u.get("suite").asText());
        assertTrue(u.get("security").asBoolean());
        assertEquals("[\"CVE-2025-1111\"]", u.get("cves").toString());
        assertEquals("high", u.get("urgency").asText());
        assertEquals("read", u.get("changelog").asText());
        assertFalse(updates.get(1).get("security").asBoolean());
        JsonNode last = lines.get(lines.size() - 1);
        assertTrue(last.has("result"), "the summary is last: " + last);
        JsonNode result = last.get("result");
        assertEquals("security", result.get("failOn").asText());
        assertTrue(result.get("failed").asBoolean());
        assertEquals(2, result.get("updates").asInt());
        assertEquals(1, result.get("security").asInt());
        assertEquals(2, result.get("locks").size());
        for (JsonNode line : lines.subList(0, lines.size() - 1)) {
            assertTrue(line.has("event"), "every other line is an event: " + line);
        }
    }

    @Test
    void offlineDownloadsNothing() {
        Path offlineStore = tmp.resolve("offline-store");
        String[] locked = CliRun.run("lock", "--store", offlineStore.toString(), "-o", tmp.resolve("today.lock.json").toString(),
                secure.toString());
        assertEquals("0", locked[0], locked[1] + locked[2]);
        int before = repo.requestCount();
        String[] r = CliRun.run("outdated", "--offline", "--store", offlineStore.toString(), secure.toString());
        assertEquals(before, repo.requestCount(), r[1] + r[2]);
        assertEquals("1", r[0], "the suite alone says security: " + r[1] + r[2]);
        assertTrue(r[1].contains("changelog not in the store (offline)"), r[1]);
    }

    @Test
    void aFileThatIsNotThereAndAnUnknownFailOnAreUsageErrors() {
        String[] missing = CliRun.run("outdated", "--store", store(), tmp.resolve("nothing.yaml").toString());
        assertEquals("2", missing[0], missing[1] + missing[2]);
        assertTrue(missing[2].contains("no such file"), missing[2]);
        String[] bad = CliRun.run("outdated", "--fail-on", "sometimes", "--store", store(), secure.toString());
        assertEquals("2", bad[0], bad[1] + bad[2]);
        assertTrue(bad[2].contains("expected security, any or never, found 'sometimes'"), bad[2]);
    }

    /** Live: a lock made now with the host mirror's current libc6 (bookworm and bookworm-security) has nothing newer. */
    @Test
    void aLockMadeNowOnTheHostMirrorReportsNothing() throws IOException {
        Path spec = tmp.resolve("libc.yaml");
        Files.writeString(spec, """
                contents:
                  repositories:
                    - deb ${DEBIAN_MIRROR} bookworm main
                    - deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main
                  packages: [libc6]
                archs: [amd64]
                """);
        String live = tmp.resolve("live-store").toString();
        String[] locked = CliRun.run("lock", "--store", live, spec.toString());
        assertEquals("0", locked[0], locked[1] + locked[2]);
        String[] r = CliRun.run("outdated", "--store", live, spec.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        assertTrue(r[1].contains("nothing newer"), r[1]);
        assertFalse(r[1].contains("libc6"), r[1]);
    }
}
