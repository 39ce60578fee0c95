package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A package whose alternatives kiln cannot read is reported as a build warning, once, and the build goes on. */
class BuildWarningTest {
    @Test
    void anUnreadableAlternativesCallIsOneBuildWarningAndTheImageIsWritten(@TempDir Path tmp) throws IOException {
        try (FixtureRepository repo = new FixtureRepository()) {
            repo.add("oddtools", "1.0-1", "", List.of(
                    PackageFile.file("/usr/bin/odd", 0755, 1_700_000_000L, "odd"),
                    PackageFile.file("/usr/bin/mawk", 0755, 1_700_000_000L, "mawk"),
                    PackageFile.file("DEBIAN/postinst", 0755, 1_700_000_000L, "#!/bin/sh\nset -e\n"
                            + "update-alternatives --install /usr/bin/awk awk /usr/bin/mawk 5\n"
                            + "for t in $tools; do update-alternatives --install /usr/bin/$t $t /usr/bin/odd 1; done\n")));
            repo.publish();
            Path keys = tmp.resolve("fixture.asc");
            Path spec = Files.writeString(tmp.resolve("image.yaml"), """
                    contents:
                      repositories:
                        - %s
                      packages: [oddtools]
                    """.formatted(repo.sourceLine(keys)));
            List<BuildWarningEvent> warnings = new CopyOnWriteArrayList<>();
            try (Kiln kiln = Kiln.builder().store(tmp.resolve("store")).keys(keys)
                    .addEventHandler(BuildWarningEvent.class, warnings::add).open()) {
                kiln.build(BuildRequest.of(Spec.load(spec)).to(Target.layout(tmp.resolve("out"))));
                assertTrue(Files.exists(tmp.resolve("out/index.json")));
            }
            assertEquals(1, warnings.size(), warnings.toString());
            assertTrue(warnings.get(0).message().startsWith("oddtools 1.0-1: its postinst registers alternatives in a way kiln cannot read"
                    + " (update-alternatives --install /usr/bin/$t $t /usr/bin/odd 1)"), warnings.get(0).message());
        }
    }
}
