package dev.kiln.oci.testing;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/** Runs the peer tools (skopeo, umoci, ...) that read what kiln writes. */
public final class Tools {
    private Tools() {
    }

    public record Run(int exit, String out) {}

    public static Run run(Path dir, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(false).start();
        byte[] out = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), UTF_8);
        assertTrue(p.waitFor(120, TimeUnit.SECONDS));
        if (p.exitValue() != 0) {
            return new Run(p.exitValue(), err);
        }
        return new Run(0, new String(out, UTF_8));
    }

    public static Run ok(Path dir, String... command) throws IOException, InterruptedException {
        Run r = run(dir, command);
        assertEquals(0, r.exit(), String.join(" ", command) + ": " + r.out());
        return r;
    }

    public static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }
}
