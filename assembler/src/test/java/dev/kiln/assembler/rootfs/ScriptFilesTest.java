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
}
