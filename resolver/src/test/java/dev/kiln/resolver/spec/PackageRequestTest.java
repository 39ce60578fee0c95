package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.debian.VersionRelation;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PackageRequestTest {
    @Test
    void aBareNameHasNoConstraint() {
        assertEquals(new PackageRequest("libc6", Optional.empty()), PackageRequest.parse("libc6"));
    }

    @Test
    void namesMayHoldPlusDotAndHyphen() {
        assertEquals("libstdc++6", PackageRequest.parse("libstdc++6").name());
        assertEquals("python3.11-minimal", PackageRequest.parse("python3.11-minimal").name());
    }

    @Test
    void parsesEachOfTheFiveRelations() {
        assertEquals(VersionRelation.EARLIER, PackageRequest.parse("libc6 (<< 2.37)").constraint().get().relation());
        assertEquals(VersionRelation.EARLIER_OR_EQUAL, PackageRequest.parse("libc6 (<= 2.37)").constraint().get().relation());
        assertEquals(VersionRelation.EQUAL, PackageRequest.parse("libc6 (= 2.36-9)").constraint().get().relation());
        assertEquals(VersionRelation.LATER_OR_EQUAL, PackageRequest.parse("libc6 (>= 2.36)").constraint().get().relation());
        assertEquals(VersionRelation.LATER, PackageRequest.parse("libc6 (>> 2.35)").constraint().get().relation());
    }

    @Test
    void toleratesSpacingInsideTheParentheses() {
        PackageRequest expected = new PackageRequest("libc6", Optional.of(new VersionConstraint(VersionRelation.LATER_OR_EQUAL, "2.36")));
        assertEquals(expected, PackageRequest.parse("libc6(>=2.36)"));
        assertEquals(expected, PackageRequest.parse("libc6 ( >= 2.36 )"));
    }

    @Test
    void nameEqualsVersionMeansExactlyThatVersion() {
        PackageRequest request = PackageRequest.parse("libc6=2.36-9+deb12u14");
        assertEquals(new VersionConstraint(VersionRelation.EQUAL, "2.36-9+deb12u14"), request.constraint().get());
        assertEquals("libc6 (= 2.36-9+deb12u14)", request.toString());
    }

    @Test
    void keepsEpochsInVersions() {
        assertEquals("1:2.36-9", PackageRequest.parse("libc6 (>= 1:2.36-9)").constraint().get().version());
        assertEquals("1:2.36-9", PackageRequest.parse("libc6=1:2.36-9").constraint().get().version());
    }

    @Test
    void refusesTheObsoleteSingleAngleRelations() {
        SpecException e = assertThrows(SpecException.class, () -> PackageRequest.parse("libc6 (< 2.37)"));
        assertEquals("'<' in 'libc6 (< 2.37)' is not a version relation; write '<<' for strictly earlier or '<=' for earlier or equal",
                e.getMessage());
    }

    @Test
    void refusesNamesAgainstDebianRules() {
        for (String bad : new String[] {"a", "-libc6", "lib c6", "libc6_dev", "", "libc6 (2.36)"}) {
            SpecException e = assertThrows(SpecException.class, () -> PackageRequest.parse(bad), bad);
            assertTrue(e.getMessage().startsWith("expected a package name like 'libc6', 'libc6 (>= 2.36)' or 'libc6=2.36-9+deb12u14', found '"),
                    e.getMessage());
        }
    }

    @Test
    void saysNamesAreLowercase() {
        SpecException e = assertThrows(SpecException.class, () -> PackageRequest.parse("LibC6"));
        assertTrue(e.getMessage().endsWith("; Debian package names are lowercase"), e.getMessage());
    }

    @Test
    void refusesArchitectureQualifiers() {
        SpecException e = assertThrows(SpecException.class, () -> PackageRequest.parse("libc6:arm64"));
        assertTrue(e.getMessage().contains("architecture qualifiers are not supported"), e.getMessage());
    }

    @Test
    void refusesAMalformedVersion() {
        SpecException e = assertThrows(SpecException.class, () -> PackageRequest.parse("libc6=2.36 9"));
        assertTrue(e.getMessage().startsWith("expected a package name"), e.getMessage());
        SpecException v = assertThrows(SpecException.class, () -> PackageRequest.parse("libc6 (>= _2)"));
        assertTrue(v.getMessage().startsWith("'_2' in 'libc6 (>= _2)' is not a Debian version"), v.getMessage());
    }
}
