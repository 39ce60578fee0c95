package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.testing.FixtureRepository;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln store gc} keeps what builds from a live lock made: the next {@code kiln build}
 * unpacks and compresses nothing ({@code store-memo} events) and gives the same image;
 * {@code --drop-memos} leaves no memo record; {@code --dry-run} says what gc then does.
 */
class StoreGcCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path tmp;
    FixtureRepository repo;
    Path spec;
    Path store;
    int builds;

    @BeforeEach
    void repository() throws IOException {
        CliRun.useCheckoutAsHome();
        repo = HelloRepository.publish();
        spec = HelloRepository.spec(repo, tmp);
        store = tmp.resolve("store");
    }

    @AfterEach
    void stop() {
        repo.close();
    }

    /** A build's digest and its store-memo events, "unpack 0/2" (made/reused) by step. */
    private record Build(String digest, Map<String, String> memo) {
    }

    private Build build() throws IOException {
        String[] r = CliRun.run("build", "--json", "--store", store.toString(), "-o", tmp.resolve("out" + builds++).toString(),
                spec.toString());
        assertEquals("0", r[0], r[1] + r[2]);
        Map<String, String> memo = new TreeMap<>();
        String digest = null;
        for (String line : r[1].split("\n")) {
            JsonNode n = JSON.readTree(line);
            if ("store-memo".equals(n.path("event").asText())) {
                memo.put(n.get("step").asText(), n.get("made").asInt() + "/" + n.get("reused").asInt());
            } else if (n.has("result")) {
                digest = n.get("result").get("digest").asText();
            }
        }
        return new Build(digest, memo);
    }

    private String[] gc(String... more) {
        List<String> args = new java.util.ArrayList<>(List.of("store", "gc", "--store", store.toString()));
        args.addAll(List.of(more));
        String[] r = CliRun.run(args.toArray(String[]::new));
        assertEquals("0", r[0], r[1] + r[2]);
        return r;
    }

    private long memoRecords() throws IOException {
        try (Stream<Path> s = Files.walk(store.resolve("memo"))) {
            return s.filter(Files::isRegularFile).count();
        }
    }

    @Test
    void aBuildAfterGcIsWarmAndAlike() throws IOException {
        Build cold = build();
        assertEquals(Map.of("layer", "2/0", "unpack", "2/0"), cold.memo());
        Path stray = Files.writeString(store.resolve("blobs/sha256").resolve("0".repeat(64)), "no root reaches this");

        String dry = gc("--dry-run")[1];
        String done = gc()[1];

        assertEquals(dry.replace("would delete", "deleted"), done);
        assertFalse(Files.exists(stray), done);
        Build warm = build();
        assertEquals(Map.of("layer", "0/2", "unpack", "0/2"), warm.memo());
        assertEquals(cold.digest(), warm.digest());
    }

    @Test
    void dropMemosLeavesNoMemoRecordAndTheNextBuildIsColdButAlike() throws IOException {
        Build first = build();
        assertTrue(memoRecords() > 0);

        String dry = gc("--drop-memos", "--dry-run")[1];
        String done = gc("--drop-memos")[1];

        assertEquals(dry.replace("would delete", "deleted"), done);
        assertEquals(0, memoRecords());
        Build cold = build();
        assertEquals(Map.of("layer", "2/0", "unpack", "2/0"), cold.memo());
        assertEquals(first.digest(), cold.digest());
    }
}
