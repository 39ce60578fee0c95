package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The specs in the project's examples/ folder, which the README points people at. */
class ExamplesTest {
    // Maven runs tests in the module's directory; examples/ is beside it.
    private static final Path EXAMPLES = Path.of("").toAbsolutePath().resolveSibling("examples");

    @Test
    void everyExampleParses() throws IOException {
        List<Path> specs;
        try (Stream<Path> files = Files.list(EXAMPLES)) {
            specs = files.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
        }
        assertFalse(specs.isEmpty(), "no specs in " + EXAMPLES);
        for (Path spec : specs) {
            ImageSpecParser.parse(spec);
        }
    }

    @Test
    void baseIsDistrolessBase() {
        ImageSpec base = ImageSpecParser.parse(EXAMPLES.resolve("base.yaml"));
        assertEquals(List.of("base-files", "netbase", "tzdata", "ca-certificates", "media-types", "libc6", "libssl3", "openssl"),
                base.contents().packages().stream().map(PackageRequest::name).toList());
        assertEquals(List.of("amd64", "arm64"), base.archs());
        assertEquals(Optional.of("nonroot"), base.accounts().runAs());
        assertEquals(Optional.of("/usr/bin/openssl"), base.entrypoint());
        assertTrue(base.contents().repositories().stream().allMatch(r -> r.uriTemplate().startsWith("${")),
                "examples name no mirror host");
    }
}
