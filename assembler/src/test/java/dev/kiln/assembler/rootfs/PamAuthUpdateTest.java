package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.tree.FileTree;
import java.util.List;
import org.junit.jupiter.api.Test;

/** pam-auth-update's result, for profiles shaped as Debian's (checked against the tool's output on bookworm). */
class PamAuthUpdateTest {
    private static String template(String type) {
        return "# /etc/pam.d/common-" + type + "\n#\n\n# here are the per-package modules (the \"Primary\" block)\n$" + type
                + "_primary\n# here's the fallback if no module succeeds\n" + type.replace("-noninteractive", "")
                + "\trequisite\t\t\tpam_deny.so\n# and here are more per-package modules (the \"Additional\" block)\n$"
                + type + "_additional\n# end of pam-auth-update config\n";
    }

    private static Pkg runtime() {
        return runtime("Name: Kerberos\nDefault: yes\nPriority: 704\nAuth-Type: Primary\nAuth:\n"
                + "\t[success=end default=ignore]\tpam_krb5.so minimum_uid=1000\n", template("password"));
    }

    private static Pkg runtime(String krb5, String passwordTemplate) {
        Pkg p = Pkg.named("libpam-runtime").dir("/etc/pam.d").dir("/var/lib/pam")
                .file("/usr/share/pam-configs/unix", """
                        Name: Unix authentication
                        Default: yes
                        Priority: 256
                        Auth-Type: Primary
                        Auth:
                        \t[success=end default=ignore]\tpam_unix.so nullok try_first_pass
                        Auth-Initial:
                        \t[success=end default=ignore]\tpam_unix.so nullok
                        Session-Type: Additional
                        Session:
                        \trequired\tpam_unix.so
                        """)
                .file("/usr/share/pam-configs/krb5", krb5)
                .file("/usr/share/pam-configs/capability", "Name: Capabilities\nDefault: yes\nPriority: 0\nAuth-Type: Additional\n"
                        + "Auth-Final:\n\toptional\t\t\tpam_cap.so\n")
                .file("/usr/share/pam-configs/systemd", "Name: systemd\nDefault: yes\nPriority: 0\nSession-Interactive-Only: yes\n"
                        + "Session-Type: Additional\nSession:\n\toptional\tpam_systemd.so\n")
                .file("/usr/share/pam-configs/mkhomedir", "Name: homes\nDefault: no\nPriority: 0\nSession-Type: Additional\n"
                        + "Session:\n\toptional\t\t\tpam_mkhomedir.so\n");
        for (String type : PamAuthUpdate.TYPES) {
            p = p.file("/usr/share/pam/common-" + type, type.equals("password") ? passwordTemplate : template(type));
        }
        return p;
    }

    @Test
    void theStacksJoinTheDefaultProfilesByPriorityWithJumpsCounted() {
        FileTree tree = RootfsBuilder.build(List.of(runtime().build()), RootfsBuilderTest.AMD64);
        assertEquals("""
                # /etc/pam.d/common-auth
                #

                # here are the per-package modules (the "Primary" block)
                auth\t[success=2 default=ignore]\tpam_krb5.so minimum_uid=1000
                auth\t[success=1 default=ignore]\tpam_unix.so nullok try_first_pass
                # here's the fallback if no module succeeds
                auth\trequisite\t\t\tpam_deny.so
                # and here are more per-package modules (the "Additional" block)
                auth\toptional\t\t\tpam_cap.so\s
                # end of pam-auth-update config
                """, RootfsBuilderTest.text(tree, "/etc/pam.d/common-auth"));
        assertEquals("Module: krb5\n[success=end default=ignore]\tpam_krb5.so minimum_uid=1000\n"
                + "Module: unix\n[success=end default=ignore]\tpam_unix.so nullok try_first_pass\n"
                + "Module: capability\noptional\t\t\tpam_cap.so\n", RootfsBuilderTest.text(tree, "/var/lib/pam/auth"));
        String session = RootfsBuilderTest.text(tree, "/etc/pam.d/common-session");
        assertTrue(session.contains("(the \"Primary\" block)\nsession\t[default=1]\t\t\tpam_permit.so\n# here's"), session);
        assertTrue(session.endsWith("block)\nsession\trequired\tpam_unix.so \nsession\toptional\tpam_systemd.so \n# end of pam-auth-update config\n"),
                session);
        String nonInteractive = RootfsBuilderTest.text(tree, "/etc/pam.d/common-session-noninteractive");
        assertTrue(nonInteractive.endsWith("block)\nsession\trequired\tpam_unix.so \n# end of pam-auth-update config\n"), nonInteractive);
        assertEquals("Module: null\n[default=1]\t\t\tpam_permit.so\nModule: unix\nrequired\tpam_unix.so\nModule: systemd\noptional\tpam_systemd.so\n",
                RootfsBuilderTest.text(tree, "/var/lib/pam/session"));
        assertEquals("krb5\nunix\nsystemd\nmkhomedir\ncapability\n", RootfsBuilderTest.text(tree, "/var/lib/pam/seen"));
    }

    @Test
    void theInitialLinesOpenAStackAndATemplateWithoutMarkersStopsTheTool() {
        FileTree tree = RootfsBuilder.build(List.of(runtime("Name: off\nDefault: no\n", "# edited, no markers\n").build()),
                RootfsBuilderTest.AMD64);
        assertTrue(RootfsBuilderTest.text(tree, "/etc/pam.d/common-auth")
                .contains("\nauth\t[success=1 default=ignore]\tpam_unix.so nullok\n"));
        assertTrue(tree.get("/etc/pam.d/common-account").isPresent());
        assertTrue(tree.get("/etc/pam.d/common-password").isEmpty());
        assertTrue(tree.get("/etc/pam.d/common-session").isEmpty());
        assertTrue(RootfsBuilder.build(List.of(Pkg.named("libpam-modules").dir("/etc/pam.d").build()), RootfsBuilderTest.AMD64)
                .get("/etc/pam.d/common-auth").isEmpty());
    }
}
