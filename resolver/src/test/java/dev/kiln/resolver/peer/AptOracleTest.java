package dev.kiln.resolver.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AptOracleTest {

    private static final List<String> BASE =
            List.of("base-files", "netbase", "tzdata", "ca-certificates", "media-types");

    @Test
    void parsesInstLinesOfASimulation() {
        String out = String.join("\n",
                "Reading package lists...",
                "The following NEW packages will be installed:",
                "  base-files libc6",
                "Inst gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64])",
                "Inst libgcc-s1 (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64]) []",
                "Inst tzdata (2026f-0+deb13u1 Debian:13.8/stable, Debian:13-updates/stable-updates [all])",
                "Inst zlib1g [1:1.2.13.dfsg-1] (1:1.3.dfsg+really1.3.1-1+deb13u1 Debian:13.8/stable [arm64])",
                "Conf gcc-12-base (12.2.0-14+deb12u1 Debian:12.15/oldstable [amd64])",
                "");
        SortedMap<String, AptOracle.Pkg> pkgs = AptOracle.parseSimulation(out);
        assertEquals(List.of("gcc-12-base", "libgcc-s1", "tzdata", "zlib1g"), List.copyOf(pkgs.keySet()));
        assertEquals(new AptOracle.Pkg("libgcc-s1", "12.2.0-14+deb12u1", "amd64", "Debian:12.15/oldstable"),
                pkgs.get("libgcc-s1"));
        assertEquals("all", pkgs.get("tzdata").arch());
        assertEquals("Debian:13.8/stable, Debian:13-updates/stable-updates", pkgs.get("tzdata").archives());
        assertEquals("1:1.3.dfsg+really1.3.1-1+deb13u1", pkgs.get("zlib1g").version());
    }

    @Test
    void anInstalledPackageBecomesADpkgStatusStanza() {
        String control = String.join("\n",
                "Source: openssl",
                "Version: 3.0.11-1~deb12u1",
                "Architecture: amd64",
                "Maintainer: Debian OpenSSL Team <pkg-openssl-devel@mirror.example>",
                "Installed-Size: 6123",
                "Pre-Depends: libc6 (>= 2.34)",
                "Depends: libc6 (>= 2.34)",
                "Provides: libssl-abi (= 3)",
                "Description: Secure Sockets Layer toolkit",
                " This package is part of the OpenSSL project.",
                "Multi-Arch: same");
        String index = "Package: libssl3\n" + control + "\n"
                + "Description-md5: 88547c6206c7fbc4fcc7d09e3c1b0b48\nSection: libs\nPriority: optional\n"
                + "Filename: pool/main/o/openssl/libssl3_3.0.11-1~deb12u1_amd64.deb\nSize: 2025984\n"
                + "MD5sum: 9b7d5a8c23e1a5c41f1e8bbd3a06d2c0\n"
                + "SHA256: 2a2b1f0b0a38c94f1f4bd7bc5d9a1bba57b2d4f8a9b4fef0bd2b3c2ce2b0f3b1\n";
        // Status follows Package; the control fields keep their order; the archive's fields go
        assertEquals("Package: libssl3\nStatus: install ok installed\n" + control + "\nSection: libs\nPriority: optional\n",
                AptOracle.statusStanza(index));
        assertThrows(IllegalArgumentException.class, () -> AptOracle.statusStanza("Package: x\nArchitecture: all\n"));
        assertThrows(IllegalArgumentException.class,
                () -> AptOracle.statusStanza("Package: x\nVersion: 1\nArchitecture: all\n\nPackage: y\n"));
    }

    @Test
    void readsMirrorsFromDeb822AndOneLineSources(@TempDir Path etc) throws IOException {
        Files.createDirectories(etc.resolve("sources.list.d"));
        Files.writeString(etc.resolve("sources.list.d/debian.sources"), String.join("\n",
                "Types: deb deb-src",
                "# a comment",
                "URIs: http://mirror.example/debian/",
                "Suites: bookworm bookworm-updates",
                "Components: main",
                "Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg",
                "",
                "Types: deb",
                "URIs: http://mirror.example/debian-security",
                "Suites: bookworm-security",
                "Components: main",
                ""));
        HostDebianMirrors m = HostDebianMirrors.of(etc, Map.of());
        assertEquals(Optional.of("http://mirror.example/debian"), m.debian());
        assertEquals(Optional.of("http://mirror.example/debian-security"), m.security());

        HostDebianMirrors env = HostDebianMirrors.of(etc, Map.of("DEBIAN_MIRROR", "http://other/debian"));
        assertEquals(Optional.of("http://other/debian"), env.debian());

        Path etc2 = etc.resolve("two");
        Files.createDirectories(etc2);
        Files.writeString(etc2.resolve("sources.list"), String.join("\n",
                "# deb http://commented/debian bookworm main",
                "deb-src http://src.example/debian bookworm main",
                "deb [arch=amd64 signed-by=/k.gpg] http://one.example/debian bookworm main",
                ""));
        HostDebianMirrors one = HostDebianMirrors.of(etc2, Map.of());
        assertEquals(Optional.of("http://one.example/debian"), one.debian());
        assertEquals(Optional.of("http://one.example/debian-security"), one.security());
    }

    @Test
    void resolvesTheBaseSetOnBookwormAmd64LikeApt() throws IOException {
        assumeTrue(AptOracle.available(), "apt-get is not installed");
        HostDebianMirrors mirrors = HostDebianMirrors.ofHost();
        assumeTrue(mirrors.debian().isPresent() && mirrors.security().isPresent(),
                "no Debian mirror in DEBIAN_MIRROR / DEBIAN_SECURITY_MIRROR or the host's apt sources");
        String signedBy = "[signed-by=" + trustedKeys() + "]";
        String debian = mirrors.debian().orElseThrow();
        String security = mirrors.security().orElseThrow();
        List<String> sources = List.of(
                "deb " + signedBy + " " + debian + " bookworm main",
                "deb " + signedBy + " " + debian + " bookworm-updates main",
                "deb " + signedBy + " " + security + " bookworm-security main");

        AptOracle oracle = new AptOracle(sources, "amd64", workDir());
        SortedMap<String, AptOracle.Pkg> pkgs = oracle.install(BASE);

        assertTrue(pkgs.containsKey("base-files"), () -> "base-files missing from " + pkgs.values());
        assertTrue(pkgs.keySet().containsAll(BASE), () -> "requested packages missing from " + pkgs.values());
        assertTrue(pkgs.containsKey("libc6"), () -> "dependency libc6 missing from " + pkgs.values());
        assertEquals("amd64", pkgs.get("base-files").arch());
        // apt install from an empty system does not add Essential packages on its own
        assertFalse(pkgs.containsKey("dpkg") || pkgs.containsKey("coreutils") || pkgs.containsKey("bash"),
                () -> "unexpected Essential packages in " + pkgs.values());

        AptOracle.Failure f = assertThrows(AptOracle.Failure.class,
                () -> oracle.install(List.of("kiln-no-such-package")));
        assertTrue(f.output().contains("Unable to locate package kiln-no-such-package"), f::output);
    }

    /** Every key in the repository's keys/ folder, as apt's comma-separated signed-by list. */
    private static String trustedKeys() throws IOException {
        Path dir = Path.of(System.getProperty("basedir", ".")).toAbsolutePath();
        for (; dir != null; dir = dir.getParent()) {
            Path keys = dir.resolve("keys");
            if (Files.isDirectory(keys)) {
                try (Stream<Path> s = Files.list(keys)) {
                    String all = s.filter(p -> p.getFileName().toString().matches("debian-.*\\.asc"))
                            .sorted().map(Path::toString).collect(Collectors.joining(","));
                    if (!all.isEmpty()) {
                        return all;
                    }
                }
            }
        }
        Path host = Path.of("/usr/share/keyrings/debian-archive-keyring.gpg");
        assumeTrue(Files.isRegularFile(host), "no Debian archive keys in keys/ or " + host);
        return host.toString();
    }

    /** Kept under target/ so repeated runs reuse apt's lists (one cheap update per JVM). */
    private static Path workDir() {
        return Path.of(System.getProperty("basedir", ".")).toAbsolutePath().resolve("target/apt-oracle");
    }
}
