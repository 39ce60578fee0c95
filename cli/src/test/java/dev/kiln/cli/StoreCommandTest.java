package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.ContentStore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln store} inspects a store that exists, and makes none where --store points by mistake. */
class StoreCommandTest {
    @TempDir
    Path tmp;

    @Test
    void aStoreThatDoesNotExistIsAnErrorAndIsNotCreated() throws IOException {
        Path missing = tmp.resolve("typo/store");
        Path plain = Files.createDirectories(tmp.resolve("plain"));
        for (List<String> sub : List.of(List.of("ls"), List.of("du"), List.of("verify"), List.of("gc", "--dry-run"))) {
            String[] r = CliRun.run(args(sub, missing));
            assertEquals(Integer.toString(Main.ERROR), r[0], sub + ": " + r[1] + r[2]);
            assertTrue(r[2].contains("no kiln store at " + missing + " (nothing there)") && r[2].contains("fix: check --store"), r[2]);
            assertFalse(Files.exists(tmp.resolve("typo")), sub + " made a directory");
            String[] p = CliRun.run(args(sub, plain));
            assertEquals(Integer.toString(Main.ERROR), p[0], sub + ": " + p[1] + p[2]);
            assertTrue(p[2].contains("(it holds no kiln-store file)"), p[2]);
        }
    }

    @Test
    void aStoreThatExistsIsListed() {
        Path root = tmp.resolve("store");
        try (ContentStore s = ContentStore.open(root)) {
            s.put("hello\n".getBytes(StandardCharsets.UTF_8));
        }
        String[] ls = CliRun.run("store", "ls", "--store", root.toString());
        assertEquals("0", ls[0], ls[2]);
        assertTrue(ls[1].contains("(unreferenced)"), ls[1]);
        String[] du = CliRun.run("store", "du", "--store", root.toString());
        assertEquals("0", du[0], du[2]);
    }

    private static String[] args(List<String> sub, Path store) {
        List<String> a = new java.util.ArrayList<>(List.of("store"));
        a.addAll(sub);
        a.add("--store");
        a.add(store.toString());
        return a.toArray(String[]::new);
    }
}
