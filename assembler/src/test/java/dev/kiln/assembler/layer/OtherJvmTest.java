package dev.kiln.assembler.layer;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.oci.LayerDigests;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The same layer bytes from every JDK on the host (Debian's OpenJDK uses the system zlib; Temurin bundles its own). */
class OtherJvmTest {
    @Test
    void everyInstalledJdkWritesTheSameLayer() throws Exception {
        LayerDigests here = new TarLayerWriter(TarLayerWriterTest.EPOCH).writeGzip(TarLayerWriterTest.fixture(),
                new ByteArrayOutputStream());
        String expected = here.compressed() + " " + here.uncompressed();
        Path self = Path.of(System.getProperty("java.home")).toRealPath();
        List<Path> others;
        try (Stream<Path> jdks = Files.list(Path.of("/usr/lib/jvm"))) {
            others = jdks.filter(p -> Files.isExecutable(p.resolve("bin/java")))
                    .map(p -> {
                        try {
                            return p.toRealPath();
                        } catch (java.io.IOException e) {
                            return p;
                        }
                    })
                    .distinct().filter(p -> !p.equals(self)).toList();
        } catch (java.nio.file.NoSuchFileException e) {
            others = List.of();
        }
        assumeTrue(!others.isEmpty(), "another JDK under /usr/lib/jvm");
        for (Path jdk : others) {
            Process p = new ProcessBuilder(jdk.resolve("bin/java").toString(), "-cp", System.getProperty("java.class.path"),
                    OtherJvmMain.class.getName()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), UTF_8).strip();
            assertTrue(p.waitFor(120, TimeUnit.SECONDS));
            if (p.exitValue() != 0 && out.contains("UnsupportedClassVersionError")) {
                continue; // an older JDK than the build's target
            }
            assertEquals(0, p.exitValue(), jdk + ": " + out);
            assertEquals(expected, out, jdk.toString());
        }
    }
}
