package dev.kiln.assembler.rootfs;

import static dev.kiln.assembler.rootfs.RootfsBuilderTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec.PathEntry;
import dev.kiln.resolver.spec.ImageSpec.PathRule;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import dev.kiln.resolver.spec.PathGlob;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

/** {@code contents.path-filter}: dpkg's path-exclude / path-include over the packages' files. */
class PathFilterTest {
    private static final List<PathRule> SLIM = rules("-/usr/share/doc/*", "+/usr/share/doc/*/copyright", "-/usr/share/man/*");

    /** {@code -PATTERN} excludes, {@code +PATTERN} includes. */
    private static List<PathRule> rules(String... rules) {
        List<PathRule> out = new ArrayList<>();
        for (String r : rules) {
            out.add(new PathRule(r.startsWith("+"), PathGlob.parse(r.substring(1))));
        }
        return out;
    }

    private static FileTree build(List<PathRule> rules, DebPackage... packages) {
        return RootfsBuilder.build(List.of(packages), RootfsBuilder.Options.of("amd64", RootfsBuilderTest.EPOCH).withPathFilter(rules));
    }

    private static DebPackage openssl() {
        return Pkg.named("openssl")
                .file("/usr/bin/openssl", 0755, "ELF openssl")
                .file("/usr/share/doc/openssl/copyright", "OpenSSL license")
                .file("/usr/share/doc/openssl/changelog.gz", "changes")
                .file("/usr/share/doc/openssl/HOWTO/keys.txt", "howto")
                .file("/usr/share/man/man1/openssl.1ssl.gz", "manual")
                .md5sums("""
                        00000000000000000000000000000001  usr/bin/openssl
                        00000000000000000000000000000002  usr/share/doc/openssl/copyright
                        00000000000000000000000000000003  usr/share/doc/openssl/changelog.gz
                        00000000000000000000000000000004  usr/share/doc/openssl/HOWTO/keys.txt
                        00000000000000000000000000000005  usr/share/man/man1/openssl.1ssl.gz
                        """)
                .build();
    }

    @Test
    void theLastMatchingRuleDecidesAndDirectoriesLeftEmptyGo() {
        FileTree t = build(SLIM, openssl());
        assertTrue(t.contains("/usr/bin/openssl"), "no rule matches it");
        assertEquals("OpenSSL license", text(t, "/usr/share/doc/openssl/copyright"), "re-included by the later rule");
        assertFalse(t.contains("/usr/share/doc/openssl/changelog.gz"));
        assertFalse(t.contains("/usr/share/doc/openssl/HOWTO"), "an excluded directory with nothing left in it");
        assertFalse(t.contains("/usr/share/man/man1"));
        assertTrue(t.contains("/usr/share/man"), "the pattern is for what is below /usr/share/man, not the directory");
    }

    @Test
    void withoutRulesEveryFileStaysAndNoDpkgConfigIsWritten() {
        FileTree t = build(List.of(), openssl());
        assertTrue(t.contains("/usr/share/doc/openssl/HOWTO/keys.txt"));
        assertFalse(t.contains(PathFilter.DPKG_CONFIG));
    }

    @Test
    void theMd5sumsNoLongerListWhatIsGoneAndKeepTheRestAsShipped() {
        FileTree t = build(SLIM, openssl());
        assertEquals("""
                00000000000000000000000000000001  usr/bin/openssl
                00000000000000000000000000000002  usr/share/doc/openssl/copyright
                """, text(t, "/var/lib/dpkg/status.d/openssl.md5sums"));
        assertTrue(text(t, "/var/lib/dpkg/status.d/openssl").contains("Status: install ok installed"), "the record itself is kept");
    }

    @Test
    void theRulesAreRecordedInDpkgsOwnConfigurationSyntax() {
        FileTree t = build(SLIM, openssl());
        String config = text(t, PathFilter.DPKG_CONFIG);
        assertTrue(config.startsWith("#"), config);
        assertTrue(config.endsWith("""
                path-exclude=/usr/share/doc/*
                path-include=/usr/share/doc/*/copyright
                path-exclude=/usr/share/man/*
                """), config);
    }

