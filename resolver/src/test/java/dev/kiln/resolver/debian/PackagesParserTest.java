package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class PackagesParserTest {
    private static final String SHA_BASE_FILES = "c1e4a4a2d7e4d4cf3b7e0e6c3e9a5e5f70e8b8a0ff6d8e6c2d2b9e8e6c1f0a1b";
    private static final String SHA_LIBSTDCXX = "5c8f9a9b0e63c0a4b8b38e33c0f6d1d0d96c9e6e9c3d7f2b4a1e0d3c2b1a0f9e";

    /**
     * A trimmed bookworm main/binary-amd64 Packages index, with the untidiness real indexes and
     * hand-edited files have: a comment, a mixed-case field name, folded Depends, a long Description,
     * extra blank lines (one with only spaces and a tab), and no newline after the last stanza.
     */
    private static final String INDEX = "# main/binary-amd64 as of 2024-08-10, trimmed\n"
            + """
            Package: base-files
            Version: 12.4+deb12u6
            Installed-Size: 341
            Maintainer: Santiago Vila <sanvila@debian.org>
            Architecture: amd64
            Replaces: base, dpkg (<= 1.15.0), miscutils
            Provides: base
            Pre-Depends: awk
            Breaks: debian-security-support (<< 2019.04.25), initscripts (<< 2.88dsf-13.3), sendfile (<< 2.1b.20080616-5.2~)
            Description: Debian base system miscellaneous files
            Essential: yes
            Priority: required
            Section: admin
            Filename: pool/main/b/base-files/base-files_12.4+deb12u6_amd64.deb
            Size: 70748
            SHA256: c1e4a4a2d7e4d4cf3b7e0e6c3e9a5e5f70e8b8a0ff6d8e6c2d2b9e8e6c1f0a1b


            Package: libstdc++6
            Source: gcc-12 (12.2.0-14)
            Version: 12.2.0-14
            Installed-Size: 2686
            Maintainer: Debian GCC Maintainers <debian-gcc@lists.debian.org>
            Architecture: amd64
            MULTI-arch: same
            Replaces: libstdc++6-12-dbg (<< 4.9.0-3)
            Depends: gcc-12-base (= 12.2.0-14),
             libc6 (>= 2.36),
            \tlibgcc-s1 (>= 4.2)
            Breaks: gcc-4.3 (<< 4.3.6-1), gcc-4.4 (<< 4.4.6-4), gcc-4.5 (<< 4.5.3-2)
            Conflicts: scim (<< 1.4.2-1)
            Description: GNU Standard C++ Library v3
             This package contains an additional runtime library for C++ programs
             built with the GNU compiler.
             .
             libstdc++-v3 is a complete rewrite from the previous libstdc++-v2, which
             was included up to g++-2.95.
            # a comment inside a stanza does not end it
            Homepage: http://gcc.gnu.org/
            Section: libs
            Priority: optional
            Filename: pool/main/g/gcc-12/libstdc++6_12.2.0-14_amd64.deb
            Size: 613428
            SHA256: 5c8f9a9b0e63c0a4b8b38e33c0f6d1d0d96c9e6e9c3d7f2b4a1e0d3c2b1a0f9e
            """
            + "   \t\n\n"
            + """
            Package: apt
            Version: 2.6.1
            Architecture: amd64
            Important: yes
            Priority: important
            Depends:
             adduser, gpgv | gpgv2 | gpgv1, libapt-pkg6.0 (>= 2.6.1), debian-archive-keyring,
             libc6 (>= 2.34)
            Recommends: ca-certificates
            Filename: pool/main/a/apt/apt_2.6.1_amd64.deb
            Size: 1372872
            SHA256: 0000000000000000000000000000000000000000000000000000000000000003

            Package: tzdata
            Version: 2024a-0+deb12u1
            Architecture: all
            Multi-Arch: foreign
            Provides: tzdata-bookworm
            Depends: debconf (>= 0.5) | debconf-2.0
            Priority: required
            Filename: pool/main/t/tzdata/tzdata_2024a-0+deb12u1_all.deb
            Size: 256212
            SHA256: 0000000000000000000000000000000000000000000000000000000000000004

            Package: usr-is-merged
            Version: 37~deb12u1
            Protected: yes
            Essential: no
            Filename: pool/main/u/usrmerge/usr-is-merged_37~deb12u1_all.deb
            Size: 5852
            SHA256: 0000000000000000000000000000000000000000000000000000000000000005""";

    private static List<PackageRecord> parse(String text) {
        return PackagesParser.parse(text.getBytes(StandardCharsets.UTF_8), "main/binary-amd64/Packages");
    }

    private static Map<String, PackageRecord> byName(List<PackageRecord> records) {
        return records.stream().collect(Collectors.toMap(PackageRecord::name, Function.identity()));
    }

    private static DebianFormatException parseError(String text) {
        return assertThrows(DebianFormatException.class, () -> parse(text));
    }

    @Test
    void aRangeEndingInsideALineEndsTheLastValueThere() {
        byte[] b = "Package: a\nVersion: 1.2-3\nDepends: libc6\n".getBytes(StandardCharsets.UTF_8);
        int to = "Package: a\nVersion: 1.2".length(); // the rest of the array is not the index's
        List<PackageRecord> out = new java.util.ArrayList<>();
        PackagesParser.parse(b, 0, to, "range", out::add);
        assertEquals(1, out.size());
        assertEquals("1.2", out.get(0).version());
        assertNull(out.get(0).depends());
    }

    @Test
    void readsEveryStanzaInOrder() {
        assertEquals(List.of("base-files", "libstdc++6", "apt", "tzdata", "usr-is-merged"),
                parse(INDEX).stream().map(PackageRecord::name).toList());
    }

    @Test
    void keepsTheFieldsKilnUses() {
        PackageRecord baseFiles = byName(parse(INDEX)).get("base-files");
        assertEquals(new PackageRecord("base-files", "12.4+deb12u6", "amd64", null, true, false, 1, null,
                "awk", null, null, null,
                "debian-security-support (<< 2019.04.25), initscripts (<< 2.88dsf-13.3), sendfile (<< 2.1b.20080616-5.2~)",
                "base", "base, dpkg (<= 1.15.0), miscutils",
                "pool/main/b/base-files/base-files_12.4+deb12u6_amd64.deb", 70748, SHA_BASE_FILES), baseFiles);
    }

    @Test
    void aMultiLineDescriptionDoesNotLeakIntoOtherFields() {
        PackageRecord libstdcxx = byName(parse(INDEX)).get("libstdc++6");
        assertEquals("scim (<< 1.4.2-1)", libstdcxx.conflicts());
        assertEquals("pool/main/g/gcc-12/libstdc++6_12.2.0-14_amd64.deb", libstdcxx.filename());
        assertEquals(613428, libstdcxx.size());
        assertEquals(SHA_LIBSTDCXX, libstdcxx.sha256());
        assertEquals(4, libstdcxx.priority());
    }

    @Test
    void fieldNamesAreCaseInsensitive() {
        assertEquals("same", byName(parse(INDEX)).get("libstdc++6").multiArch());
        PackageRecord shouting = parse("PACKAGE: hello\nversion: 2.10-3\nARCHITECTURE: arm64\nsize: 53000\n").get(0);
        assertEquals("hello", shouting.name());
        assertEquals("2.10-3", shouting.version());
        assertEquals("arm64", shouting.architecture());
        assertEquals(53000, shouting.size());
    }

    @Test
    void foldedDependsIsJoinedIntoOneField() {
        assertEquals("gcc-12-base (= 12.2.0-14), libc6 (>= 2.36), libgcc-s1 (>= 4.2)",
                byName(parse(INDEX)).get("libstdc++6").depends());
    }

    @Test
    void dependsStartingOnAContinuationLineHasNoLeadingSpace() {
        String depends = byName(parse(INDEX)).get("apt").depends();
        assertEquals("adduser, gpgv | gpgv2 | gpgv1, libapt-pkg6.0 (>= 2.6.1), debian-archive-keyring, libc6 (>= 2.34)",
                depends);
        assertEquals(5, Relation.parseGroups(depends, "apt Depends").size());
    }

    @Test
    void crlfLineEndsParseLikeLf() {
        String crlf = INDEX.replace("\n", "\r\n");
        assertEquals(parse(INDEX), parse(crlf));
        assertEquals("12.4+deb12u6", parse(crlf).get(0).version());
    }

    @Test
    void theLastStanzaNeedsNoTrailingNewline() {
        assertFalse(INDEX.endsWith("\n"));
        PackageRecord last = parse(INDEX).get(4);
        assertEquals("usr-is-merged", last.name());
        assertEquals("0000000000000000000000000000000000000000000000000000000000000005", last.sha256());
    }

    @Test
    void blankLinesCommentsAndWhitespaceOnlyLinesOnlySeparate() {
        String messy = "\n\n# leading comment\n\nPackage: a\nVersion: 1\n\n\n \t \n\n# between\nPackage: b\nVersion: 2\n\n\n";
        assertEquals(List.of("a=1", "b=2"),
                parse(messy).stream().map(r -> r.name() + "=" + r.version()).toList());
    }

    @Test
    void essentialImportantAndProtectedSetTheFlags() {
        Map<String, PackageRecord> r = byName(parse(INDEX));
        assertTrue(r.get("base-files").essential());
        assertFalse(r.get("base-files").important());
        assertFalse(r.get("apt").essential());
        assertTrue(r.get("apt").important(), "Important: yes");
        assertTrue(r.get("usr-is-merged").important(), "Protected: yes");
        assertFalse(r.get("usr-is-merged").essential(), "Essential: no");
        assertFalse(r.get("tzdata").essential());
        assertFalse(r.get("tzdata").important());
    }

    @Test
    void priorityNamesMapToAptsNumbers() {
        assertEquals(0, PackageRecord.priorityNumber(null));
        assertEquals(1, PackageRecord.priorityNumber("required"));
        assertEquals(2, PackageRecord.priorityNumber("important"));
        assertEquals(3, PackageRecord.priorityNumber("standard"));
        assertEquals(4, PackageRecord.priorityNumber("optional"));
        assertEquals(5, PackageRecord.priorityNumber("extra"));
        assertEquals(5, PackageRecord.priorityNumber("source"), "an unknown priority ranks with extra");
    }

    @Test
    void parsedPrioritiesUseThoseNumbers() {
        Map<String, PackageRecord> r = byName(parse(INDEX));
        assertEquals(1, r.get("base-files").priority());
        assertEquals(2, r.get("apt").priority());
        assertEquals(4, r.get("libstdc++6").priority());
        assertEquals(0, r.get("usr-is-merged").priority(), "no Priority field");
    }

    @Test
    void sourceNameDropsTheVersionInParentheses() {
        Map<String, PackageRecord> r = byName(parse(INDEX));
        assertEquals("gcc-12 (12.2.0-14)", r.get("libstdc++6").source());
        assertEquals("gcc-12", r.get("libstdc++6").sourceName());
        assertEquals("glibc", parse("Package: libc6\nVersion: 2.36-9\nSource: glibc\n").get(0).sourceName());
    }

    @Test
    void sourceNameIsTheBinaryNameWithoutASourceField() {
        assertNull(byName(parse(INDEX)).get("apt").source());
        assertEquals("apt", byName(parse(INDEX)).get("apt").sourceName());
    }

    @Test
    void aMissingArchitectureMeansAllAndAMissingSizeIsMinusOne() {
        PackageRecord usrIsMerged = byName(parse(INDEX)).get("usr-is-merged");
        assertEquals("all", usrIsMerged.architecture());
        assertEquals(-1, parse("Package: x\nVersion: 1\n").get(0).size());
    }

    @Test
    void aStanzaWithoutPackageIsAnErrorNamingItsLine() {
        DebianFormatException e = parseError("Package: a\nVersion: 1\n\n\nVersion: 2\nArchitecture: amd64\n");
        assertTrue(e.getMessage().startsWith("main/binary-amd64/Packages:5: "), e.getMessage());
        assertTrue(e.getMessage().contains("without a Package field"), e.getMessage());
    }

    @Test
    void aStanzaWithoutVersionIsAnErrorNamingThePackageAndLine() {
        DebianFormatException e = parseError("# header\nPackage: a\nVersion: 1\n\nPackage: zlib1g\nArchitecture: amd64\n");
        assertTrue(e.getMessage().startsWith("main/binary-amd64/Packages:5: "), e.getMessage());
        assertTrue(e.getMessage().contains("zlib1g has no Version"), e.getMessage());
    }

    @Test
    void aSizeThatIsNotANumberIsAnError() {
        DebianFormatException e = parseError("Package: zlib1g\nVersion: 1:1.2.13.dfsg-1\nSize: 93 kB\n");
        assertTrue(e.getMessage().contains("zlib1g"), e.getMessage());
        assertTrue(e.getMessage().contains("expected a number in Size, found '93 kB'"), e.getMessage());
    }

    @Test
    void aLineWithoutAColonIsAnErrorNamingTheLine() {
        DebianFormatException e = parseError("Package: a\nVersion: 1\nthis is not a field\n");
        assertTrue(e.getMessage().startsWith("main/binary-amd64/Packages:3: expected 'Field: value'"), e.getMessage());
    }

    @Test
    void aContinuationLineBeforeAnyStanzaIsAnError() {
        DebianFormatException e = parseError("\n  stray continuation\nPackage: a\nVersion: 1\n");
        assertTrue(e.getMessage().startsWith("main/binary-amd64/Packages:2: "), e.getMessage());
    }

    @Test
    void readsTheHostDpkgDatabase() throws IOException {
        Path status = Path.of("/var/lib/dpkg/status");
        assumeTrue(Files.isReadable(status), "no dpkg database on this host");
        byte[] bytes = Files.readAllBytes(status);
        long stanzas = new String(bytes, StandardCharsets.ISO_8859_1).lines()
                .filter(l -> l.startsWith("Package: ")).count();

        List<PackageRecord> records = PackagesParser.parse(bytes, status.toString());

        assertTrue(records.size() > 50, "only " + records.size() + " records");
        assertEquals(stanzas, records.size());
        // not byName: a multi-arch host lists libc6 once per architecture
        PackageRecord dpkg = records.stream().filter(r -> r.name().equals("dpkg")).findFirst()
                .orElseThrow(() -> new AssertionError("dpkg is installed wherever /var/lib/dpkg/status exists"));
        assertTrue(dpkg.essential());
        assertEquals(1, dpkg.priority());
        assertTrue(dpkg.preDepends().contains("libc6"), dpkg.preDepends());
        DebianVersion.parse(dpkg.version());
    }
}
