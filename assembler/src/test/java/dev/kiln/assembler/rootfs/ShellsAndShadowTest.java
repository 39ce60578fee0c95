package dev.kiln.assembler.rootfs;

import static dev.kiln.assembler.rootfs.RootfsBuilderTest.AMD64;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import java.util.List;
import org.junit.jupiter.api.Test;

class ShellsAndShadowTest {
    private static final List<DebPackage> SHELLS = List.of(
            Pkg.named("debianutils").dir("/etc").file(Shells.TEMPLATE, "# /etc/shells: valid login shells\n/bin/sh\n").build(),
            Pkg.named("dash").file("/usr/bin/dash", "ELF").file(Shells.SHELLS_D + "/dash", "/bin/dash\n").build(),
            Pkg.named("bash").file("/usr/bin/bash", "ELF").file(Shells.SHELLS_D + "/bash", "/bin/bash\n/bin/rbash\n").build());

    @Test
    void shellsListsTheTemplateAndEachPackagesShellsWithTheirMergedUsrPaths() {
        FileTree tree = RootfsBuilder.build(SHELLS, AMD64.withMergedUsr(true));
        assertEquals("""
                # /etc/shells: valid login shells
                /bin/sh
                /usr/bin/sh
                /bin/bash
                /usr/bin/bash
                /bin/rbash
                /usr/bin/rbash
                /bin/dash
                /usr/bin/dash
                """, RootfsBuilderTest.text(tree, Shells.ETC_SHELLS));
        assertEquals("/bin/sh\n/usr/bin/sh\n/bin/bash\n/usr/bin/bash\n/bin/rbash\n/usr/bin/rbash\n/bin/dash\n/usr/bin/dash\n",
                RootfsBuilderTest.text(tree, Shells.STATE));
        assertEquals(0644, tree.get(Shells.STATE).orElseThrow().mode());
    }

    @Test
    void withoutDebianutilsThereIsNoShellsFile() {
        FileTree tree = RootfsBuilder.build(SHELLS.subList(1, 3), AMD64.withMergedUsr(true));
        assertTrue(tree.get(Shells.ETC_SHELLS).isEmpty());
        assertTrue(tree.get(Shells.STATE).isEmpty());
    }

    private static final DebPackage BASE_PASSWD = Pkg.named("base-passwd")
            .file(SystemAccounts.PASSWD_MASTER, "root:*:0:0:root:/root:/bin/bash\ndaemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n")
            .file(SystemAccounts.GROUP_MASTER, "root:*:0:\nshadow:*:42:\nusers:*:100:root,daemon\n").build();

    @Test
    void passwdShadowsTheAccountsAsShadowconfigDoes() {
        FileTree tree = RootfsBuilder.build(List.of(BASE_PASSWD, Pkg.named("passwd").dir("/etc").build()), AMD64);
        long days = RootfsBuilderTest.EPOCH / 86400;
        assertEquals("root:*:" + days + ":0:99999:7:::\ndaemon:*:" + days + ":0:99999:7:::\n", RootfsBuilderTest.text(tree, ShadowFiles.SHADOW));
        assertEquals("root:*::\nshadow:*::\nusers:*::root,daemon\n", RootfsBuilderTest.text(tree, ShadowFiles.GSHADOW));
        assertEquals("root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/usr/sbin/nologin\n",
                RootfsBuilderTest.text(tree, AccountFiles.PASSWD));
        assertEquals("root:x:0:\nshadow:x:42:\nusers:x:100:root,daemon\n", RootfsBuilderTest.text(tree, AccountFiles.GROUP));
        for (String path : List.of(ShadowFiles.SHADOW, ShadowFiles.GSHADOW)) {
            Entry e = tree.get(path).orElseThrow();
            assertEquals(List.of(0640, 0L, 42L), List.of(e.mode(), e.uid(), e.gid()), path);
        }
        for (String path : List.of("/etc/subuid", "/etc/subgid")) {
            Entry e = tree.get(path).orElseThrow();
            assertEquals(List.of(0644, 0L), List.of(e.mode(), e.content().size()), path);
        }
    }

    @Test
    void withoutPasswdThereAreNoShadowFilesAndThePasswordsStayAsTheyAre() {
        FileTree tree = RootfsBuilder.build(List.of(BASE_PASSWD), AMD64);
        assertTrue(tree.get(ShadowFiles.SHADOW).isEmpty());
        assertTrue(tree.get("/etc/subuid").isEmpty());
        assertTrue(RootfsBuilderTest.text(tree, AccountFiles.PASSWD).startsWith("root:*:0:0:"));
    }
}