    @Test
    void aDocLinkToAnotherPackagesDirectoryStaysForTheCopyrightReachedThroughIt() {
        FileTree t = build(SLIM,
                Pkg.named("gcc-12-base").file("/usr/share/doc/gcc-12-base/copyright", "GCC license")
                        .file("/usr/share/doc/gcc-12-base/README", "readme").build(),
                Pkg.named("libgomp1").symlink("/usr/share/doc/libgomp1", "gcc-12-base")
                        .symlink("/usr/share/doc/libgomp1-readme", "gcc-12-base/README").build());
        assertEquals(Entry.Type.SYMLINK, t.get("/usr/share/doc/libgomp1").orElseThrow().type());
        assertFalse(t.contains("/usr/share/doc/libgomp1-readme"), "a link to an excluded file goes");
        assertFalse(t.contains("/usr/share/doc/gcc-12-base/README"));
    }

    @Test
    void derivedFilesAreMadeFromTheWholePackagesAndNeverFiltered() {
        DebPackage ca = Pkg.named("ca-certificates")
                .file("/usr/share/ca-certificates/mozilla/A.crt", "-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n")
                .file("/etc/ssl/certs/.keep", "")
                .build();
        FileTree t = build(rules("-/usr/share/ca-certificates/*", "-/etc/*", "-/var/*"), ca);
        assertEquals("-----BEGIN CERTIFICATE-----\nA\n-----END CERTIFICATE-----\n", text(t, "/etc/ssl/certs/ca-certificates.crt"));
        assertFalse(t.contains("/usr/share/ca-certificates/mozilla"));
        assertFalse(t.contains("/etc/ssl/certs/.keep"));
        assertTrue(t.contains("/etc/passwd"));
        assertTrue(t.contains("/var/lib/dpkg/status.d/ca-certificates"));
    }

    @Test
    void withMergedUsrARuleForBinMatchesTheFileUnderUsrAndItsMd5sumsLine() {
        DebPackage busybox = Pkg.named("busybox").file("/bin/busybox", 0755, "ELF busybox")
                .file("/bin/busybox-extras", 0755, "ELF extras")
                .md5sums("""
                        00000000000000000000000000000001  bin/busybox
                        00000000000000000000000000000002  bin/busybox-extras
                        """)
                .build();
        FileTree t = build(rules("-/bin/busybox-*"), busybox);
        assertTrue(t.contains("/usr/bin/busybox"));
        assertFalse(t.contains("/usr/bin/busybox-extras"));
        assertEquals("00000000000000000000000000000001  bin/busybox\n", text(t, "/var/lib/dpkg/status.d/busybox.md5sums"));
        assertTrue(build(rules("-/usr/bin/busybox-*"), busybox).get("/usr/bin/busybox-extras").isEmpty(), "the /usr form matches too");
    }

    @Test
    void aHardlinkThatStaysKeepsTheFileItSharesBytesWith() {
        FileTree t = build(rules("-/usr/share/zoneinfo/right/*"),
                Pkg.named("tzdata").file("/usr/share/zoneinfo/right/Europe/Paris", "TZif paris")
                        .hardlink("/usr/share/zoneinfo/Europe/Paris", "/usr/share/zoneinfo/right/Europe/Paris")
                        .file("/usr/share/zoneinfo/right/UTC", "TZif utc").build());
        assertTrue(t.contains("/usr/share/zoneinfo/right/Europe/Paris"));
        assertEquals(Entry.Type.HARDLINK, t.get("/usr/share/zoneinfo/Europe/Paris").orElseThrow().type());
        assertFalse(t.contains("/usr/share/zoneinfo/right/UTC"));
    }

    @Test
    void theSpecsPathsApplyAfterTheFilter() {
        FileTree t = RootfsBuilder.build(List.of(openssl()), RootfsBuilder.Options.of("amd64", RootfsBuilderTest.EPOCH)
                .withPathFilter(rules("-/usr/bin/*"))
                .withPaths(List.of(new PathEntry("/usr/bin/tool", PathType.EMPTY_FILE, OptionalInt.empty(), 0, 0,
                        Optional.empty(), false))));
        assertFalse(t.contains("/usr/bin/openssl"));
        assertTrue(t.contains("/usr/bin/tool"));
    }
}
