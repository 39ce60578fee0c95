package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** deb-changelog(5): headers, bodies, trailers, versions compared as Debian does, CVE ids and urgencies. */
class DebianChangelogTest {
    /** In the shape of glibc's bookworm changelog: a security upload, a point release, then the old format. */
    private static final String GLIBC = """
            glibc (2.36-9+deb12u4) bookworm-security; urgency=medium

              * debian/patches/any/local-CVE-2023-4911.patch: Fix a buffer overflow in
                the dynamic loader's processing of GLIBC_TUNABLES (CVE-2023-4911,
                cve-2023-4806).
              * Fix CVE-2023-10001 and CVE-2023-5156.

             -- Aurelien Jarno <aurel32@debian.org>  Sun, 01 Oct 2023 15:10:20 +0200

            glibc (2.36-9+deb12u3) bookworm; urgency=HIGH, binary-only=yes

              * Security fix.

             -- Aurelien Jarno <aurel32@debian.org>  Sat, 23 Sep 2023 12:00:00 +0200

            glibc (1:2.36-9+deb12u2~1) unstable experimental; urgency=low

              * Older.
             -- Someone Else <else@example.invalid> Mon, 01 May 2023 10:00:00 +0000

            Old Changelog:
            This text is not parsed.
            """;

    @Test
    void entriesAreReadNewestFirstWithTheirHeaderBodyAndTrailer() {
        DebianChangelog c = DebianChangelog.parse(GLIBC, "glibc");
        assertEquals(List.of("2.36-9+deb12u4", "2.36-9+deb12u3", "1:2.36-9+deb12u2~1"),
                c.entries().stream().map(DebianChangelog.Entry::version).toList());
        DebianChangelog.Entry first = c.entries().get(0);
        assertEquals("glibc", first.source());
        assertEquals(List.of("bookworm-security"), first.distributions());
        assertEquals("medium", first.urgency());
        assertEquals("Aurelien Jarno <aurel32@debian.org>", first.maintainer());
        assertEquals("Sun, 01 Oct 2023 15:10:20 +0200", first.date());
        assertTrue(first.body().startsWith("* debian/patches/any/local-CVE-2023-4911.patch"), first.body());
        assertEquals(List.of("unstable", "experimental"), c.entries().get(2).distributions());
        assertEquals("high", c.entries().get(1).urgency(), "urgency is read from among other keywords, in lower case");
    }

    @Test
    void cveIdsAreEachNamedOnceUpperCaseOldestFirst() {
        DebianChangelog.Entry first = DebianChangelog.parse(GLIBC, "glibc").entries().get(0);
        assertEquals(List.of("CVE-2023-4806", "CVE-2023-4911", "CVE-2023-5156", "CVE-2023-10001"), first.cves());
    }

    @Test
    void newerThanComparesDebianVersionsNotStrings() {
        DebianChangelog c = DebianChangelog.parse(GLIBC, "glibc");
        // the epoch makes 1:2.36-9+deb12u2~1 newer than everything without one
        assertEquals(List.of("1:2.36-9+deb12u2~1"),
                c.newerThan(DebianVersion.parse("2.36-9+deb12u9")).stream().map(DebianChangelog.Entry::version).toList());
        assertEquals(List.of("2.36-9+deb12u4", "1:2.36-9+deb12u2~1"),
                c.newerThan(DebianVersion.parse("2.36-9+deb12u3")).stream().map(DebianChangelog.Entry::version).toList());
    }

    @Test
    void securityIsTheWordOrASecuritySuiteAndUrgencyRanksAsDebianOrdersIt() {
        List<DebianChangelog.Entry> es = DebianChangelog.parse(GLIBC, "glibc").entries();
        assertTrue(es.get(0).mentionsSecurity(), "uploaded to bookworm-security");
        assertTrue(es.get(1).mentionsSecurity(), "says 'Security fix'");
        assertFalse(es.get(2).mentionsSecurity());
        assertEquals(Optional.of("high"), DebianChangelog.highestUrgency(es));
        assertEquals(4, DebianChangelog.urgencyRank("critical"));
        assertEquals(1, DebianChangelog.urgencyRank("medium (HIGH for users of foo)"));
        assertEquals(-1, DebianChangelog.urgencyRank("bogus"));
        assertEquals(Optional.empty(), DebianChangelog.highestUrgency(List.of()));
    }

    @Test
    void aMalformedChangelogIsRefusedNamingTheLine() {
        DebianFormatException noHeader = assertThrows(DebianFormatException.class,
                () -> DebianChangelog.parse("\nnot a header\n", "x/changelog.Debian.gz"));
        assertTrue(noHeader.getMessage().contains("x/changelog.Debian.gz:2"), noHeader.getMessage());
        DebianFormatException noTrailer = assertThrows(DebianFormatException.class,
                () -> DebianChangelog.parse("foo (1.0-1) unstable; urgency=low\n\n  * x\n", "foo"));
        assertTrue(noTrailer.getMessage().contains("no trailer"), noTrailer.getMessage());
        DebianFormatException badVersion = assertThrows(DebianFormatException.class,
                () -> DebianChangelog.parse("foo (a:b) unstable; urgency=low\n\n  * x\n\n -- A <a@b>  date\n", "foo"));
        assertTrue(badVersion.getMessage().contains("not a Debian version"), badVersion.getMessage());
    }
}
