package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kiln build --check} on the host's mirror: two builds from scratch, the second in another
 * JVM. A second build that differs is the api's BuildCheckTest.
 */
class BuildCheckTest {
    @TempDir
    Path tmp;

    private static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReproducibleBuildExitsZeroPrintsTheDigestAndLeavesOnlyTheOutput() throws IOException {
        Path spec = ReproducibleBuildTest.specAndLock(tmp.resolve("spec"));
        Path outDir = Files.createDirectory(tmp.resolve("out"));
        Path out = outDir.resolve("static-oci");
        StringWriter stdout = new StringWriter();
        StringWriter stderr = new StringWriter();
        int code = Main.run(new String[] {"build", "--check", "-q", "--frozen", "-o", out.toString(), spec.toString()},
                new PrintWriter(stdout, true), new PrintWriter(stderr, true));
        assertEquals(0, code, stderr.toString());
        String printed = stdout.toString();
        assertTrue(printed.startsWith("reproducible " + out + " (application/vnd.oci.image.manifest.v1+json sha256:"), printed);
        assertTrue(printed.contains("built again identically with java "), printed);
        assertEquals(List.of("static-oci", "static-oci.amd64.spdx.json", "static-oci.provenance.json"), names(outDir),
                "no second layout, no temporary store left");
        assertTrue(Files.isRegularFile(out.resolve("index.json")));
    }
}
