package dev.kiln.assembler.rootfs;

import static dev.kiln.assembler.rootfs.RootfsBuilderTest.AMD64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.lock.Lock;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class OsReleaseTest {
    private static final Optional<Lock.Distribution> BOOKWORM = Optional.of(new Lock.Distribution("Debian", "bookworm", "12.8"));

    @Test
    void withoutBaseFilesTheLocksDistributionIsWrittenAsBaseFilesWould() {
        FileTree tree = RootfsBuilder.build(List.of(), AMD64.withDistribution(BOOKWORM));
        assertEquals("""
                PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"
                NAME="Debian GNU/Linux"
                VERSION_ID="12"
                VERSION="12 (bookworm)"
                VERSION_CODENAME=bookworm
                ID=debian
                """, RootfsBuilderTest.text(tree, "/usr/lib/os-release"));
        Entry link = tree.get("/etc/os-release").orElseThrow();
        assertEquals("../usr/lib/os-release", link.linkTarget());
    }

    @Test
    void baseFilesOsReleaseWinsOverTheLocks() {
        FileTree tree = RootfsBuilder.build(RootfsBuilderTest.messyPackages(), AMD64.withDistribution(BOOKWORM));
        assertEquals("PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n", RootfsBuilderTest.text(tree, "/usr/lib/os-release"));
    }

    @Test
    void aLockWithoutADistributionGivesNoOsReleaseAsBefore() {
        FileTree tree = RootfsBuilder.build(List.of(), AMD64);
        assertTrue(tree.get("/etc/os-release").isEmpty());
        assertTrue(tree.get("/usr/lib/os-release").isEmpty());
    }

    @Test
    void unstableHasNoVersionLinesAndASuitesSuffixIsNotPartOfTheCodename() {
        assertEquals("""
                PRETTY_NAME="Debian GNU/Linux sid"
                NAME="Debian GNU/Linux"
                VERSION_CODENAME=sid
                ID=debian
                """, OsRelease.text(new Lock.Distribution("Debian", "sid", "")));
        assertTrue(OsRelease.text(new Lock.Distribution("Debian", "bookworm-security", "12")).contains("VERSION_CODENAME=bookworm\n"));
    }

    @Test
    void anotherOriginIsNamedAsItSaysAndQuotedSafely() {
        assertEquals("""
                PRETTY_NAME="My \\"Distro\\" \\$1 7 (tern)"
                NAME="My \\"Distro\\" \\$1"
                VERSION_ID="7"
                VERSION="7 (tern)"
                VERSION_CODENAME=tern
                ID=my--distro---1
                """, OsRelease.text(new Lock.Distribution("My \"Distro\" $1", "tern", "7.0")));
    }

    @Test
    void theLockTakesTheFirstRepositoryWithAVersion() {
        Lock.Repository updates = repo("bookworm-updates", new Lock.Distribution("Debian", "bookworm-updates", ""));
        Lock.Repository main = repo("bookworm", new Lock.Distribution("Debian", "bookworm", "12.8"));
        Lock lock = new Lock(Lock.VERSION, new Lock.Spec("s.yaml", dev.kiln.store.Digest.of(new byte[0])), List.of(updates, main),
                new Lock.Options(java.util.Set.of(), java.util.Map.of(), false), new java.util.TreeMap<>());
        assertEquals(main.distribution(), lock.distribution());
    }

    private static Lock.Repository repo(String suite, Lock.Distribution d) {
        return new Lock.Repository("deb ${DEBIAN_MIRROR} " + suite + " main", dev.kiln.store.Digest.of(suite.getBytes()),
                java.time.Instant.EPOCH, Optional.empty(), List.of(), Optional.of(d));
    }
}
