package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HostAptSourcesTest {
    @TempDir
    Path etcApt;

    private void write(String relative, String text) throws IOException {
        Path file = etcApt.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
    }

    @Test
    void readsTheOneLineSourcesList() throws IOException {
        write("sources.list", """
                # a comment line
                deb http://mirror.example/debian bookworm main contrib  # a trailing comment
                deb-src http://mirror.example/debian bookworm main
                deb [arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://mirror.example/debian bookworm-updates main
                deb http://security.mirror.example/debian-security bookworm-security main
                """);
        HostAptSources sources = HostAptSources.read(etcApt);
        assertEquals(List.of("bookworm", "bookworm-updates", "bookworm-security"),
                sources.entries().stream().map(HostAptSources.Entry::suite).toList());
        assertEquals(List.of("main", "contrib"), sources.entries().get(0).components());
        assertEquals(Optional.of(URI.create("http://mirror.example/debian")), sources.debianMirror());
        assertEquals(Optional.of(URI.create("http://security.mirror.example/debian-security")), sources.debianSecurityMirror());
    }

    @Test
    void readsDeb822StanzasWithSeveralUrisAndSuites() throws IOException {
        write("sources.list.d/debian.sources", """
                Types: deb
                # a comment inside a stanza
                URIs: http://mirror.example/debian/ http://other.example/debian
                Suites: bookworm bookworm-updates
                Components: main
                Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

                Types: deb
                URIs: http://mirror.example/debian-security
                Suites: bookworm-security
                Components: main
                """);
        HostAptSources sources = HostAptSources.read(etcApt);
        assertEquals(5, sources.entries().size());
        assertEquals(Optional.of(URI.create("http://mirror.example/debian")), sources.debianMirror());
        assertEquals(Optional.of(URI.create("http://mirror.example/debian-security")), sources.debianSecurityMirror());
        assertTrue(sources.entries().get(0).origin().endsWith("debian.sources:1"), sources.entries().get(0).origin());
    }

    @Test
    void skipsDisabledStanzasAndSourceOnlyStanzas() throws IOException {
        write("sources.list.d/debian.sources", """
                Types: deb
                URIs: http://disabled.example/debian
                Suites: bookworm
                Components: main
                Enabled: no

                Types: deb-src
                URIs: http://source-only.example/debian
                Suites: bookworm
                Components: main

                types: deb deb-src
                uris: http://mirror.example/debian
                suites: bookworm
                components: main
                """);
        HostAptSources sources = HostAptSources.read(etcApt);
        assertEquals(List.of(URI.create("http://mirror.example/debian")),
                sources.entries().stream().map(HostAptSources.Entry::uri).toList());
    }

    @Test
    void readsContinuationLinesWithoutTakingThemForFields() throws IOException {
        write("sources.list.d/vendor.sources", """
                Types: deb
                URIs: http://mirror.example/debian
                Suites: bookworm
                Components: main
                Signed-By:
                 -----BEGIN PGP PUBLIC KEY BLOCK-----
                 .
                 mQINBGQ3...
                 -----END PGP PUBLIC KEY BLOCK-----
                """);
        assertEquals(Optional.of(URI.create("http://mirror.example/debian")), HostAptSources.read(etcApt).debianMirror());
    }

    @Test
    void ignoresFilesThatAptIgnores() throws IOException {
        write("sources.list.d/vendor.list.disabled-by-upgrade", "deb http://vendor.example/debian bookworm main\n");
        write("sources.list.d/vendor.sources.save", "Types: deb\nURIs: http://vendor.example/debian\nSuites: bookworm\nComponents: main\n");
        assertEquals(List.of(), HostAptSources.read(etcApt).entries());
    }

    @Test
    void readsSourcesListBeforeTheDirectoryAndTheDirectoryInNameOrder() throws IOException {
        write("sources.list.d/b.list", "deb http://b.example/debian bookworm main\n");
        write("sources.list.d/a.sources", "Types: deb\nURIs: http://a.example/debian\nSuites: bookworm\nComponents: main\n");
        write("sources.list", "deb http://first.example/debian bookworm main\n");
        assertEquals(List.of("first.example", "a.example", "b.example"),
                HostAptSources.read(etcApt).entries().stream().map(e -> e.uri().getHost()).toList());
    }

    @Test
    void prefersAMirrorWhosePathEndsInDebian() throws IOException {
        write("sources.list.d/a-vendor.list", "deb [signed-by=/etc/apt/keyrings/vendor.gpg] https://vendor.example/node nodistro main\n");
        write("sources.list.d/debian.list", "deb http://mirror.example/debian bookworm main\n");
        assertEquals(Optional.of(URI.create("http://mirror.example/debian")), HostAptSources.read(etcApt).debianMirror());
    }

    @Test
    void takesAnyMirrorWhenNoneEndsInDebian() throws IOException {
        write("sources.list", "deb http://mirror.example/ubuntu noble main\ndeb http://mirror.example/ubuntu noble-security main\n");
        HostAptSources sources = HostAptSources.read(etcApt);
        assertEquals(Optional.of(URI.create("http://mirror.example/ubuntu")), sources.debianMirror());
        assertEquals(Optional.of(URI.create("http://mirror.example/ubuntu")), sources.debianSecurityMirror());
    }

    @Test
    void skipsSourcesKilnCannotFetchFrom() throws IOException {
        write("sources.list", """
                deb cdrom:[Debian GNU/Linux 12]/ bookworm main
                deb file:/srv/repo ./
                deb http://mirror.example/repo ./
                deb mirror+file:/etc/apt/mirrors.txt bookworm main
                """);
        assertEquals(List.of(), HostAptSources.read(etcApt).entries());
    }

    @Test
    void aHostWithoutAptHasNoMirrors() {
        HostAptSources sources = HostAptSources.read(etcApt.resolve("missing"));
        assertEquals(Optional.empty(), sources.debianMirror());
        assertEquals(Optional.empty(), sources.debianSecurityMirror());
    }

    @Test
    void findsAMirrorInThisDebianHostsEtcApt() {
        // kiln's build machines are Debian; this reads the real /etc/apt.
        HostAptSources sources = HostAptSources.readHost();
        assertTrue(sources.debianMirror().isPresent(), () -> "no Debian mirror in /etc/apt: " + sources.entries());
        assertTrue(sources.debianMirror().get().getScheme().startsWith("http"));
    }
}
