package dev.kiln.assembler.oci;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A kiln stopped by SIGTERM (as by Ctrl-C) leaves no staged blob in the store and no staging directory beside its output. */
class StoppedBySignalTest {
    @TempDir
    Path tmp;

    @Test
    void sigtermRemovesWhatWasBeingWritten() throws Exception {
        Path store = tmp.resolve("store");
        Path out = tmp.resolve("out");
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SignalledWriterMain.class.getName(), store.toString(), out.toString())
                .redirectErrorStream(true).start();
        try {
            BufferedReader lines = new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8));
            assertEquals("staged", lines.readLine());
            assertEquals(1, count(store.resolve("tmp")), "a blob is being staged");
            assertTrue(names(tmp).stream().anyMatch(n -> n.startsWith(".out.kiln-")), "a layout is being staged: " + names(tmp));
            p.destroy(); // SIGTERM
            assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        } finally {
            p.destroyForcibly();
        }
        assertEquals(0, count(store.resolve("tmp")), "the staged blob is gone");
        assertEquals(List.of("store"), names(tmp), "no staging directory beside the output");
    }

    private static long count(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    private static List<String> names(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(x -> x.getFileName().toString()).sorted().toList();
        }
    }
}
