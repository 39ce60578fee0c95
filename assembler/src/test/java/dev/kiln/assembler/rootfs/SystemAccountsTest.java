package dev.kiln.assembler.rootfs;

import static dev.kiln.assembler.rootfs.RootfsBuilderTest.AMD64;
import static dev.kiln.assembler.rootfs.RootfsBuilderTest.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.ImageSpec;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class SystemAccountsTest {
    /** base-passwd's master files, shortened, as Debian ships them. */
    static DebPackage basePasswd() {
        return Pkg.named("base-passwd")
                .file(SystemAccounts.PASSWD_MASTER, """
                        root:*:0:0:root:/root:/bin/bash
                        daemon:*:1:1:daemon:/usr/sbin:/usr/sbin/nologin
                        www-data:*:33:33:www-data:/var/www:/usr/sbin/nologin
                        list:*:38:38:Mailing List Manager:/var/list:/usr/sbin/nologin
                        _apt:*:42:65534::/nonexistent:/usr/sbin/nologin
                        nobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin
                        """)
                .file(SystemAccounts.GROUP_MASTER, """
                        root:*:0:
                        adm:*:4:
                        www-data:*:33:
                        users:*:100:
                        nogroup:*:65534:
                        """).build();
    }

    private static ImageSpec.Accounts accounts(List<ImageSpec.Group> groups, List<ImageSpec.User> users) {
        return new ImageSpec.Accounts(groups, users, Optional.empty());
    }

    private static ImageSpec.User user(String name, long uid, long gid) {
        return new ImageSpec.User(name, uid, gid, Optional.of("/nonexistent"), Optional.empty());
    }

    @Test
    void basePasswdsMasterFilesReplaceTheBuiltInsAsItsPostinstCopiesThem() {
        FileTree tree = RootfsBuilder.build(List.of(basePasswd()), AMD64);
        assertEquals(text(basePasswd().data(), SystemAccounts.PASSWD_MASTER), text(tree, AccountFiles.PASSWD));
        assertEquals(text(basePasswd().data(), SystemAccounts.GROUP_MASTER), text(tree, AccountFiles.GROUP));
    }

    @Test
    void theSpecsAccountsAreAddedAndOneOfTheSameNameWins() {
        FileTree tree = RootfsBuilder.build(List.of(basePasswd()), AMD64.withAccounts(accounts(
                List.of(new ImageSpec.Group("nonroot", 65532, List.of()), new ImageSpec.Group("www-data", 33, List.of("nonroot"))),
                List.of(user("nonroot", 65532, 65532), user("www-data", 33, 33)))));
        String passwd = text(tree, AccountFiles.PASSWD);
        assertTrue(passwd.contains("\nwww-data:x:33:33:www-data:/nonexistent:/sbin/nologin\nlist:"), passwd);
        assertTrue(passwd.endsWith("nonroot:x:65532:65532:nonroot:/nonexistent:/sbin/nologin\nnobody:*:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"), passwd);
        String group = text(tree, AccountFiles.GROUP);
        assertTrue(group.contains("\nwww-data:x:33:nonroot\nusers:*:100:\nnonroot:x:65532:\nnogroup:*:65534:\n"), group);
    }

    @Test
    void aSpecAccountWithBasePasswdsIdAndAnotherNameIsAnErrorNamingBoth() {
        AssembleException user = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(basePasswd()),
                AMD64.withAccounts(accounts(List.of(), List.of(user("web", 33, 33))))));
        assertEquals(AssembleException.Kind.ACCOUNTS.code(), user.code());
        assertTrue(user.getMessage().contains("uid 33 is www-data") && user.getMessage().contains("web in the spec"), user.getMessage());
        AssembleException group = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(basePasswd()),
                AMD64.withAccounts(accounts(List.of(new ImageSpec.Group("nobody", 65534, List.of())), List.of()))));
        assertTrue(group.getMessage().contains("gid 65534 is nogroup") && group.getMessage().contains("nobody in the spec"),
                group.getMessage());
    }

    @Test
    void runAsABasePasswdAccountIsCheckedWhenTheAccountsAreKnown() {
        ImageSpec.Accounts www = new ImageSpec.Accounts(List.of(), List.of(), Optional.of("www-data:adm"));
        AccountFiles.check(www, List.of(), true);
        assertThrows(AssembleException.class, () -> AccountFiles.check(www, List.of(), false));
        RootfsBuilder.build(List.of(basePasswd()), AMD64.withAccounts(www));
        ImageSpec.Accounts ghost = new ImageSpec.Accounts(List.of(), List.of(), Optional.of("ghost"));
        AssembleException e = assertThrows(AssembleException.class, () -> RootfsBuilder.build(List.of(basePasswd()), AMD64.withAccounts(ghost)));
        assertTrue(e.getMessage().contains("names the user ghost"), e.getMessage());
    }

    @Test
    void withoutBasePasswdASpecAccountStillReplacesABuiltInOfItsId() {
        FileTree tree = RootfsBuilder.build(List.of(), AMD64.withAccounts(accounts(
                List.of(new ImageSpec.Group("nogroup", 65534, List.of())), List.of())));
        assertTrue(text(tree, AccountFiles.GROUP).endsWith("staff:x:50:\nnogroup:x:65534:\n"), text(tree, AccountFiles.GROUP));
    }

    @Test
    void accountsPackagesScriptsCreateAreAddedWithTheLowestFreeSystemId() {
        DebPackage dbus = Pkg.named("dbus-system-bus-common").script("postinst", "adduser --system --group messagebus\n").build();
        DebPackage sshd = Pkg.named("openssh-server").build();
        String passwd = text(RootfsBuilder.build(List.of(basePasswd(), sshd, dbus), AMD64), AccountFiles.PASSWD);
        // users (100) is a group: the first id free in both files is 101; package-name order
        assertTrue(passwd.contains("_apt:*:42:65534::/nonexistent:/usr/sbin/nologin\n"
                + "messagebus:x:101:101::/nonexistent:/usr/sbin/nologin\n"
                + "sshd:x:102:65534::/run/sshd:/usr/sbin/nologin\nnobody:"), passwd);
        String group = text(RootfsBuilder.build(List.of(basePasswd(), sshd, dbus), AMD64), AccountFiles.GROUP);
        assertTrue(group.contains("users:*:100:\nmessagebus:x:101:\nnogroup:"), group);
    }

    @Test
    void anAccountBasePasswdAlreadyHasIsNotMadeAgain() {
        DebPackage apt = Pkg.named("apt").script("postinst", "adduser --force-badname --system --home /nonexistent _apt\n").build();
        String passwd = text(RootfsBuilder.build(List.of(basePasswd(), apt), AMD64), AccountFiles.PASSWD);
        assertEquals(1, passwd.split("_apt:", -1).length - 1, passwd);
        String alone = text(RootfsBuilder.build(List.of(apt), AMD64), AccountFiles.PASSWD);
        assertTrue(alone.contains("\n_apt:x:100:65534::/nonexistent:/usr/sbin/nologin\n"), alone);
    }

    @Test
    void scriptsThatCreateAccountsTheTableDoesNotKnowAreReported() {
        List<DebPackage> packages = List.of(
                Pkg.named("zeta").script("preinst", "#!/bin/sh\n[ -n \"$x\" ] && useradd -r zeta\n").build(),
                Pkg.named("alpha").script("postinst", "if true; then\n    adduser --system \\\n  alpha\nfi\n").build(),
                Pkg.named("commented").script("postinst", "# adduser --system nobody-really\n").build(),
                Pkg.named("mentions").script("postinst", "echo run adduser-like tools: nothing\n").build(),
                Pkg.named("dbus-system-bus-common").script("postinst", "adduser --system messagebus\n").build());
        assertEquals(List.of("alpha", "zeta"), ScriptAccounts.unknown(packages));
        List<String> warnings = RootfsBuilder.assemble(packages, AMD64).warnings();
        assertEquals(2, warnings.size(), warnings.toString());
        assertTrue(warnings.get(0).startsWith("alpha's maintainer scripts create accounts kiln does not know"), warnings.toString());
    }

    @Test
    void aMalformedMasterFileIsAnErrorSayingWhereAndWhat() {
        AssembleException e = assertThrows(AssembleException.class, () -> SystemAccounts.passwdLines("root:*:0:0:root:/root:/bin/bash\nbad:*:x:0:::\n", "passwd.master"));
        assertTrue(e.getMessage().startsWith("passwd.master:2: expected a number of 0 or more as id, found 'bad:*:x:0:::'"), e.getMessage());
        e = assertThrows(AssembleException.class, () -> SystemAccounts.groupLines("root:*:0\n", "group.master"));
        assertTrue(e.getMessage().startsWith("group.master:1: expected 4 fields"), e.getMessage());
    }
}
