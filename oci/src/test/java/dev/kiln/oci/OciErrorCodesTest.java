package dev.kiln.oci;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.oci.registry.RegistryException;
import dev.kiln.store.ErrorCodeCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The OCI module's error codes (layouts, archives, registries) are published names: pinned here, listed in the README. */
class OciErrorCodesTest {
    @Test
    void everyExceptionClassOfTheOciModuleIsOneThisTestKnows() {
        assertEquals(List.of(
                OciException.class.getName(),
                RegistryException.class.getName(),
                RegistryException.class.getName() + "$Transient"), ErrorCodeCheck.exceptionClasses(OciException.class));
    }

    @Test
    void eachClassNamesItsKind() {
        assertEquals("oci", new OciException("x").code());
        assertEquals("registry", new RegistryException("x").code());
        assertEquals("registry.not-found", new RegistryException(RegistryException.Kind.NOT_FOUND, "x").code());
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (OciException.Kind k : OciException.Kind.values()) {
            codes.add(k.code());
        }
        for (RegistryException.Kind k : RegistryException.Kind.values()) {
            codes.add(k.code());
        }
        ErrorCodeCheck.assertPublished(List.of(
                "oci",
                "oci.damaged",
                "oci.malformed",
                "oci.not-a-layout",
                "oci.platform",
                "oci.target-refused",
                "registry",
                "registry.credentials",
                "registry.denied",
                "registry.invalid-reference",
                "registry.not-found",
                "registry.plain-http",
                "registry.unauthorized",
                "registry.unavailable",
                "registry.wrong-bytes"), codes, "oci", "registry");
    }
}
