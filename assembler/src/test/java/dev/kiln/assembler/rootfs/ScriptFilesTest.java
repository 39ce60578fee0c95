package dev.kiln.assembler.rootfs;

import static dev.kiln.assembler.rootfs.RootfsBuilderTest.AMD64;
import static dev.kiln.assembler.rootfs.RootfsBuilderTest.EPOCH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScriptFilesTest {
    private static DebPackage nginxCommon() {
        return Pkg.named("nginx-common").dir("/var/log/nginx", 0750).dir("/etc/nginx/sites-enabled")
                .file("/etc/nginx/sites-available/default", "server { listen 80; }")
                .file("/usr/share/nginx/html/index.html", "<h1>Welcome to nginx!</h1>").build();
    }

    @Test
    void nginxCommonGetsItsDefaultSiteIndexPageAndLogsOwnedByWwwData() {
        FileTree tree = RootfsBuilder.build(List.of(SystemAccountsTest.basePasswd(), nginxCommon()), AMD64);
        Entry site = tree.get("/etc/nginx/sites-enabled/default").orElseThrow();
        assertEquals("/etc/nginx/sites-available/default", site.linkTarget());
        assertEquals("<h1>Welcome to nginx!</h1>", RootfsBuilderTest.text(tree, "/var/www/html/index.nginx-debian.html"));
        assertEquals(EPOCH, tree.get("/var/www/html/index.nginx-debian.html").orElseThrow().mtime());
        Entry log = tree.get("/var/log/nginx/error.log").orElseThrow();
        assertEquals(List.of(0640, 33L, 4L, 0L), List.of(log.mode(), log.uid(), log.gid(), log.content().size()));
        Entry dir = tree.get("/var/log/nginx").orElseThrow();
        assertEquals(List.of(0755, 0L, 4L), List.of(dir.mode(), dir.uid(), dir.gid()));
    }

    @Test
    void withoutTheAccountsTheOwnersStayRootAndAnAbsentDirectoryGetsNothing() {
        FileTree tree = RootfsBuilder.build(List.of(nginxCommon()), AMD64);
        Entry log = tree.get("/var/log/nginx/access.log").orElseThrow();
        assertEquals(List.of(0L, 0L), List.of(log.uid(), log.gid()));
        FileTree bare = RootfsBuilder.build(List.of(Pkg.named("nginx-common").build()), AMD64);
        assertTrue(bare.get("/etc/nginx/sites-enabled/default").isEmpty());
        assertTrue(bare.get("/var/www/html/index.nginx-debian.html").isEmpty());
    }

    @Test
    void theJresPostinstMakesItsSystemPreferences() {
        FileTree tree = RootfsBuilder.build(List.of(Pkg.named("openjdk-17-jre-headless").dir("/etc").build()), AMD64);
        Entry prefs = tree.get("/etc/.java/.systemPrefs").orElseThrow();
        assertEquals(List.of(Entry.Type.DIR, 0755), List.of(prefs.type(), prefs.mode()));
        for (String file : List.of("/etc/.java/.systemPrefs/.system.lock", "/etc/.java/.systemPrefs/.systemRootModFile")) {
            Entry e = tree.get(file).orElseThrow();
            assertEquals(List.of(Entry.Type.FILE, 0644, 0L), List.of(e.type(), e.mode(), e.content().size()), file);
        }
    }

    @Test
    void fontconfigLinksDebconfsDefaultHintingAndMakesTheLocalFontsDirectoryForStaff() {
        DebPackage fontconfig = Pkg.named("fontconfig-config").dir("/etc/fonts/conf.d").dir("/usr/local/share")
                .file("/usr/share/fontconfig/conf.avail/70-no-bitmaps.conf", "<fontconfig/>").build();
        DebPackage basePasswd = Pkg.named("base-passwd").file(SystemAccounts.PASSWD_MASTER, "root:*:0:0:root:/root:/bin/bash\n")
                .file(SystemAccounts.GROUP_MASTER, "root:*:0:\nstaff:*:50:\n").build();
        FileTree tree = RootfsBuilder.build(List.of(basePasswd, fontconfig), AMD64);
        assertEquals("/usr/share/fontconfig/conf.avail/10-hinting-slight.conf",
                tree.get("/etc/fonts/conf.d/10-hinting-slight.conf").orElseThrow().linkTarget());
        assertEquals("/usr/share/fontconfig/conf.avail/70-no-bitmaps.conf", tree.get("/etc/fonts/conf.d/70-no-bitmaps.conf").orElseThrow().linkTarget());
        assertTrue(tree.get("/etc/fonts/conf.d/10-sub-pixel-rgb.conf").isEmpty());
        Entry fonts = tree.get("/usr/local/share/fonts").orElseThrow();
        assertEquals(List.of(02775, 0L, 50L), List.of(fonts.mode(), fonts.uid(), fonts.gid()));
    }

    @Test
    void pythonRecordsItsRuntimeAndWritesItsDebianConfigOnce() {
        FileTree tree = RootfsBuilder.build(List.of(Pkg.named("python3.11-minimal").dir("/var/lib").build(),
                Pkg.named("python3").dir("/etc").build()), AMD64);
        assertEquals(0L, tree.get("/var/lib/python/python3.11_installed").orElseThrow().content().size());
        assertEquals("[DEFAULT]\n# how to byte-compile (comma separated: standard, optimize)\nbyte-compile = standard\n",
                RootfsBuilderTest.text(tree, "/etc/python3/debian_config"));
        FileTree shipped = RootfsBuilder.build(List.of(Pkg.named("python3").file("/etc/python3/debian_config", "mine\n").build()), AMD64);
        assertEquals("mine\n", RootfsBuilderTest.text(shipped, "/etc/python3/debian_config"));
        assertTrue(RootfsBuilder.build(List.of(Pkg.named("python3.11").dir("/var/lib").build()), AMD64).get("/var/lib/python").isEmpty());
    }

    @Test
    void libpamModulesTouchesOpasswdPrivateAndEnvironment() {
        FileTree tree = RootfsBuilder.build(List.of(Pkg.named("libpam-modules").dir("/etc/security").build()), AMD64);
        assertEquals(0600, tree.get("/etc/security/opasswd").orElseThrow().mode());
        assertEquals(List.of(0644, 0L), List.of(tree.get("/etc/environment").orElseThrow().mode(),
                tree.get("/etc/environment").orElseThrow().content().size()));
    }

    private static DebPackage accountsWithMail() {
        return Pkg.named("base-passwd").file(SystemAccounts.PASSWD_MASTER, "root:*:0:0:root:/root:/bin/bash\n")
                .file(SystemAccounts.GROUP_MASTER, "root:*:0:\nmail:*:8:\n").build();
    }

    private static DebPackage baseFiles() {
        return Pkg.named("base-files").dir("/etc").dir("/root", 0700).dir("/var/spool").dir("/usr/share/base-files")
                .file("/usr/share/base-files/dot.profile", "# ~/.profile\n").file("/usr/share/base-files/dot.bashrc", "# ~/.bashrc\n")
                .file("/usr/share/base-files/profile", "# /etc/profile\n").file("/usr/share/base-files/motd", "motd\n").build();
    }

    @Test
    void baseFilesGetsItsDirectoriesMailSpoolUsrLocalAndDefaultFiles() {
        FileTree tree = RootfsBuilder.build(List.of(accountsWithMail(), baseFiles()), AMD64);
        for (String d : List.of("/mnt", "/srv", "/opt", "/etc/opt", "/var/opt", "/media", "/usr/local", "/usr/local/share/man",
                "/usr/local/bin", "/usr/local/games", "/usr/local/lib", "/usr/local/include", "/usr/local/sbin", "/usr/local/src",
                "/usr/local/etc")) {
            Entry e = tree.get(d).orElseThrow(() -> new AssertionError(d));
            assertEquals(List.of(Entry.Type.DIR, 0755, 0L, 0L), List.of(e.type(), e.mode(), e.uid(), e.gid()), d);
        }
        Entry mail = tree.get("/var/mail").orElseThrow();
        assertEquals(List.of(02775, 0L, 8L), List.of(mail.mode(), mail.uid(), mail.gid()));
        assertEquals("../mail", tree.get("/var/spool/mail").orElseThrow().linkTarget());
        assertEquals("share/man", tree.get("/usr/local/man").orElseThrow().linkTarget());
        assertEquals("# ~/.profile\n", RootfsBuilderTest.text(tree, "/root/.profile"));
        assertEquals("# ~/.bashrc\n", RootfsBuilderTest.text(tree, "/root/.bashrc"));
        assertEquals("# /etc/profile\n", RootfsBuilderTest.text(tree, "/etc/profile"));
        assertEquals("motd\n", RootfsBuilderTest.text(tree, "/etc/motd"));
    }

    @Test
    void aDirectoryOrFileAPackageShipsStaysAsItIs() {
        DebPackage opt = Pkg.named("opt-user").dir("/opt", 0700).file("/etc/motd", "mine\n").build();
        FileTree tree = RootfsBuilder.build(List.of(accountsWithMail(), baseFiles(), opt), AMD64);
        assertEquals(0700, tree.get("/opt").orElseThrow().mode());
        assertEquals("mine\n", RootfsBuilderTest.text(tree, "/etc/motd"));
    }

    @Test
    void libcNetbaseReadlineAndTzdataWriteTheirConfigurationAsTheirPostinstsDo() {
        List<DebPackage> packages = List.of(Pkg.named("libc-bin").dir("/etc").file("/usr/share/libc-bin/nsswitch.conf", "passwd: files\n").build(),
                Pkg.named("readline-common").file("/usr/share/readline/inputrc", "set bell-style none\n").build(),
                Pkg.named("netbase").file("/etc/protocols", "ip 0 IP\n").build(),
                Pkg.named("tzdata").file("/usr/share/zoneinfo/Etc/UTC", "TZif").build());
        FileTree tree = RootfsBuilder.build(packages, AMD64);
        assertEquals("passwd: files\n", RootfsBuilderTest.text(tree, "/etc/nsswitch.conf"));
        assertEquals("set bell-style none\n", RootfsBuilderTest.text(tree, "/etc/inputrc"));
        assertEquals("default\t\t0.0.0.0\nloopback\t127.0.0.0\nlink-local\t169.254.0.0\n\n", RootfsBuilderTest.text(tree, "/etc/networks"));
        assertEquals("/usr/share/zoneinfo/Etc/UTC", tree.get("/etc/localtime").orElseThrow().linkTarget());
        assertEquals("Etc/UTC\n", RootfsBuilderTest.text(tree, "/etc/timezone"));
        assertEquals(0644, tree.get("/etc/timezone").orElseThrow().mode());
    }

    @Test
    void pythonsMinimalPackageMakesItsLocalSiteDirectory() {
        FileTree tree = RootfsBuilder.build(List.of(Pkg.named("python3.11-minimal").file("/usr/bin/python3.11", "ELF").build()), AMD64);
        Entry site = tree.get("/usr/local/lib/python3.11/dist-packages").orElseThrow();
        assertEquals(List.of(Entry.Type.DIR, 0755, 0L, 0L), List.of(site.type(), site.mode(), site.uid(), site.gid()));
        assertTrue(tree.get("/usr/local/lib/python3.12").isEmpty());
    }
}
