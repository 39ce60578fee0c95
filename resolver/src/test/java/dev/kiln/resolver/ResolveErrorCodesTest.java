package dev.kiln.resolver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.resolver.debian.DebianFormatException;
import dev.kiln.resolver.solve.UnsatisfiableException;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.ErrorCodeCheck;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The resolver's error codes (resolution, specs, locks) are published names: pinned here, listed in the README. */
class ResolveErrorCodesTest {
    @Test
    void everyExceptionClassOfTheResolverIsOneThisTestKnows() {
        assertEquals(List.of(
                ResolveException.class.getName(),
                DebianFormatException.class.getName(),
                UnsatisfiableException.class.getName(),
                SpecException.class.getName()), ErrorCodeCheck.exceptionClasses(ResolveException.class));
    }

    @Test
    void eachClassNamesItsKind() {
        assertEquals("resolve", new ResolveException("x").code());
        assertEquals("resolve.debian-format", new DebianFormatException("x").code());
        assertEquals("resolve.unsatisfiable", new UnsatisfiableException("x").code());
        assertEquals("spec.invalid", new SpecException("x", null).code());
        assertEquals("spec.copy-refused", new SpecException(SpecException.Kind.COPY_REFUSED, "x", null).at("s.yaml", 3, "paths[0]").code(),
                "placing a problem in the file keeps its kind");
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>();
        for (ResolveException.Kind k : ResolveException.Kind.values()) {
            codes.add(k.code());
        }
        for (SpecException.Kind k : SpecException.Kind.values()) {
            codes.add(k.code());
        }
        ErrorCodeCheck.assertPublished(List.of(
                "lock.invalid",
                "lock.mismatch",
                "lock.stale",
                "resolve",
                "resolve.debian-format",
                "resolve.key-not-found",
                "resolve.no-index",
                "resolve.no-release",
                "resolve.no-such-package",
                "resolve.offline-missing",
                "resolve.release-expired",
                "resolve.rollback",
                "resolve.unsatisfiable",
                "resolve.wrong-suite",
                "spec.context",
                "spec.copy-not-found",
                "spec.copy-outside-context",
                "spec.copy-refused",
                "spec.invalid",
                "spec.not-found"), codes, "resolve", "spec", "lock");
    }
}
