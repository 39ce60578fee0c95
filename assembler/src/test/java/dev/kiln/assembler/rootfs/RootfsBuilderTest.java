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
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;

class RootfsBuilderTest {
    static final long EPOCH = 1_700_000_000L;
    static final RootfsBuilder.Options AMD64 = RootfsBuilder.Options.of("amd64", EPOCH);

    static String text(FileTree tree, String path) {
        return new String(tree.get(path).orElseThrow().content().readAllBytes(), StandardCharsets.UTF_8);
    }

    static List<DebPackage> messyPackages() {
        return List.of(
                Pkg.named("libc6").field("Replaces", "libc6-amd64 (<< 2.36), libc-bin:any")
                        .symlink("/lib64/ld-linux-x86-64.so.2", "/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2")
                        .file("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", 0755, "ELF ld")
                        .file("/lib/x86_64-linux-gnu/libc.so.6", 0755, "ELF libc")
                        .dir("/usr/share/doc/libc6").file("/usr/share/doc/libc6/copyright", "glibc copyright")
                        .md5sums("0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n").build(),
                Pkg.named("base-files").dir("/root", 0700).dir("/tmp", 01777)
                        .file("/usr/lib/os-release", "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n")
                        .symlink("/etc/os-release", "../usr/lib/os-release")
                        .file("/usr/share/base-files/passwd", "root:*:0:0:root:/root:/bin/sh\n").build(),
                Pkg.named("dash").file("/bin/dash", 0755, "ELF dash").symlink("/bin/sh", "dash")
                        .hardlink("/bin/a-dash", "/bin/dash").build(),
                Pkg.named("tzdata").dir("/usr/share/zoneinfo/Europe")
                        .file("/usr/share/zoneinfo/Europe/Paris", "TZif paris")
                        .hardlink("/usr/share/zoneinfo/Europe/Monaco", "/usr/share/zoneinfo/Europe/Paris")
                        .dir("/usr/share/doc/tzdata").build());
    }

    @Test
    void mergeDoesNotDependOnInputOrder() {
        List<DebPackage> packages = new ArrayList<>(messyPackages());
        FileTree first = RootfsBuilder.build(packages, AMD64);
        Random random = new Random(42);
        for (int i = 0; i < 10; i++) {
            Collections.shuffle(packages, random);
            assertEquals(first, RootfsBuilder.build(packages, AMD64));
        }
    }

    @Test
    void identicalFilesFromTwoPackagesMerge() {
        FileTree tree = RootfsBuilder.build(List.of(
                Pkg.named("a").file("/usr/share/common/x", "same").build(),
                Pkg.named("b").file("/usr/share/common/x", "same").build()), AMD64);
        assertEquals("same", text(tree, "/usr/share/common/x"));
    }

