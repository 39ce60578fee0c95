package dev.kiln.assembler.image;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A kiln stopped by SIGTERM (as by Ctrl-C) leaves no staged blob in the store and no staging directory
 * beside its output; what one killed by SIGKILL leaves beside its output, the next layout staged for
 * the same output removes, never what a running kiln is staging there.
 */
class StoppedBySignalTest {
    @TempDir
    Path tmp;

    private Process writer(String store, Path out) throws Exception {
        Process p = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SignalledWriterMain.class.getName(), tmp.resolve(store).toString(),
                out.toString()).redirectErrorStream(true).start();
        assertEquals("staged", new BufferedReader(new InputStreamReader(p.getInputStream(), UTF_8)).readLine());
        return p;
    }

    private List<String> staging() throws Exception {
        return names(tmp).stream().filter(n -> n.startsWith(".out.kiln-")).toList();
    }

    @Test
    void sigkillLeavesStagingThatTheNextLayoutForTheSameOutputRemovesButALiveKilnsStays() throws Exception {
        Path out = tmp.resolve("out");
        Process killed = writer("store-1", out);
        Process live = null;
        try {
            List<String> dead = staging();
            assertEquals(2, dead.size(), "a staging directory and its lock: " + dead);
            live = writer("store-2", out);
            List<String> alive = new ArrayList<>(staging());
            alive.removeAll(dead);
            killed.destroyForcibly(); // SIGKILL: no shutdown hook runs
            assertTrue(killed.waitFor(60, TimeUnit.SECONDS));
            assertEquals(4, staging().size(), "the killed kiln's staging is still there: " + staging());

            ImageLayoutTest.writeSingle(out);

            assertEquals(alive, staging(), "the killed kiln's staging is gone, the running one's kept");
            assertTrue(Files.isRegularFile(out.resolve("oci-layout")));
        } finally {
            killed.destroyForcibly();
            if (live != null) {
                live.destroy();
                assertTrue(live.waitFor(60, TimeUnit.SECONDS));
            }
        }
        assertEquals(List.of(), staging(), "the running kiln stopped by SIGTERM removed its own");
    }

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
