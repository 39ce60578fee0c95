package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.oci.testing.TestRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --cache} on the command line: a CI build pushes, another store builds the same image from
 * the cache and its {@code --json} events say so; pushing without a key is a usage error.
 */
class CacheCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    static Path tmp;
    static FixtureRepository repo;
    static Path spec;

    @BeforeAll
    static void fixture() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = HelloRepository.publish();
        spec = HelloRepository.spec(repo, tmp);
    }

    @AfterAll
    static void stop() {
        repo.close();
    }

    @Test
    void pushingWithoutAKeyIsAUsageError() {
        String[] r = CliRun.run("build", "--store", tmp.resolve("usage-store").toString(), "-o", tmp.resolve("usage").toString(),
                "--cache", "127.0.0.1:9/kiln/cache", "--cache-push", spec.toString());
        assertEquals("2", r[0]);
        assertTrue(r[2].contains("--cache-push needs --cache-key"), r[2]);
        String[] noCache = CliRun.run("build", "--store", tmp.resolve("usage-store").toString(), "-o", tmp.resolve("usage").toString(),
                "--cache-trust", tmp.resolve("ci.pub").toString(), spec.toString());
        assertEquals("2", noCache[0]);
        assertTrue(noCache[2].contains("need --cache"), noCache[2]);
        String[] tagged = CliRun.run("build", "--store", tmp.resolve("usage-store").toString(), "-o", tmp.resolve("usage").toString(),
                "--cache", "127.0.0.1:9/kiln/cache:latest", spec.toString());
        assertEquals("2", tagged[0]);
        assertTrue(tagged[2].contains("names a tag or digest"), tagged[2]);
    }

    @Test
    void aSecondStoreBuildsFromTheCacheAndItsJsonEventsSaySo() throws IOException {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        String[] keys = CliRun.run("keys", "generate", "ci", "--dir", tmp.resolve("keys").toString());
        assertEquals("0", keys[0], keys[2]);
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("registry"))) {
            String cache = registry.host() + "/kiln/cache";
            List<JsonNode> a = json("build", "--json", "--store", tmp.resolve("store-a").toString(), "-o", tmp.resolve("a").toString(),
                    "--cache", cache, "--cache-push", "--cache-key", tmp.resolve("keys/ci.key").toString(), spec.toString());
            assertTrue(events(a, "cache-pushed").get(0).get("entries").asInt() > 0, a.toString());
            List<JsonNode> b = json("build", "--json", "--store", tmp.resolve("store-b").toString(), "-o", tmp.resolve("b").toString(),
                    "--cache", cache, "--cache-trust", tmp.resolve("keys/ci.pub").toString(), spec.toString());
            assertEquals(a.get(a.size() - 1).get("result").get("digest"), b.get(b.size() - 1).get("result").get("digest"));
            assertTrue(events(b, "cache-hit").stream().anyMatch(e -> e.get("step").asText().equals("layer-v3")), b.toString());
            assertTrue(events(b, "store-memo").stream().allMatch(e -> e.get("made").asInt() == 0), b.toString());
            assertEquals(List.of(), events(b, "cache-pushed"));
        }
    }

    @Test
    void storePushPublishesWhatAStoreBuiltWithoutTheCacheHolds() throws IOException {
        assumeTrue(TestRegistry.available(), "docker-registry is not installed");
        String[] keys = CliRun.run("keys", "generate", "ci", "--dir", tmp.resolve("push-keys").toString());
        assertEquals("0", keys[0], keys[2]);
        String store = tmp.resolve("push-store").toString();
        String[] built = CliRun.run("build", "-q", "--store", store, "-o", tmp.resolve("push-a").toString(), spec.toString());
        assertEquals("0", built[0], built[2]);
        Path lock = spec.resolveSibling(spec.getFileName().toString().replace(".yaml", ".lock.json"));
        try (TestRegistry registry = TestRegistry.start(tmp.resolve("push-registry"))) {
            String cache = registry.host() + "/kiln/cache";
            String[] r = CliRun.run("store", "push", "--store", store, "--cache", cache, "--cache-key",
                    tmp.resolve("push-keys/ci.key").toString(), lock.toString());
            assertEquals("0", r[0], r[1] + r[2]);
            assertTrue(r[1].matches("sent [1-9][0-9]* entries and [1-9][0-9]* blobs \\([0-9]+ bytes\\) for 1 lock to " + cache + "\n"), r[1]);
            List<JsonNode> b = json("build", "--json", "--store", tmp.resolve("push-b").toString(), "-o", tmp.resolve("push-out").toString(),
                    "--cache", cache, "--cache-trust", tmp.resolve("push-keys/ci.pub").toString(), spec.toString());
            assertTrue(events(b, "store-memo").stream().allMatch(e -> e.get("made").asInt() == 0), b.toString());
        }
        String[] noKey = CliRun.run("store", "push", "--store", store, "--cache", "127.0.0.1:9/kiln/cache", lock.toString());
        assertEquals("2", noKey[0]);
    }

    private static List<JsonNode> json(String... args) throws IOException {
        String[] r = CliRun.run(args);
        assertEquals("0", r[0], r[1] + r[2]);
        assertEquals("", r[2], "nothing on stderr with --json");
        return lines(r[1]);
    }

    /** The JSON objects {@code --json} printed, one a line. */
    static List<JsonNode> lines(String out) throws IOException {
        List<JsonNode> nodes = new ArrayList<>();
        for (String line : out.lines().toList()) {
            nodes.add(JSON.readTree(line));
        }
        return nodes;
    }

    /** The events named {@code name} among {@code lines}. */
    static List<JsonNode> events(List<JsonNode> lines, String name) {
        return lines.stream().filter(l -> name.equals(l.path("event").asText())).toList();
    }
}
