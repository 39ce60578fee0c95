package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.oci.Platform;
import dev.kiln.resolver.spec.Architectures;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The OCI module knows the spec's architecture names without the resolver (a docker archive is
 * asked for one by them): both must read every name the same way.
 */
class ArchitectureNamesTest {
    @Test
    void theOciPlatformReadsEveryArchitectureNameAsTheSpecDoes() {
        List<String> names = new ArrayList<>(Architectures.DEBIAN);
        names.addAll(List.of("x86_64", "aarch64", "ppc64le", "386", "arm", "armv7", "riscv", "X86_64", "amd64 ", ""));
        for (String name : names) {
            assertEquals(Architectures.toDebian(name), Platform.debianName(name), name);
        }
    }
}
