package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class RelationTest {
    private static final String WHAT = "libstdc++6 12.2.0-14 Depends";

    private static Relation one(String text) {
        return Relation.parseOne(text, text, WHAT);
    }

    /** Groups written back as text, so a whole field can be compared in one line. */
    private static List<String> groups(String field) {
        return Relation.parseGroups(field, WHAT).stream()
                .map(g -> String.join(" | ", g.stream().map(Relation::toString).toList()))
                .toList();
    }

    @Test
    void aBareNameIsUnversioned() {
        Relation r = one("debconf");
        assertEquals(new Relation("debconf", null, null, null), r);
        assertFalse(r.versioned());
        assertTrue(r.versionMatches(DebianVersion.parse("1.5.82")));
    }

    @Test
    void groupsAreSplitOnCommasAndAlternativesOnBars() {
        assertEquals(List.of("adduser", "gpgv | gpgv2 | gpgv1", "libapt-pkg6.0 (>= 2.6.1)", "debconf (>= 0.5) | debconf-2.0"),
                groups("adduser, gpgv | gpgv2 | gpgv1, libapt-pkg6.0 (>= 2.6.1), debconf (>= 0.5) | debconf-2.0"));
    }

    @ParameterizedTest(name = "({0} 2.36) is {1}")
    @CsvSource(delimiter = '|', textBlock = """
            <<  | EARLIER
            <=  | EARLIER_OR_EQUAL
            =   | EQUAL
            >=  | LATER_OR_EQUAL
            >>  | LATER
            <   | EARLIER_OR_EQUAL
            >   | LATER_OR_EQUAL
            """)
    void everyVersionOperatorIsRead(String op, VersionRelation expected) {
        Relation r = one("libc6 (" + op + " 2.36-9+deb12u7)");
        assertEquals(expected, r.relation());
        assertEquals("2.36-9+deb12u7", r.version());
        assertEquals("libc6", r.name());
    }

    @Test
    void theObsoleteSingleAnglesAreNotStrict() {
        assertTrue(one("dpkg (< 1.15.0)").versionMatches(DebianVersion.parse("1.15.0")));
        assertTrue(one("dpkg (> 1.15.0)").versionMatches(DebianVersion.parse("1.15.0")));
        assertFalse(one("dpkg (<< 1.15.0)").versionMatches(DebianVersion.parse("1.15.0")));
        assertFalse(one("dpkg (>> 1.15.0)").versionMatches(DebianVersion.parse("1.15.0")));
    }

    @Test
    void versionMatchesUsesDebianOrdering() {
        Relation r = one("zlib1g (>= 1:1.1.4)");
        assertTrue(r.versionMatches(DebianVersion.parse("1:1.2.13.dfsg-1")));
        assertFalse(r.versionMatches(DebianVersion.parse("1.3")), "no epoch sorts below epoch 1");
        assertTrue(one("sendfile (<< 2.1b.20080616-5.2~)").versionMatches(DebianVersion.parse("2.1b.20080616-5.1")));
    }

    @Test
    void theAnyAndNativeQualifiersAreKept() {
        assertEquals(new Relation("python3", "any", null, null), one("python3:any"));
        assertEquals(new Relation("perl", "any", VersionRelation.LATER_OR_EQUAL, "5.36"), one("perl:any (>= 5.36)"));
        assertEquals(new Relation("gcc", "native", null, null), one("gcc:native"));
        assertEquals(new Relation("libc6", "amd64", VersionRelation.EQUAL, "2.36-9"), one("libc6:amd64(=2.36-9)"));
    }

    @Test
    void toStringWritesTheRelationBackInCanonicalForm() {
        assertEquals("perl:any (>= 5.36)", one("perl:any(>=5.36)").toString());
        assertEquals("dpkg (<= 1.15.0)", one("dpkg (< 1.15.0)").toString(), "the obsolete < is written as <=");
    }

    @Test
    void spacesTabsAndNewlinesInsideAreIgnored() {
        assertEquals(List.of("libc6 (>= 2.36)", "libgcc-s1 (>= 3.0) | libgcc1", "python3:any (>> 3.11)"),
                groups("\n libc6\t(  >=   2.36 ),\n libgcc-s1 (>=\n 3.0)\n |\tlibgcc1 ,\n\tpython3:any\n(>>3.11)\n"));
    }

    @Test
    void emptyTrailingAndDoubledCommasAreSkipped() {
        assertEquals(List.of("a", "b"), groups("a, , b,"));
        assertEquals(List.of(), Relation.parseGroups("", WHAT));
        assertEquals(List.of(), Relation.parseGroups(null, WHAT));
        assertEquals(List.of(), Relation.parseGroups(" \n ", WHAT));
    }

    @Test
    void architectureRestrictionsAndBuildProfilesAreSkipped() {
        assertEquals(new Relation("libseccomp-dev", null, VersionRelation.LATER_OR_EQUAL, "2.5"),
                one("libseccomp-dev (>= 2.5) [amd64 arm64]"));
        assertEquals(new Relation("python3-pytest", null, null, null), one("python3-pytest <!nocheck>"));
    }

    @Test
    void anUnclosedParenthesisIsAnError() {
        DebianFormatException e = assertThrows(DebianFormatException.class,
                () -> Relation.parseGroups("libc6 (>= 2.36, libgcc-s1", WHAT));
        assertTrue(e.getMessage().startsWith(WHAT + ": unclosed '('"), e.getMessage());
        assertTrue(e.getMessage().contains("libc6 (>= 2.36, libgcc-s1"), "names the whole field: " + e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"libc6 (>= )", "libc6 (>=)", "libc6 ()", "libc6 ( 2.36 )"})
    void aParenthesisWithoutOperatorAndVersionIsAnError(String field) {
        DebianFormatException e = assertThrows(DebianFormatException.class, () -> Relation.parseGroups(field, WHAT));
        assertTrue(e.getMessage().contains("expected '(op version)'"), e.getMessage());
    }

    @Test
    void anUnknownOperatorIsAnError() {
        DebianFormatException e = assertThrows(DebianFormatException.class, () -> Relation.parseGroups("libc6 (=> 2.36)", WHAT));
        assertTrue(e.getMessage().contains("unknown version relation '=>'"), e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a | | b", "a, | b", "(>= 1)", "a |"})
    void anEmptyAlternativeIsAnError(String field) {
        DebianFormatException e = assertThrows(DebianFormatException.class, () -> Relation.parseGroups(field, WHAT));
        assertTrue(e.getMessage().contains("expected a package name"), e.getMessage());
    }

    @Test
    void parseListReadsFieldsWithoutAlternatives() {
        assertEquals(List.of(new Relation("gcc-4.3", null, VersionRelation.EARLIER, "4.3.6-1"),
                        new Relation("scim", null, null, null),
                        new Relation("mail-transport-agent", null, null, null)),
                Relation.parseList("gcc-4.3 (<< 4.3.6-1),\n scim, mail-transport-agent", "exim4 Conflicts"));
    }

    @Test
    void alternativesInConflictsAreAnError() {
        DebianFormatException e = assertThrows(DebianFormatException.class,
                () -> Relation.parseList("scim (<< 1.4.2-1), postfix | sendmail", "exim4 Conflicts"));
        assertTrue(e.getMessage().startsWith("exim4 Conflicts: alternatives ('|') are not allowed"), e.getMessage());
        assertTrue(e.getMessage().contains("postfix | sendmail"), e.getMessage());
    }
}
