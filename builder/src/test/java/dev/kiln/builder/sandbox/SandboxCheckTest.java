package dev.kiln.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.builder.RecipeException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** What the pre-flight check says when bwrap cannot make a user namespace, from the kernel's settings (faked). */
class SandboxCheckTest {
    private static final Path BWRAP = Path.of("/usr/bin/bwrap");
    private static final SandboxCheck.Probe DENIED = new SandboxCheck.Probe(1, "bwrap: setting up uid map: Permission denied\n");

    private static RecipeException fails(Map<Path, String> settings) {
        SandboxCheck check = SandboxCheck.of(Optional.of(BWRAP), BWRAP.toString(), SandboxCheck.fixed(DENIED, settings));
        RecipeException e = assertThrows(RecipeException.class, check::verdict);
        assertEquals("recipe.sandbox", e.code());
        assertTrue(e.getMessage().contains("setting up uid map: Permission denied"), e.getMessage());
        return e;
    }

    @Test
    void ubuntusAppArmorRuleGetsTheProfileForBwrap() {
        RecipeException e = fails(Map.of(SandboxCheck.APPARMOR_RESTRICT, "1", SandboxCheck.USERNS_CLONE, "1",
                SandboxCheck.MAX_USER_NAMESPACES, "63704"));
        String fix = e.fix().orElseThrow();
        assertTrue(fix.contains("/etc/apparmor.d/bwrap-kiln"), fix);
        assertTrue(fix.contains("profile bwrap-kiln /usr/bin/bwrap flags=(unconfined) {"), fix);
        assertTrue(fix.contains("  userns,"), fix);
        assertTrue(fix.contains("apparmor_parser -r /etc/apparmor.d/bwrap-kiln"), fix);
        assertTrue(e.description().contains("kernel.apparmor_restrict_unprivileged_userns = 1"), e.description());
    }

    @Test
    void debiansOldCloneSwitchGetsItsSysctl() {
        RecipeException e = fails(Map.of(SandboxCheck.USERNS_CLONE, "0", SandboxCheck.MAX_USER_NAMESPACES, "63704"));
        assertTrue(e.fix().orElseThrow().startsWith("allow unprivileged user namespaces, as root: sysctl -w kernel.unprivileged_userns_clone=1"),
                e.getMessage());
    }

    @Test
    void noUserNamespacesAtAllGetsTheirLimitRaised() {
        RecipeException e = fails(Map.of(SandboxCheck.MAX_USER_NAMESPACES, "0"));
        assertTrue(e.fix().orElseThrow().contains("sysctl -w user.max_user_namespaces=15000"), e.getMessage());
    }

    @Test
    void settingsThatAllowThemPointAtTheContainer() {
        RecipeException e = fails(Map.of(SandboxCheck.MAX_USER_NAMESPACES, "63704", SandboxCheck.APPARMOR_RESTRICT, "0"));
        assertTrue(e.description().contains("user.max_user_namespaces = 63704"), e.getMessage());
        assertTrue(e.fix().orElseThrow().contains("seccomp"), e.getMessage());
    }

    @Test
    void theVerdictIsKeptPerInstance() {
        AtomicInteger runs = new AtomicInteger();
        SandboxCheck.Host counting = new SandboxCheck.Host() {
            @Override
            public SandboxCheck.Probe run(List<String> command) {
                runs.incrementAndGet();
                return DENIED;
            }

            @Override
            public Optional<String> read(Path file) {
                return Optional.empty();
            }
        };
        SandboxCheck check = SandboxCheck.of(Optional.of(BWRAP), BWRAP.toString(), counting);
        RecipeException first = assertThrows(RecipeException.class, check::verdict);
        RecipeException second = assertThrows(RecipeException.class, check::verdict);
        assertSame(first, second);
        assertEquals(1, runs.get());
    }
}
