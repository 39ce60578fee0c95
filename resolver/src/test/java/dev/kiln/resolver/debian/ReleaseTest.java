package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ReleaseTest {
    private static final String WHAT = "dists/bookworm/InRelease";

    /** A bookworm Release, trimmed: an MD5Sum list before the SHA256 one, right-aligned sizes. */
    private static final String RELEASE = """
            Origin: Debian
            Label: Debian
            Suite: stable
            Version: 12.6
            Codename: bookworm
            Date: Sat, 29 Jun 2024 09:41:37 UTC
            Valid-Until: Sat, 06 Jul 2024 09:41:37 UTC
            Acquire-By-Hash: yes
            No-Support-for-Architecture-all: Packages
            Architectures: all amd64 arm64 armel armhf i386 mips64el mipsel ppc64el s390x
            Components: main contrib non-free-firmware non-free
            Description: Debian 12.6 Released 29 June 2024
            MD5Sum:
             3ff4a255af2186b74bbf832881887ece   738242 contrib/Contents-all
             8e4086d210027829e42db2e36324731f  8745361 main/binary-amd64/Packages
             51cf3e3612aa10c7c9258acd27b7b9eb  1892700 main/binary-amd64/Packages.xz
             cd4c3ac200d0e47fdc6000871562c1ab      117 main/binary-amd64/Release
            SHA256:
             6bb3eb6c1e7fce3589bd1b4e22e95b5c5944eea1b7f64ea5568a8afc72585d34   738242 contrib/Contents-all
             908972047f094fadcb5bd8e068672aa6624163bb39c63f329d0f5550fd03e663  8745361 main/binary-amd64/Packages
             540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456  1892700 main/binary-amd64/Packages.xz
             7e25b679b0f036e55265f30e7b3017b907a01963d099f8598c8f92e0be4f43a7      117 main/binary-amd64/Release
             41b16b0ca58568fbf733a5aba7db20a9645bde97c322749498fa8f6a93a5ea44        0 non-free/binary-all/Packages
            """;

    private static Release parse(String text) {
        return Release.parse(text.getBytes(StandardCharsets.UTF_8), WHAT);
    }

    private static DebianFormatException parseError(String text) {
        return assertThrows(DebianFormatException.class, () -> parse(text));
    }

    /** The fixture with one line replaced; fails if the line is not there, so the fixture cannot drift. */
    private static String replacing(String line, String with) {
        assertTrue(RELEASE.contains(line + "\n"), line);
        return RELEASE.replace(line + "\n", with.isEmpty() ? "" : with + "\n");
    }

    @Test
    void readsTheSuiteFields() {
        Release r = parse(RELEASE);
        assertEquals("Debian", r.origin());
        assertEquals("stable", r.suite());
        assertEquals("bookworm", r.codename());
        assertEquals(List.of("all", "amd64", "arm64", "armel", "armhf", "i386", "mips64el", "mipsel", "ppc64el", "s390x"),
                r.architectures());
        assertEquals(List.of("main", "contrib", "non-free-firmware", "non-free"), r.components());
    }

    @Test
    void readsDateAndValidUntilAsInstants() {
        Release r = parse(RELEASE);
        assertEquals(Instant.parse("2024-06-29T09:41:37Z"), r.date());
        assertEquals(Optional.of(Instant.parse("2024-07-06T09:41:37Z")), r.validUntil());
    }

    @Test
    void aDateWithANumericOffsetMeansTheSameInstant() {
        Release r = parse(replacing("Date: Sat, 29 Jun 2024 09:41:37 UTC", "Date: Sat, 29 Jun 2024 09:41:37 +0000"));
        assertEquals(Instant.parse("2024-06-29T09:41:37Z"), r.date());
    }

    @Test
    void aNonZeroOffsetIsAppliedToTheInstant() {
        Release r = parse(replacing("Date: Sat, 29 Jun 2024 09:41:37 UTC", "Date: Sat, 29 Jun 2024 11:41:37 +0200"));
        assertEquals(Instant.parse("2024-06-29T09:41:37Z"), r.date());
    }

    @Test
    void acquireByHashAndArchAllFlagsAreRead() {
        Release r = parse(RELEASE);
        assertTrue(r.acquireByHash());
        assertTrue(r.archAllInArchIndexes());
    }

    @Test
    void withoutTheOptionalFieldsTheFlagsAreOffAndThereIsNoValidUntil() {
        String plain = replacing("Acquire-By-Hash: yes", "");
        plain = plain.replace("No-Support-for-Architecture-all: Packages\n", "")
                .replace("Valid-Until: Sat, 06 Jul 2024 09:41:37 UTC\n", "");
        Release r = parse(plain);
        assertFalse(r.acquireByHash());
        assertFalse(r.archAllInArchIndexes());
        assertEquals(Optional.empty(), r.validUntil());
    }

    @Test
    void fileFindsAnEntryOfTheSha256List() {
        Release r = parse(RELEASE);
        assertEquals(Optional.of(new Release.FileEntry("main/binary-amd64/Packages.xz", 1892700,
                        Digest.parse("540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456"))),
                r.file("main/binary-amd64/Packages.xz"));
        assertEquals(0, r.file("non-free/binary-all/Packages").orElseThrow().size());
        assertEquals(5, r.sha256().size(), "the MD5Sum list adds no entries");
    }

    @Test
    void fileIsEmptyForAPathTheReleaseDoesNotList() {
        Release r = parse(RELEASE);
        assertEquals(Optional.empty(), r.file("main/binary-arm64/Packages.xz"));
        assertEquals(Optional.empty(), r.file("binary-amd64/Packages.xz"), "paths are exact, not suffixes");
    }

    @Test
    void crlfLineEndsParseLikeLf() {
        assertEquals(parse(RELEASE), parse(RELEASE.replace("\n", "\r\n")));
    }

    @Test
    void aReleaseWithoutDateIsAnError() {
        DebianFormatException e = parseError(replacing("Date: Sat, 29 Jun 2024 09:41:37 UTC", ""));
        assertTrue(e.getMessage().startsWith(WHAT + ": the Release has no Date field"), e.getMessage());
    }

    @Test
    void aSha256LineWithMissingColumnsIsAnErrorNamingTheLine() {
        DebianFormatException e = parseError(replacing(
                " 7e25b679b0f036e55265f30e7b3017b907a01963d099f8598c8f92e0be4f43a7      117 main/binary-amd64/Release",
                " 7e25b679b0f036e55265f30e7b3017b907a01963d099f8598c8f92e0be4f43a7 main/binary-amd64/Release"));
        assertTrue(e.getMessage().startsWith(WHAT + ":22: expected ' <sha256> <size> <path>'"), e.getMessage());
    }

    @Test
    void aSha256LineWithAShortDigestIsAnErrorNamingTheLine() {
        DebianFormatException e = parseError(replacing(
                " 540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456  1892700 main/binary-amd64/Packages.xz",
                " 540f29bbce0500b419d659eda98bda68  1892700 main/binary-amd64/Packages.xz"));
        assertTrue(e.getMessage().startsWith(WHAT + ":21: bad SHA256 entry"), e.getMessage());
    }

    @Test
    void aSha256LineWithANonNumericSizeIsAnError() {
        DebianFormatException e = parseError(replacing(
                " 540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456  1892700 main/binary-amd64/Packages.xz",
                " 540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456  1.8M main/binary-amd64/Packages.xz"));
        assertTrue(e.getMessage().startsWith(WHAT + ":21: bad SHA256 entry"), e.getMessage());
    }

    @Test
    void aReleaseWithOnlyMd5SumsIsAnError() {
        String md5Only = RELEASE.substring(0, RELEASE.indexOf("SHA256:\n"));
        DebianFormatException e = parseError(md5Only);
        assertTrue(e.getMessage().contains("lists no SHA256 checksums"), e.getMessage());
    }

    @Test
    void aDateInAnotherFormatIsAnErrorShowingItAndAnExample() {
        DebianFormatException e = parseError(replacing("Date: Sat, 29 Jun 2024 09:41:37 UTC", "Date: 2024-06-29 09:41:37"));
        assertTrue(e.getMessage().contains("in Date"), e.getMessage());
        assertTrue(e.getMessage().contains("found '2024-06-29 09:41:37'"), e.getMessage());
    }

    @Test
    void aDayOfWeekThatContradictsTheDateIsAnError() {
        DebianFormatException e = parseError(replacing("Date: Sat, 29 Jun 2024 09:41:37 UTC", "Date: Fri, 29 Jun 2024 09:41:37 UTC"));
        assertTrue(e.getMessage().contains("found 'Fri, 29 Jun 2024 09:41:37 UTC'"), e.getMessage());
    }

    @Test
    void aBadValidUntilIsAnErrorNamingThatField() {
        DebianFormatException e = parseError(replacing("Valid-Until: Sat, 06 Jul 2024 09:41:37 UTC", "Valid-Until: next week"));
        assertTrue(e.getMessage().contains("in Valid-Until"), e.getMessage());
        assertTrue(e.getMessage().contains("found 'next week'"), e.getMessage());
    }

    @Test
    void aLineThatIsNeitherFieldNorContinuationIsAnError() {
        DebianFormatException e = parseError(replacing("Label: Debian", "-----BEGIN PGP SIGNATURE-----"));
        assertTrue(e.getMessage().startsWith(WHAT + ":2: expected 'Field: value'"), e.getMessage());
    }
}
