package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class MirrorEnvironmentTest {
    private static final HostAptSources HOST = HostAptSources.of(List.of(
            new HostAptSources.Entry(URI.create("http://host.example/debian"), "bookworm", List.of("main"), "debian.sources:1"),
            new HostAptSources.Entry(URI.create("http://host.example/debian-security"), "bookworm-security", List.of("main"), "debian.sources:7")));

    private static final SourceLine MAIN = SourceLine.parse("deb ${DEBIAN_MIRROR} bookworm main");
    private static final SourceLine SECURITY = SourceLine.parse("deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main");

    @Test
    void defaultsToTheHostsAptSources() {
        MirrorEnvironment env = MirrorEnvironment.of(Map.of(), HOST);
        assertEquals(URI.create("http://host.example/debian"), env.expand(MAIN));
        assertEquals(URI.create("http://host.example/debian-security"), env.expand(SECURITY));
        assertEquals(Optional.of("apt source debian.sources:7"), env.originOf("DEBIAN_SECURITY_MIRROR"));
    }

    @Test
    void theProcessEnvironmentOverridesTheHost() {
        MirrorEnvironment env = MirrorEnvironment.of(Map.of("DEBIAN_MIRROR", "https://mirror.example/debian"), HOST);
        assertEquals(URI.create("https://mirror.example/debian"), env.expand(MAIN));
        assertEquals(URI.create("http://host.example/debian-security"), env.expand(SECURITY));
        assertEquals(Optional.of("environment variable DEBIAN_MIRROR"), env.originOf("DEBIAN_MIRROR"));
    }

    @Test
    void anEmptyEnvironmentVariableFallsBackToTheHost() {
        MirrorEnvironment env = MirrorEnvironment.of(Map.of("DEBIAN_MIRROR", ""), HOST);
        assertEquals(URI.create("http://host.example/debian"), env.expand(MAIN));
    }

    @Test
    void takesOnlyMirrorVariablesFromTheEnvironment() {
        MirrorEnvironment env = MirrorEnvironment.of(
                Map.of("LOCAL_MIRROR", "http://local.example", "HOME", "/root", "API_TOKEN", "secret"), HostAptSources.EMPTY);
        assertEquals(Map.of("LOCAL_MIRROR", "http://local.example"), env.variables());
    }

    @Test
    void withoutEnvironmentOrHostSourcesExpansionSaysWhatToSet() {
        MirrorEnvironment env = MirrorEnvironment.of(Map.of(), HostAptSources.EMPTY);
        SpecException e = assertThrows(SpecException.class, () -> env.expand(MAIN));
        assertTrue(e.getMessage().contains("set DEBIAN_MIRROR"), e.getMessage());
        assertTrue(e.getMessage().contains("add an apt source"), e.getMessage());
        SpecException security = assertThrows(SpecException.class, () -> env.expand(SECURITY));
        assertTrue(security.getMessage().contains("set DEBIAN_SECURITY_MIRROR"), security.getMessage());
    }
}
