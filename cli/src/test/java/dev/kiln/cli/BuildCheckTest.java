package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.BuildCheck;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.oci.compare.Difference;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code kiln build --check} on the host's mirror: two builds from scratch, the second in another JVM. */
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

    @Test
    void aSecondBuildThatDiffersIsReportedWithTheFirstDifferingFileAndKept() throws IOException {
        Path spec = ReproducibleBuildTest.specAndLock(tmp.resolve("spec"));
        Path out = tmp.resolve("out").resolve("static-oci");
        BuildCheck.Variation usual = BuildCheck.variation();
        Map<String, String> env = new HashMap<>(usual.env());
        env.put("SOURCE_DATE_EPOCH", "1000000000"); // an input, unlike the rest: the second image must differ
        BuildCheck.Variation other = new BuildCheck.Variation(usual.java(), usual.javaVersion(), env, usual.jvmOptions(), usual.umask());
        List<String> log = new ArrayList<>();
        BuildCheck.Result r = BuildCheck.run(spec, Optional.empty(), spec.resolveSibling("static.lock.json"), out, true,
                FetchListener.NONE, log::add, other);

        assertFalse(r.reproducible());
        Difference firstEntry = r.diff().of(Difference.Aspect.MTIME).get(0);
        assertTrue(firstEntry.where().startsWith("layer linux/amd64 layers[0] (sha256:"), firstEntry.where());
        assertEquals("bin", firstEntry.subject(), "the first entry of the layer");
        assertTrue(firstEntry.right().startsWith("1000000000 "), firstEntry.right());
        assertTrue(r.diff().differences().stream().anyMatch(d -> d.subject().equals("created")), r.diff().render());
        assertEquals(out.resolveSibling("static-oci.rebuild"), r.second().orElseThrow());
        assertTrue(Files.isRegularFile(r.second().get().resolve("index.json")), "the second layout is kept to look at");
        assertEquals(List.of("static-oci", "static-oci.amd64.spdx.json", "static-oci.provenance.json", "static-oci.rebuild",
                "static-oci.rebuild.amd64.spdx.json", "static-oci.rebuild.provenance.json"), names(out.getParent()),
                "no temporary store left");
        assertEquals(1, log.size(), log.toString());
    }
}
