package dev.kiln.assembler.rootfs;

import static dev.kiln.assembler.rootfs.RootfsBuilderTest.AMD64;
import static dev.kiln.assembler.rootfs.RootfsBuilderTest.EPOCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import org.junit.jupiter.api.Test;

class RuntimeDirsTest {
    private static Entry entry(FileTree tree, String path) {
        return tree.get(path).orElseThrow(() -> new AssertionError(path + " missing"));
    }

    private static void assertDir(FileTree tree, String path, int mode) {
        Entry e = entry(tree, path);
        assertEquals(Entry.Type.DIR, e.type(), path);
        assertEquals(mode, e.mode(), path + " mode " + Integer.toOctalString(e.mode()));
    }

    private static void assertLink(FileTree tree, String path, String target) {
        Entry e = entry(tree, path);
        assertEquals(Entry.Type.SYMLINK, e.type(), path);
        assertEquals(target, e.linkTarget(), path);
    }

    @Test
    void anImageWithoutPackagesGetsTheRuntimeDirectoriesAndLinks() {
        FileTree tree = RootfsBuilder.build(List.of(), AMD64);
        assertDir(tree, "/run", 0755);
        assertDir(tree, "/run/lock", 01777);
        assertDir(tree, "/tmp", 01777);
        assertDir(tree, "/var/tmp", 01777);
        assertLink(tree, "/var/run", "/run");
        assertLink(tree, "/var/lock", "/run/lock");
        assertEquals(EPOCH, entry(tree, "/run/lock").mtime());
    }

    @Test
    void directoriesBaseFilesShipsBecomeLinksAndWhatIsBelowMovesToTheTarget() {
        FileTree tree = RootfsBuilder.build(List.of(
                Pkg.named("base-files").dir("/run").dir("/var/run").dir("/var/lock", 01777).dir("/tmp", 01777)
                        .dir("/var/tmp", 01777).build(),
                Pkg.named("daemon").file("/var/run/daemon/daemon.conf", "pidfile").build()), AMD64);
        assertLink(tree, "/var/run", "/run");
        assertLink(tree, "/var/lock", "/run/lock");
        assertEquals("pidfile", RootfsBuilderTest.text(tree, "/run/daemon/daemon.conf"));
        assertTrue(tree.get("/var/run/daemon").isEmpty());
        assertDir(tree, "/run/lock", 01777);
    }

    @Test
    void aShippedLinkAndAShippedModeStay() {
        FileTree tree = RootfsBuilder.build(List.of(
                Pkg.named("odd").dir("/tmp", 0700).symlink("/var/run", "../run").build()), AMD64);
        assertDir(tree, "/tmp", 0700);
        assertLink(tree, "/var/run", "../run");
    }

    @Test
    void theSpecsPathsComeAfterAndDecideTheMode() {
        ImageSpec.PathEntry tmp = new ImageSpec.PathEntry("/tmp", ImageSpec.PathType.DIRECTORY, OptionalInt.of(0755),
                0, 0, Optional.empty(), false);
        FileTree tree = RootfsBuilder.build(List.of(), AMD64.withPaths(List.of(tmp)));
        assertDir(tree, "/tmp", 0755);
    }

    @Test
    void dpkgsDefaultOriginPointsAtDebiansWhenBaseFilesShipsIt() {
        FileTree tree = RootfsBuilder.build(List.of(
                Pkg.named("base-files").file("/etc/dpkg/origins/debian", "Vendor: Debian\n").build()), AMD64);
        assertLink(tree, "/etc/dpkg/origins/default", "debian");
        assertFalse(RootfsBuilder.build(List.of(), AMD64).get("/etc/dpkg/origins/default").isPresent());
    }
}
