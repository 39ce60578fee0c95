package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.internal.BuildVariation;
import dev.kiln.api.testing.TinyRepository;
import dev.kiln.oci.compare.Difference;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A build check whose second build differs, on the host's mirror: the check names the first
 * differing file and keeps the second layout. (A reproducible one is the CLI's BuildCheckTest.)
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
    void aSecondBuildThatDiffersIsReportedWithTheFirstDifferingFileAndKept() throws IOException {
        Path spec = Files.createDirectories(tmp.resolve("spec")).resolve("static.yaml");
        Files.writeString(spec, Files.readString(TinyRepository.HOME.resolve("examples/static.yaml"))
                .replaceAll("(?m)^archs: .*$", "archs: [amd64]"));
        Path out = tmp.resolve("out").resolve("static-oci");
        List<String> log = new CopyOnWriteArrayList<>();
        try (Kiln kiln = SystemDefaults.kiln().store(tmp.resolve("lock-store")).home(TinyRepository.HOME)
                .addEventHandler(BuildCheckEvent.class, e -> log.add(e.digest())).open()) {
            kiln.lock(LockRequest.of(Spec.load(spec)));
            // an input, unlike the rest: the second image must differ
            BuildVariation other = BuildVariation.ofHost().withEpoch(1_000_000_000L);
            BuildCheck.Result r = kiln.checkBuild(BuildRequest.of(Spec.load(spec)).withMode(LockMode.FROZEN).to(Target.layout(out)),
                    other);

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
}