    @Test
    void differentFilesAtOnePathAreAnErrorNamingBothPackagesAndTheDifference() {
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(
                Pkg.named("zeta").file("/usr/bin/tool", 0755, "zeta's").build(),
                Pkg.named("alpha").file("/usr/bin/tool", 0755, "alpha's").build()), AMD64));
        assertTrue(e.getMessage().contains("alpha") && e.getMessage().contains("zeta"), e.getMessage());
        assertTrue(e.getMessage().contains("/usr/bin/tool"), e.getMessage());
        assertTrue(e.getMessage().contains("differ in content"), e.getMessage());
    }

    @Test
    void modeDifferenceIsNamed() {
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(
                Pkg.named("a").file("/usr/bin/tool", 0755, "x").build(),
                Pkg.named("b").file("/usr/bin/tool", 04755, "x").build()), AMD64));
        assertTrue(e.getMessage().contains("differ in mode"), e.getMessage());
    }

    @Test
    void theReplacingPackageWinsWhicheverSortsFirst() {
        for (String replacer : List.of("aaa-new", "zzz-new")) {
            FileTree tree = RootfsBuilder.build(List.of(
                    Pkg.named("mmm-old").file("/usr/bin/tool", 0755, "old").build(),
                    Pkg.named(replacer).field("Replaces", "mmm-old (<< 2.0)").file("/usr/bin/tool", 0755, "new").build()),
                    AMD64);
            assertEquals("new", text(tree, "/usr/bin/tool"), replacer);
        }
    }

    @Test
    void aReplacesWhoseVersionDoesNotCoverTheInstalledPackageDoesNotApply() {
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(
                Pkg.named("mmm-old").field("Version", "2.1-1").file("/usr/bin/tool", 0755, "old").build(),
                Pkg.named("zzz-new").field("Replaces", "mmm-old (<< 2.0)").file("/usr/bin/tool", 0755, "new").build()),
                AMD64));
        assertTrue(e.getMessage().contains("neither Replaces the other"), e.getMessage());
        assertEquals("assemble.file-conflict", e.code());
        assertTrue(e.getMessage().contains("zzz-new has Replaces: mmm-old (<< 2.0), which does not cover mmm-old 2.1-1"),
                e.getMessage());
    }

    @Test
    void replacesWithAnArchitectureQualifierAndAnEpochApply() {
        FileTree tree = RootfsBuilder.build(List.of(
                Pkg.named("mmm-old").field("Version", "1:0.9-1").file("/usr/bin/tool", 0755, "old").build(),
                Pkg.named("aaa-new").field("Replaces", "other, mmm-old:any (<= 1:0.9-1)").file("/usr/bin/tool", 0755, "new").build()),
                AMD64);
        assertEquals("new", text(tree, "/usr/bin/tool"));
    }

    @Test
    void aMalformedReplacesIsAClearError() {
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(
                Pkg.named("mmm-old").file("/usr/bin/tool", 0755, "old").build(),
                Pkg.named("zzz-new").field("Replaces", "mmm-old (<< )").file("/usr/bin/tool", 0755, "new").build()),
                AMD64));
        assertTrue(e.getMessage().contains("zzz-new: Replaces"), e.getMessage());
    }

    @Test
    void directoriesMergeAndTheFirstPackageInNameOrderDecidesTheirMode() {
        FileTree tree = RootfsBuilder.build(List.of(
                Pkg.named("b").dir("/srv/data", 0700).file("/srv/data/b", "b").build(),
                Pkg.named("a").dir("/srv/data", 0750).file("/srv/data/a", "a").build()), AMD64);
        assertEquals(0750, tree.get("/srv/data").orElseThrow().mode());
        assertTrue(tree.contains("/srv/data/a") && tree.contains("/srv/data/b"));
    }

    @Test
    void mergedUsrMovesLib64LoaderUnderUsrAndLinksLib64() {
        FileTree tree = RootfsBuilder.build(messyPackages(), AMD64);
        Entry loader = tree.get("/usr/lib64/ld-linux-x86-64.so.2").orElseThrow();
        assertEquals(Entry.Type.SYMLINK, loader.type());
        assertEquals("/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2", loader.linkTarget());
        assertTrue(tree.contains("/usr/lib/x86_64-linux-gnu/libc.so.6"));
        for (String alias : List.of("bin", "sbin", "lib", "lib64")) {
            Entry link = tree.get("/" + alias).orElseThrow();
            assertEquals(Entry.Type.SYMLINK, link.type(), alias);
            assertEquals("usr/" + alias, link.linkTarget());
            assertEquals(Entry.Type.DIR, tree.get("/usr/" + alias).orElseThrow().type());
        }
        assertFalse(tree.contains("/lib32"));
        assertFalse(tree.stream().anyMatch(e -> e.path().startsWith("/lib64/") || e.path().startsWith("/bin/")));
        Entry hardlink = tree.get("/usr/bin/a-dash").orElseThrow();
        assertEquals("/usr/bin/dash", hardlink.linkTarget());
        assertEquals("dash", tree.get("/usr/bin/sh").orElseThrow().linkTarget());
    }

    @Test
    void arm64GetsNoLib64LinkUnlessAPackageUsesIt() {
        FileTree tree = RootfsBuilder.build(List.of(Pkg.named("libc6").file("/lib/ld-linux-aarch64.so.1", "ld").build()),
                RootfsBuilder.Options.of("arm64", EPOCH));
        assertFalse(tree.contains("/lib64"));
        assertTrue(tree.contains("/usr/lib/ld-linux-aarch64.so.1"));
    }

    @Test
    void aFileUnderLibAndTheSameFileUnderUsrLibAreOneFile() {
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(
                Pkg.named("old").file("/lib/x.so", "one").build(),
                Pkg.named("new").file("/usr/lib/x.so", "two").build()), AMD64));
        assertTrue(e.getMessage().contains("/usr/lib/x.so"), e.getMessage());
    }

    @Test
    void withoutMergedUsrPathsStayWhereShipped() {
        FileTree tree = RootfsBuilder.build(messyPackages(), AMD64.withMergedUsr(false));
        assertEquals(Entry.Type.DIR, tree.get("/lib64").orElseThrow().type());
        assertTrue(tree.contains("/lib64/ld-linux-x86-64.so.2"));
        assertTrue(tree.contains("/bin/dash"));
    }

    @Test
    void statusRecordsAreTheControlParagraphWithStatusAfterPackage() {
        FileTree tree = RootfsBuilder.build(messyPackages(), AMD64);
        assertEquals("""
                Package: libc6
                Status: install ok installed
                Version: 1.0-1
                Architecture: amd64
                Maintainer: Kiln Tests <tests@example.invalid>
                Installed-Size: 12
                Description: test package libc6
                 Longer text.
                 .
                 More.
                Replaces: libc6-amd64 (<< 2.36), libc-bin:any
                """, text(tree, "/var/lib/dpkg/status.d/libc6"));
        assertEquals("0123456789abcdef0123456789abcdef  lib/x86_64-linux-gnu/libc.so.6\n",
                text(tree, "/var/lib/dpkg/status.d/libc6.md5sums"));
        assertFalse(tree.contains("/var/lib/dpkg/status.d/dash.md5sums"));
        Entry record = tree.get("/var/lib/dpkg/status.d/tzdata").orElseThrow();
        assertEquals(0644, record.mode());
        assertEquals(0, record.uid());
        assertEquals(EPOCH, record.mtime());
        assertEquals(EPOCH, tree.get("/var/lib/dpkg/status.d").orElseThrow().mtime());
    }

    static final ImageSpec.Accounts NONROOT = new ImageSpec.Accounts(
            List.of(new ImageSpec.Group("nonroot", 65532, List.of())),
            List.of(new ImageSpec.User("nonroot", 65532, 65532, Optional.of("/home/nonroot"), Optional.of("/sbin/nologin"))),
            Optional.of("nonroot"));

    @Test
    void passwdAndGroupHoldDistrolessBuiltinsAndTheSpecAccountsByIdThenName() {
        FileTree tree = RootfsBuilder.build(messyPackages(), AMD64.withAccounts(NONROOT));
        assertEquals("""
                root:x:0:0:root:/root:/sbin/nologin
                nonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin
                nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin
                """, text(tree, "/etc/passwd"));
        assertEquals("""
                root:x:0:
                tty:x:5:
                staff:x:50:
                nonroot:x:65532:
                nobody:x:65534:
                """, text(tree, "/etc/group"));
        Entry home = tree.get("/home/nonroot").orElseThrow();
        assertEquals(Entry.Type.DIR, home.type());
        assertEquals(0755, home.mode());
        assertEquals(65532, home.uid());
        assertEquals(65532, home.gid());
        assertEquals(0700, tree.get("/root").orElseThrow().mode(), "base-files' /root is kept");
        assertFalse(tree.contains("/nonexistent"));
    }

    @Test
    void aHomeDirectoryTakesItsModeFromPaths() {
        ImageSpec.PathEntry path = new ImageSpec.PathEntry("/home/nonroot", ImageSpec.PathType.DIRECTORY,
                OptionalInt.of(0700), 65532, 65532, Optional.empty(), false);
        FileTree tree = RootfsBuilder.build(List.of(), AMD64.withAccounts(NONROOT).withPaths(List.of(path)));
        assertEquals(0700, tree.get("/home/nonroot").orElseThrow().mode());
    }

    private static ImageSpec.Accounts runningAs(String runAs) {
        return new ImageSpec.Accounts(NONROOT.groups(), NONROOT.users(), Optional.of(runAs));
    }

    @Test
    void runAsMustNameAnAccountTheImageHasUnlessItIsANumber() {
        for (String ok : List.of("nonroot", "root", "nobody", "65532", "4242", "nonroot:nonroot", "nobody:tty", "1000:1000", "nonroot:77")) {
            AccountFiles.check(runningAs(ok), List.of());
        }
        AssembleException user = assertThrows(AssembleException.class, () -> AccountFiles.check(runningAs("ghost"), List.of()));
        assertTrue(user.getMessage().contains("names the user ghost, whom the image's /etc/passwd will not have (it has root, nonroot, nobody)")
                && user.getMessage().contains("fix: add ghost under accounts.users"), user.getMessage());
        AssembleException group = assertThrows(AssembleException.class, () -> AccountFiles.check(runningAs("nonroot:ghosts"), List.of()));
        assertTrue(group.getMessage().contains("names the group ghosts, which the image's /etc/group will not have"), group.getMessage());
        // a spec that brings its own /etc/passwd and /etc/group knows its names
        List<ImageSpec.PathEntry> own = List.of(
                new ImageSpec.PathEntry("/etc/passwd", ImageSpec.PathType.FILE, OptionalInt.empty(), 0, 0, Optional.of("passwd"), false),
                new ImageSpec.PathEntry("/etc/group", ImageSpec.PathType.FILE, OptionalInt.empty(), 0, 0, Optional.of("group"), false));
        AccountFiles.check(runningAs("ghost:ghosts"), own);
    }

    @Test
    void aDuplicateUidIsAnError() {
        ImageSpec.Accounts accounts = new ImageSpec.Accounts(List.of(), List.of(
                new ImageSpec.User("app", 1000, 1000, Optional.empty(), Optional.empty()),
                new ImageSpec.User("other", 1000, 1000, Optional.empty(), Optional.empty())), Optional.empty());
        AssembleException e = assertThrows(AssembleException.class,
                () -> RootfsBuilder.build(List.of(), AMD64.withAccounts(accounts)));
        assertTrue(e.getMessage().contains("uid 1000") && e.getMessage().contains("app") && e.getMessage().contains("other"),
                e.getMessage());
    }

    @Test
    void aDuplicateGroupNameIsAnError() {
        ImageSpec.Accounts accounts = new ImageSpec.Accounts(List.of(
                new ImageSpec.Group("app", 1000, List.of()), new ImageSpec.Group("app", 1001, List.of())),
                List.of(), Optional.empty());
        assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(), AMD64.withAccounts(accounts)));
    }

    @Test
    void aSpecAccountWithABuiltinIdReplacesIt() {
        ImageSpec.Accounts accounts = new ImageSpec.Accounts(List.of(new ImageSpec.Group("nogroup", 65534, List.of("app"))),
                List.of(), Optional.empty());
        FileTree tree = RootfsBuilder.build(List.of(), AMD64.withAccounts(accounts));
        assertEquals("root:x:0:\ntty:x:5:\nstaff:x:50:\nnogroup:x:65534:app\n", text(tree, "/etc/group"));
    }

    @Test
    void packagedPasswdIsOverwritten() {
        FileTree tree = RootfsBuilder.build(List.of(Pkg.named("evil").file("/etc/passwd", "root::0:0::/:/bin/sh\n").build()), AMD64);
        assertTrue(text(tree, "/etc/passwd").startsWith("root:x:0:0:root:/root:/sbin/nologin\n"));
    }

    @Test
    void osReleaseLinkIsKeptOrCreated() {
        FileTree shipped = RootfsBuilder.build(messyPackages(), AMD64);
        assertEquals("../usr/lib/os-release", shipped.get("/etc/os-release").orElseThrow().linkTarget());
        FileTree created = RootfsBuilder.build(List.of(Pkg.named("base-files").file("/usr/lib/os-release", "ID=debian\n").build()), AMD64);
        Entry link = created.get("/etc/os-release").orElseThrow();
        assertEquals(Entry.Type.SYMLINK, link.type());
        assertEquals("../usr/lib/os-release", link.linkTarget());
        assertEquals(EPOCH, link.mtime());
    }

    @Test
    void aDanglingOsReleaseLinkIsAnError() {
        assertThrows(AssembleException.class, () -> RootfsBuilder.build(
                List.of(Pkg.named("base-files").symlink("/etc/os-release", "../usr/lib/os-release").build()), AMD64));
    }

    static DebPackage caCertificates(Pkg extra) {
        return extra.dir("/etc/ssl/certs")
                .file("/usr/share/ca-certificates/mozilla/Zeta_Root.crt", "-----BEGIN CERTIFICATE-----\nZETA\n-----END CERTIFICATE-----")
                .file("/usr/share/ca-certificates/mozilla/ACCVRAIZ1.crt", "-----BEGIN CERTIFICATE-----\nACCV\n-----END CERTIFICATE-----\n")
                .file("/usr/share/ca-certificates/mozilla/Actalis_Authentication_Root_CA.crt", "-----BEGIN CERTIFICATE-----\nACTALIS\n-----END CERTIFICATE-----\n")
                .file("/usr/share/ca-certificates/mozilla/README", "not a certificate")
                .file("/usr/sbin/update-ca-certificates", 0755, "#!/bin/sh\n")
                .build();
    }

    @Test
    void caBundleConcatenatesEveryCertificateInByteOrderWithNewlinesEnsured() {
        FileTree tree = RootfsBuilder.build(List.of(caCertificates(Pkg.named("ca-certificates"))), AMD64);
        assertEquals("""
                -----BEGIN CERTIFICATE-----
                ACCV
                -----END CERTIFICATE-----
                -----BEGIN CERTIFICATE-----
                ACTALIS
                -----END CERTIFICATE-----
                -----BEGIN CERTIFICATE-----
                ZETA
                -----END CERTIFICATE-----
                """, text(tree, "/etc/ssl/certs/ca-certificates.crt"));
        Entry bundle = tree.get("/etc/ssl/certs/ca-certificates.crt").orElseThrow();
        assertEquals(0644, bundle.mode());
        assertEquals(EPOCH, bundle.mtime());
    }

    @Test
    void caBundleFollowsAShippedConfAndAddsLocalCertificatesLast() {
        FileTree tree = RootfsBuilder.build(List.of(
                caCertificates(Pkg.named("ca-certificates")),
                Pkg.named("corp-ca").file("/usr/local/share/ca-certificates/corp.crt", "CORP\n")
                        .file("/etc/ca-certificates.conf", "# comment\nmozilla/Zeta_Root.crt\n!mozilla/ACCVRAIZ1.crt\n\nmozilla/Actalis_Authentication_Root_CA.crt\nmozilla/Missing.crt\n")
                        .build()), AMD64);
        assertEquals("-----BEGIN CERTIFICATE-----\nZETA\n-----END CERTIFICATE-----\n"
                + "-----BEGIN CERTIFICATE-----\nACTALIS\n-----END CERTIFICATE-----\n"
                + "CORP\n", text(tree, "/etc/ssl/certs/ca-certificates.crt"));
    }

    @Test
    void noBundleWithoutTheCaCertificatesPackage() {
        FileTree tree = RootfsBuilder.build(List.of(caCertificates(Pkg.named("some-other-certs"))), AMD64);
        assertFalse(tree.contains("/etc/ssl/certs/ca-certificates.crt"));
    }

    @Test
    void aPackageGivenTwiceIsAnError() {
        assertThrows(AssembleException.class, () -> RootfsBuilder.build(
                List.of(Pkg.named("a").build(), Pkg.named("a").build()), AMD64));
    }
}
