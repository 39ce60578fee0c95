package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AlternativesTest {
    private static final RootfsBuilder.Options OPTIONS = RootfsBuilder.Options.of("amd64", 1_700_000_000L);

    private static DebPackage awk(String pkg, String binary, int priority) {
        return Pkg.named(pkg).file(binary, 0755, pkg)
                .member("postinst", "#!/bin/sh\nset -e\nupdate-alternatives --install /usr/bin/awk awk " + binary + " " + priority + "\n")
                .build();
    }

    private static String link(FileTree tree, String path) {
        Entry e = tree.get(path).orElseThrow(() -> new AssertionError(path + " is missing"));
        assertEquals(Entry.Type.SYMLINK, e.type(), path);
        return e.linkTarget();
    }

    private static String text(FileTree tree, String path) {
        return new String(tree.get(path).orElseThrow().content().readAllBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void theHighestPriorityWinsAndATieGoesToTheFirstPath() {
        FileTree tree = RootfsBuilder.build(List.of(awk("mawk", "/usr/bin/mawk", 5), awk("gawk", "/usr/bin/gawk", 10)), OPTIONS);
        assertEquals("/etc/alternatives/awk", link(tree, "/usr/bin/awk"));
        assertEquals("/usr/bin/gawk", link(tree, "/etc/alternatives/awk"));
        assertEquals("auto\n/usr/bin/awk\n\n/usr/bin/gawk\n10\n/usr/bin/mawk\n5\n\n", text(tree, "/var/lib/dpkg/alternatives/awk"));

        FileTree tie = RootfsBuilder.build(List.of(awk("mawk", "/usr/bin/mawk", 5), awk("gawk", "/usr/bin/gawk", 5)), OPTIONS);
        assertEquals("/usr/bin/gawk", link(tie, "/etc/alternatives/awk"));
    }

    @Test
    void aChoiceWhosePathIsMissingIsNotRegistered() {
        DebPackage broken = Pkg.named("broken")
                .member("postinst", "update-alternatives --install /usr/bin/awk awk /usr/bin/nowhere 50\n").build();
        FileTree tree = RootfsBuilder.build(List.of(awk("mawk", "/usr/bin/mawk", 5), broken), OPTIONS);
        assertEquals("/usr/bin/mawk", link(tree, "/etc/alternatives/awk"));
        assertFalse(text(tree, "/var/lib/dpkg/alternatives/awk").contains("nowhere"));
    }

    @Test
    void theSpecChoosesAPathInManualMode() {
        RootfsBuilder.Options o = OPTIONS.withAlternatives(List.of(new ImageSpec.Alternative("awk", "/usr/bin/mawk", Optional.empty())));
        FileTree tree = RootfsBuilder.build(List.of(awk("mawk", "/usr/bin/mawk", 5), awk("gawk", "/usr/bin/gawk", 10)), o);
        assertEquals("/usr/bin/mawk", link(tree, "/etc/alternatives/awk"));
        assertTrue(text(tree, "/var/lib/dpkg/alternatives/awk").startsWith("manual\n/usr/bin/awk\n"));
    }

    @Test
    void theSpecAddsAnAlternativeWithItsLink() {
        DebPackage busybox = Pkg.named("busybox").file("/usr/bin/busybox", 0755, "bb").build();
        RootfsBuilder.Options o = OPTIONS.withAlternatives(List.of(new ImageSpec.Alternative("vi", "/usr/bin/busybox", Optional.of("/usr/bin/vi"))));
        FileTree tree = RootfsBuilder.build(List.of(busybox), o);
        assertEquals("/etc/alternatives/vi", link(tree, "/usr/bin/vi"));
        assertEquals("manual\n/usr/bin/vi\n\n/usr/bin/busybox\n0\n\n", text(tree, "/var/lib/dpkg/alternatives/vi"));
    }

    @Test
    void theSpecMayNotChooseWhatTheImageLacksNorAddWithoutALink() {
        List<DebPackage> pkgs = List.of(awk("mawk", "/usr/bin/mawk", 5));
        AssembleException missing = assertThrows(AssembleException.class, () -> RootfsBuilder.build(pkgs,
                OPTIONS.withAlternatives(List.of(new ImageSpec.Alternative("awk", "/usr/bin/gawk", Optional.empty())))));
        assertEquals("assemble.alternatives", missing.code());
        assertTrue(missing.getMessage().contains("/usr/bin/gawk, which is not in the image") && missing.getMessage().contains("/usr/bin/mawk"),
                missing.getMessage());
        AssembleException noLink = assertThrows(AssembleException.class, () -> RootfsBuilder.build(pkgs,
                OPTIONS.withAlternatives(List.of(new ImageSpec.Alternative("nawk", "/usr/bin/mawk", Optional.empty())))));
        assertTrue(noLink.getMessage().contains("no package registers nawk"), noLink.getMessage());
    }

    @Test
    void aScriptKilnCannotReadIsReportedAndAddsNothing() {
        DebPackage odd = Pkg.named("odd").file("/usr/bin/odd", 0755, "odd")
                .member("postinst", "for t in odd; do update-alternatives --install /usr/bin/x$t x$t /usr/bin/$t 5; done\n").build();
        RootfsBuilder.Rootfs rootfs = RootfsBuilder.assemble(List.of(odd), OPTIONS);
        assertEquals(1, rootfs.warnings().size());
        assertTrue(rootfs.warnings().get(0).startsWith("odd 1.0-1: its postinst registers alternatives in a way kiln cannot read"
                + " (update-alternatives --install /usr/bin/x$t"), rootfs.warnings().get(0));
        assertTrue(rootfs.tree().get("/etc/alternatives").isEmpty());
    }

    @Test
    void openJdkComesFromTheTableForTheImagesArchitecture() {
        String base = "/usr/lib/jvm/java-17-openjdk-arm64";
        DebPackage jre = Pkg.named("openjdk-17-jre-headless").field("Architecture", "arm64").file(base + "/bin/java", 0755, "java")
                .file(base + "/bin/keytool", 0755, "keytool").file(base + "/lib/jexec", 0755, "jexec")
                .member("postinst", "for i in $jre_tools; do update-alternatives --install /usr/bin/$i $i $basedir/bin/$i $priority; done\n")
                .build();
        RootfsBuilder.Rootfs rootfs = RootfsBuilder.assemble(List.of(jre), RootfsBuilder.Options.of("arm64", 1_700_000_000L));
        assertEquals(List.of(), rootfs.warnings());
        assertEquals(base + "/bin/java", link(rootfs.tree(), "/etc/alternatives/java"));
        assertEquals("/etc/alternatives/java", link(rootfs.tree(), "/usr/bin/java"));
        assertEquals(base + "/bin/keytool", link(rootfs.tree(), "/etc/alternatives/keytool"));
        assertTrue(rootfs.tree().get("/etc/alternatives/java.1.gz").isEmpty(), "no manual page shipped, no slave link");
        assertTrue(rootfs.tree().get("/usr/bin/jpackage").isEmpty(), "a tool the package lacks is not registered");
    }

    @Test
    void theShippedTableParsesAndListsTheJreAndXz() {
        AlternativesTable table = AlternativesTable.shipped("amd64");
        assertTrue(table.get("openjdk-17-jre-headless").orElseThrow().installs().stream()
                .anyMatch(i -> i.name().equals("java") && i.path().equals("/usr/lib/jvm/java-17-openjdk-amd64/bin/java") && i.priority() == 1711));
        assertEquals(List.of(), table.get("procps").orElseThrow().installs());
        assertTrue(table.get("xz-utils").isPresent());
        assertTrue(table.get("mawk").isEmpty(), "read from its script instead");
    }
}
