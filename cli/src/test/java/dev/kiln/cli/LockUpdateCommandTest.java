package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln lock} keeping pins and {@code --update [NAME...]} on the command line, against a
 * signed fixture repository on 127.0.0.1 that gains new versions after the first lock.
 */
class LockUpdateCommandTest {
    @TempDir
    Path tmp;
    FixtureRepository repo;
    Path spec;
    String store;

    @BeforeAll
    static void home() {
        CliRun.useCheckoutAsHome();
    }

    @BeforeEach
    void lockedThenMovedOn() throws IOException {
        repo = new FixtureRepository();
        repo.add("base-fixture", "1.0-1", "", List.of(file("/usr/lib/os-release", "ID=fixture\n")));
        repo.add("hello", "1.0-1", "base-fixture", List.of(file("/usr/bin/hello", "hello 1.0\n")));
        repo.publish("Mon, 20 Oct 2025 10:00:00 UTC");
        spec = Files.writeString(tmp.resolve("hello.yaml"), "contents:\n  repositories:\n    - \""
                + repo.sourceLine(tmp.resolve("fixture.asc")) + "\"\n  packages: [hello]\narchs: [amd64]\n");
        store = tmp.resolve("store").toString();
        assertEquals("0", CliRun.run("lock", "--store", store, spec.toString())[0]);
        repo.add("hello", "1.1-1", "base-fixture", List.of(file("/usr/bin/hello", "hello 1.1\n")));
        repo.add("base-fixture", "1.0-2", "", List.of(file("/usr/lib/os-release", "ID=fixture\nVERSION=2\n")));
        repo.publish("Tue, 21 Oct 2025 10:00:00 UTC");
    }

    @AfterEach
    void stop() {
        repo.close();
    }

    private static PackageFile file(String path, String content) {
        return PackageFile.file(path, 0644, 1_700_000_000L, content);
    }

    private List<String> pins() throws IOException {
        JsonNode lock = new ObjectMapper().readTree(tmp.resolve("hello.lock.json").toFile());
        return java.util.stream.StreamSupport.stream(lock.get("archs").get("amd64").spliterator(), false)
                .map(p -> p.get("name").asText() + " " + p.get("version").asText()).toList();
    }

    @Test
    void plainLockKeepsEveryPinAndSaysSo() throws IOException {
        String[] r = CliRun.run("lock", "--store", store, spec.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("every pin kept"), r[1]);
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.0-1"), pins());
        String[] check = CliRun.run("lock", "--check", "--store", store, spec.toString());
        assertEquals("0", check[0], "newer versions alone do not make the lock stale: " + check[1]);
    }

    @Test
    void updateNamesBeforeTheSpecMoveOnlyThosePackages() throws IOException {
        String[] r = CliRun.run("lock", "--store", store, "--update", "hello", spec.toString());
        assertEquals("0", r[0], r[2]);
        assertTrue(r[1].contains("~ amd64 hello 1.0-1 -> 1.1-1 (update asked for)"), r[1]);
        assertTrue(r[1].contains("1 package moved, every other pin kept"), r[1]);
        assertEquals(List.of("base-fixture 1.0-1", "hello 1.1-1"), pins());
    }

    @Test
    void updateAfterTheSpecTakesEverythingNewest() throws IOException {
        String[] r = CliRun.run("lock", "--store", store, spec.toString(), "--update");
        assertEquals("0", r[0], r[2]);
        assertEquals(List.of("base-fixture 1.0-2", "hello 1.1-1"), pins());
        assertFalse(r[1].contains("pin kept"), "the lock there was not read: " + r[1]);
    }

    @Test
    void updateWithOnlyTheSpecAfterItTakesEverythingNewest() throws IOException {
        String[] r = CliRun.run("lock", "--store", store, "--update", spec.toString());
        assertEquals("0", r[0], r[2]);
        assertEquals(List.of("base-fixture 1.0-2", "hello 1.1-1"), pins());
    }

    @Test
    void jsonSaysWhatMoved() throws IOException {
        String[] r = CliRun.run("lock", "--json", "--store", store, spec.toString(), "--update", "base-fixture");
        assertEquals("0", r[0], r[2]);
        String[] lines = r[1].strip().split("\n");
        JsonNode result = new ObjectMapper().readTree(lines[lines.length - 1]).get("result");
        assertTrue(result.get("replaced").asBoolean());
        assertEquals("[{\"architecture\":\"amd64\",\"name\":\"base-fixture\",\"from\":\"1.0-1\",\"to\":\"1.0-2\","
                + "\"reason\":\"update asked for\"}]", result.get("changes").toString());
    }

    @Test
    void anUnknownNameToUpdateIsAnErrorAndWritesNothing() throws IOException {
        byte[] before = Files.readAllBytes(tmp.resolve("hello.lock.json"));
        String[] r = CliRun.run("lock", "--store", store, "--update", "helo", spec.toString());
        assertEquals(Integer.toString(Main.ERROR), r[0], r[1]);
        assertTrue(r[2].contains("cannot update helo") && r[2].contains("did you mean hello?"), r[2]);
        assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(tmp.resolve("hello.lock.json"))));
    }

    @Test
    void checkOfflineAsksNoMirror() throws IOException {
        int before = repo.requestCount();
        String[] check = CliRun.run("lock", "--check", "--offline", "--store", store, spec.toString());
        assertEquals("0", check[0], check[1] + check[2]);
        assertEquals(before, repo.requestCount(), "--offline downloads nothing, with --check too");
    }

    @Test
    void checkTakesNoUpdate() {
        String[] r = CliRun.run("lock", "--check", "--update", "--store", store, spec.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--check"), r[2]);
    }
}
