package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Content;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * System accounts that packages' maintainer scripts create ({@code adduser --system},
 * {@code useradd}, {@code addgroup}, {@code systemd-sysusers}), from a table read off the scripts
 * of Debian bookworm and trixie: the scripts pass options through variables, split commands over
 * lines and call sysusers with files, so a one-line reader would guess. An account is created
 * only when no account of its name exists (each script checks with {@code getent} or lets adduser
 * do it). Ids are chosen as adduser does in its system range: the lowest id from 100 to 999 that
 * neither /etc/passwd nor /etc/group uses (a user with its own group gets one id for both), in
 * package-name order.
 *
 * <p>A package whose preinst or postinst calls one of those tools and that the table does not know
 * is {@linkplain #unknown reported}: its accounts are not made.
 */
final class ScriptAccounts {
    static final long FIRST_SYSTEM_ID = 100;
    static final long LAST_SYSTEM_ID = 999;
    static final long NOGROUP = 65534;

    /**
     * An account a script creates.
     *
     * @param user the user's name, or null for a group alone
     * @param group the group's name: the user's own, or null for {@code nogroup} (a group alone: its name)
     */
    record Account(String user, String group, String gecos, String home, String shell) {
        static Account user(String name, boolean ownGroup, String gecos, String home) {
            return new Account(name, ownGroup ? name : null, gecos, home, "/usr/sbin/nologin");
        }

        static Account group(String name) {
            return new Account(null, name, "", "", "");
        }
    }

    /** By package: what its scripts create on a fresh install. */
    static final Map<String, List<Account>> TABLE = Map.of(
            // postinst, when base-passwd (which has _apt since 3.6) did not provide it
            "apt", List.of(Account.user("_apt", false, "", "/nonexistent")),
            "dbus-system-bus-common", List.of(Account.user("messagebus", true, "", "/nonexistent")),
            "openssh-server", List.of(Account.user("sshd", false, "", "/run/sshd")),
            "polkitd", List.of(Account.user("polkitd", true, "polkit", "/nonexistent")),
            // sysusers.d: basic.conf is base-passwd's set; the other two are these
            "systemd", List.of(Account.group("systemd-journal"),
                    Account.user("systemd-network", true, "systemd Network Management", "/")),
            "systemd-timesyncd", List.of(Account.user("systemd-timesync", true, "systemd Time Synchronization", "/")),
            "systemd-resolved", List.of(Account.user("systemd-resolve", true, "systemd Resolver", "/")));

    private static final Pattern CREATES = Pattern.compile("(^|[\\s;&|(`])(adduser|useradd|addgroup|groupadd|systemd-sysusers)(\\s|$)");
    private static final List<String> SCRIPTS = List.of("preinst", "postinst");

    private ScriptAccounts() {
    }

    /** Adds the accounts of {@code packages}' scripts that {@code base} lacks. */
    static SystemAccounts add(SystemAccounts base, List<DebPackage> packages) {
        List<SystemAccounts.PasswdLine> users = new ArrayList<>(base.users());
        List<SystemAccounts.GroupLine> groups = new ArrayList<>(base.groups());
        for (DebPackage p : packages) {
            for (Account a : TABLE.getOrDefault(p.packageName(), List.of())) {
                if (a.user() == null) {
                    if (groups.stream().noneMatch(g -> g.name().equals(a.group()))) {
                        groups.add(new SystemAccounts.GroupLine(a.group(), "x", freeId(users, groups), List.of()));
                    }
                    continue;
                }
                if (users.stream().anyMatch(u -> u.name().equals(a.user()))) {
                    continue;
                }
                long id = freeId(users, groups);
                long gid = NOGROUP;
                if (a.group() != null) {
                    var own = groups.stream().filter(g -> g.name().equals(a.group())).findFirst();
                    if (own.isPresent()) {
                        gid = own.get().gid();
                    } else {
                        gid = id;
                        groups.add(new SystemAccounts.GroupLine(a.group(), "x", id, List.of()));
                    }
                }
                users.add(new SystemAccounts.PasswdLine(a.user(), "x", id, gid, a.gecos(), a.home(), a.shell()));
            }
        }
        return new SystemAccounts(users, groups, base.source());
    }

    /** The lowest system id that no user and no group has, so that a user's own group can share it. */
    private static long freeId(List<SystemAccounts.PasswdLine> users, List<SystemAccounts.GroupLine> groups) {
        Set<Long> taken = new HashSet<>();
        users.forEach(u -> taken.add(u.uid()));
        groups.forEach(g -> taken.add(g.gid()));
        for (long id = FIRST_SYSTEM_ID; id <= LAST_SYSTEM_ID; id++) {
            if (!taken.contains(id)) {
                return id;
            }
        }
        throw new dev.kiln.assembler.AssembleException(dev.kiln.assembler.AssembleException.Kind.ACCOUNTS,
                "no free system id left between " + FIRST_SYSTEM_ID + " and " + LAST_SYSTEM_ID
                + " in /etc/passwd and /etc/group"
                + "\n  fix: declare fewer accounts in that range under accounts");
    }

    /**
     * The packages whose preinst or postinst creates accounts (a line calling adduser, useradd,
     * addgroup, groupadd or systemd-sysusers, comments aside) that the table does not know, sorted.
     */
    static List<String> unknown(List<DebPackage> packages) {
        List<String> out = new ArrayList<>();
        for (DebPackage p : packages) {
            if (TABLE.containsKey(p.packageName())) {
                continue;
            }
            for (String script : SCRIPTS) {
                if (p.controlMember(script).map(ScriptAccounts::createsAccounts).orElse(false)) {
                    out.add(p.packageName());
                    break;
                }
            }
        }
        out.sort(null);
        return out;
    }

    private static boolean createsAccounts(Content script) {
        for (String line : new String(script.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
            String code = line.strip();
            if (!code.startsWith("#") && CREATES.matcher(code).find()) {
                return true;
            }
        }
        return false;
    }
}
