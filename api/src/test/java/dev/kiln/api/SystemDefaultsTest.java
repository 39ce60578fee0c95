package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.ResolveException;
import java.nio.file.Path;
import java.util.Map;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * What the CLI takes from the host when its user gives nothing: SOURCE_DATE_EPOCH when it is a time
 * an image can carry (refused with a fix otherwise), the store's place, this Debian host's mirror.
 */
class SystemDefaultsTest {
    private static final String HOME = System.getProperty("user.home");

    @Test
    void unsetOrBlankLeavesTheLocksDate() {
        assertEquals(OptionalLong.empty(), SystemDefaults.sourceDateEpoch(null));
        assertEquals(OptionalLong.empty(), SystemDefaults.sourceDateEpoch(" "));
    }

    @Test
    void secondsFrom1970ToTheYear9999AreTaken() {
        assertEquals(OptionalLong.of(0), SystemDefaults.sourceDateEpoch("0"));
        assertEquals(OptionalLong.of(1_700_000_000L), SystemDefaults.sourceDateEpoch(" 1700000000\n"));
        assertEquals(OptionalLong.of(253_402_300_799L), SystemDefaults.sourceDateEpoch("253402300799"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "abc", "1.5", "253402300800", "99999999999999999999"})
    void anythingElseIsRefusedSayingWhatWouldDo(String value) {
        // -5 got as far as the layers and failed there as an internal error, after the whole fetch
        ResolveException e = assertThrows(ResolveException.class, () -> SystemDefaults.sourceDateEpoch(value));
        assertTrue(e.getMessage().contains("found '" + value + "'") && e.getMessage().contains("fix: set it to a commit's time"),
                e.getMessage());
    }

    @Test
    void defaultRootPrefersKilnStore() {
        Path root = SystemDefaults.store(Map.of("KILN_STORE", "/srv/kiln store", "XDG_CACHE_HOME", "/var/cache/u"), HOME);
        assertEquals(Path.of("/srv/kiln store"), root);
    }

    @Test
    void defaultRootFallsBackToXdgCacheHome() {
        assertEquals(Path.of("/var/cache/u/kiln"), SystemDefaults.store(Map.of("XDG_CACHE_HOME", "/var/cache/u"), HOME));
        assertEquals(Path.of("/var/cache/u/kiln"),
                SystemDefaults.store(Map.of("KILN_STORE", "  ", "XDG_CACHE_HOME", "/var/cache/u"), HOME));
    }

    @Test
    void defaultRootFallsBackToDotCacheInHome() {
        Path expected = Path.of(System.getProperty("user.home"), ".cache", "kiln");
        assertEquals(expected, SystemDefaults.store(Map.of(), HOME));
        assertEquals(expected, SystemDefaults.store(Map.of("KILN_STORE", "", "XDG_CACHE_HOME", ""), HOME));
    }

    @Test
    void theSystemEnvironmentFindsAMirrorOnThisDebianHost() {
        assertTrue(SystemDefaults.mirrors().containsKey("DEBIAN_MIRROR"));
    }
}
