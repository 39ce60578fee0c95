package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.spec.ImageSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * {@code /etc/passwd} and {@code /etc/group}, written by kiln over anything a package ships
 * (Debian's base-files ships only templates under {@code /usr/share/base-files}).
 *
 * <p>The built-in accounts are distroless's: users {@code root} (0) and {@code nobody} (65534),
 * groups {@code root} (0), {@code tty} (5), {@code staff} (50) and {@code nobody} (65534; Debian
 * calls it {@code nogroup}, distroless {@code nobody}), all with {@code /sbin/nologin}. A spec
 * account with a built-in's name or id takes its place. Lines are ordered by id, then name.
 *
 * <p>When base-passwd is installed, its master files take the built-ins' place, and the accounts
 * packages' scripts create are added ({@link SystemAccounts}, {@link ScriptAccounts}): a spec
 * account replaces one of its name, and one of another name with the same id is an error.
 *
 * <p>A spec user's home directory is created (unless a package ships it) with mode 0755, or
 * the mode a {@code paths} directory entry for it gives, owned by the user; its default is
 * {@code /home/<name>}, its default shell {@code /sbin/nologin}.
 */
final class AccountFiles {
    static final String PASSWD = "/etc/passwd";
    static final String GROUP = "/etc/group";
    static final String NOLOGIN = "/sbin/nologin";

    static final List<ImageSpec.User> BUILTIN_USERS = List.of(
            new ImageSpec.User("root", 0, 0, Optional.of("/root"), Optional.of(NOLOGIN)),
            new ImageSpec.User("nobody", 65534, 65534, Optional.of("/nonexistent"), Optional.of(NOLOGIN)));
    static final List<ImageSpec.Group> BUILTIN_GROUPS = List.of(
            new ImageSpec.Group("root", 0, List.of()),
            new ImageSpec.Group("tty", 5, List.of()),
            new ImageSpec.Group("staff", 50, List.of()),
            new ImageSpec.Group("nobody", 65534, List.of()));

    private AccountFiles() {
    }

    static void write(Draft draft, List<DebPackage> packages, ImageSpec.Accounts accounts, List<ImageSpec.PathEntry> paths) {
        SystemAccounts system = ScriptAccounts.add(SystemAccounts.of(draft), packages);
        List<SystemAccounts.PasswdLine> users = mergeUsers(system, accounts);
        List<SystemAccounts.GroupLine> groups = mergeGroups(system, accounts);
        if (system.source().isPresent()) {
            // what check() left to the build: the names base-passwd and the scripts bring
            checkRunAs(accounts, paths, users.stream().map(SystemAccounts.PasswdLine::name).toList(),
                    groups.stream().map(SystemAccounts.GroupLine::name).toList());
        }
        draft.putGenerated(PASSWD, String.join("", users.stream().map(SystemAccounts.PasswdLine::line).toList())
                .getBytes(StandardCharsets.UTF_8));
        draft.putGenerated(GROUP, String.join("", groups.stream().map(SystemAccounts.GroupLine::line).toList())
                .getBytes(StandardCharsets.UTF_8));
        for (ImageSpec.User u : accounts.users()) {
            String home = TreePath.normalize(homeOf(u));
            if (draft.get(home).isPresent() || home.equals("/nonexistent")) {
                continue; // a package's directory stays as shipped; /nonexistent means no home
            }
            int mode = paths.stream()
                    .filter(p -> p.type() == ImageSpec.PathType.DIRECTORY && p.permissions().isPresent()
                            && TreePath.normalize(p.path()).equals(home))
                    .mapToInt(p -> p.permissions().getAsInt()).findFirst().orElse(0755);
            draft.ensureParents(home);
            draft.put(Entry.dir(home, mode, u.uid(), u.gid(), draft.epoch()), Draft.GENERATED);
        }
    }

    /**
     * The system's users with the spec's: a spec user replaces one of its name; one with another
     * name and the same uid replaces a built-in, and is an error against base-passwd's or a
     * script's (the image would have two names for one id). Ordered by uid, then name.
     */
    static List<SystemAccounts.PasswdLine> mergeUsers(SystemAccounts system, ImageSpec.Accounts accounts) {
        users(accounts); // the spec's own checks: names, ids, nothing twice
        List<SystemAccounts.PasswdLine> out = new ArrayList<>(system.users());
        for (ImageSpec.User u : accounts.users()) {
            out.removeIf(l -> l.name().equals(u.username()));
            for (SystemAccounts.PasswdLine other : List.copyOf(out)) {
                if (other.uid() == u.uid()) {
                    if (system.source().isPresent()) {
                        throw clash("uid", u.uid(), other.name(), u.username(), system.source().get());
                    }
                    out.remove(other);
                }
            }
            out.add(SystemAccounts.PasswdLine.of(u));
        }
        out.sort(Comparator.comparingLong(SystemAccounts.PasswdLine::uid).thenComparing(SystemAccounts.PasswdLine::name, TreePath.ORDER));
        return out;
    }

    /** As {@link #mergeUsers}, for groups. */
    static List<SystemAccounts.GroupLine> mergeGroups(SystemAccounts system, ImageSpec.Accounts accounts) {
        groups(accounts);
        List<SystemAccounts.GroupLine> out = new ArrayList<>(system.groups());
        for (ImageSpec.Group g : accounts.groups()) {
            out.removeIf(l -> l.name().equals(g.groupname()));
            for (SystemAccounts.GroupLine other : List.copyOf(out)) {
                if (other.gid() == g.gid()) {
                    if (system.source().isPresent()) {
                        throw clash("gid", g.gid(), other.name(), g.groupname(), system.source().get());
                    }
                    out.remove(other);
                }
            }
            out.add(SystemAccounts.GroupLine.of(g));
        }
        out.sort(Comparator.comparingLong(SystemAccounts.GroupLine::gid).thenComparing(SystemAccounts.GroupLine::name, TreePath.ORDER));
        return out;
    }

    private static AssembleException clash(String what, long id, String theirs, String ours, String source) {
        return new AssembleException(AssembleException.Kind.ACCOUNTS, "accounts: " + what + " " + id + " is " + theirs
                + " in the image (from " + source + " or a package's scripts) and " + ours + " in the spec: one id, two names"
                + "\n  fix: give " + ours + " another " + what + ", or name it " + theirs);
    }

    /**
     * Refuses, before anything is fetched, accounts that cannot be written and a {@code run-as}
     * naming a user or group the image will not have: the runtime looks a name up in the image's
     * own /etc/passwd and /etc/group, and would fail only when the container starts. Numbers need
     * no entry; a spec that puts its own /etc/passwd or /etc/group in {@code paths} is taken at its word.
     */
    static void check(ImageSpec.Accounts accounts, List<ImageSpec.PathEntry> paths) {
        check(accounts, paths, false);
    }

    /**
     * As {@link #check(ImageSpec.Accounts, List)}; with base-passwd requested, a name that is not
     * the spec's is left to the build, which knows base-passwd's accounts ({@link #write}).
     */
    static void check(ImageSpec.Accounts accounts, List<ImageSpec.PathEntry> paths, boolean basePasswd) {
        List<String> users = users(accounts).stream().map(ImageSpec.User::username).toList();
        List<String> groups = groups(accounts).stream().map(ImageSpec.Group::groupname).toList();
        if (!basePasswd) {
            checkRunAs(accounts, paths, users, groups);
        }
    }

    private static void checkRunAs(ImageSpec.Accounts accounts, List<ImageSpec.PathEntry> paths, List<String> users,
            List<String> groups) {
        if (accounts.runAs().isEmpty()) {
            return;
        }
        String runAs = accounts.runAs().get();
        int colon = runAs.indexOf(':');
        String user = colon < 0 ? runAs : runAs.substring(0, colon);
        String group = colon < 0 ? null : runAs.substring(colon + 1);
        boolean ownPasswd = paths.stream().anyMatch(p -> TreePath.normalize(p.path()).equals(PASSWD));
        boolean ownGroup = paths.stream().anyMatch(p -> TreePath.normalize(p.path()).equals(GROUP));
        if (!ownPasswd && !user.chars().allMatch(Character::isDigit) && !users.contains(user)) {
            throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                    "accounts.run-as: '" + runAs + "' names the user " + user + ", whom the image's "
                    + PASSWD + " will not have (it has " + String.join(", ", users)
                    + ")\n  fix: add " + user + " under accounts.users, or give a uid (e.g. run-as: 65532)");
        }
        if (group != null && !ownGroup && !group.chars().allMatch(Character::isDigit)
                && !groups.contains(group)) {
            throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                    "accounts.run-as: '" + runAs + "' names the group " + group + ", which the image's "
                    + GROUP + " will not have (it has " + String.join(", ", groups)
                    + ")\n  fix: add " + group + " under accounts.groups, or give a gid (e.g. run-as: 65532:65532)");
        }
    }

    /** The users to write, built-ins included, in file order; duplicates in the spec are an error. */
    static List<ImageSpec.User> users(ImageSpec.Accounts accounts) {
        Map<String, ImageSpec.User> byName = new HashMap<>();
        Map<Long, ImageSpec.User> byId = new HashMap<>();
        for (ImageSpec.User u : accounts.users()) {
            checkName("user", u.username());
            checkId("user " + u.username(), u.uid());
            checkId("user " + u.username() + "'s group", u.gid());
            ImageSpec.User other = byName.put(u.username(), u);
            if (other != null) {
                throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                        "user " + u.username() + " is declared twice (uids " + other.uid() + " and " + u.uid() + ")");
            }
            other = byId.put(u.uid(), u);
            if (other != null) {
                throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                        "uid " + u.uid() + " is given to both " + other.username() + " and " + u.username());
            }
        }
        List<ImageSpec.User> out = new ArrayList<>(accounts.users());
        for (ImageSpec.User b : BUILTIN_USERS) {
            if (!byName.containsKey(b.username()) && !byId.containsKey(b.uid())) {
                out.add(b);
            }
        }
        out.sort(Comparator.comparingLong(ImageSpec.User::uid).thenComparing(ImageSpec.User::username, TreePath.ORDER));
        return out;
    }

    static List<ImageSpec.Group> groups(ImageSpec.Accounts accounts) {
        Map<String, ImageSpec.Group> byName = new HashMap<>();
        Map<Long, ImageSpec.Group> byId = new HashMap<>();
        for (ImageSpec.Group g : accounts.groups()) {
            checkName("group", g.groupname());
            checkId("group " + g.groupname(), g.gid());
            g.members().forEach(m -> checkName("member of group " + g.groupname(), m));
            ImageSpec.Group other = byName.put(g.groupname(), g);
            if (other != null) {
                throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                        "group " + g.groupname() + " is declared twice (gids " + other.gid() + " and " + g.gid() + ")");
            }
            other = byId.put(g.gid(), g);
            if (other != null) {
                throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                        "gid " + g.gid() + " is given to both " + other.groupname() + " and " + g.groupname());
            }
        }
        List<ImageSpec.Group> out = new ArrayList<>(accounts.groups());
        for (ImageSpec.Group b : BUILTIN_GROUPS) {
            if (!byName.containsKey(b.groupname()) && !byId.containsKey(b.gid())) {
                out.add(b);
            }
        }
        out.sort(Comparator.comparingLong(ImageSpec.Group::gid).thenComparing(ImageSpec.Group::groupname, TreePath.ORDER));
        return out;
    }

    static String homeOf(ImageSpec.User u) {
        return u.homedir().orElse("/home/" + u.username());
    }

    private static void checkName(String what, String name) {
        if (name.isEmpty() || name.chars().anyMatch(c -> c == ':' || c == ',' || c <= ' ' || c == 0x7f)) {
            throw new AssembleException(AssembleException.Kind.ACCOUNTS, what + " name '" + TreePath.printable(name)
                    + "' cannot be written to /etc/passwd or /etc/group (empty, or a ':', ',', space or control character)");
        }
    }

    private static void checkId(String what, long id) {
        if (id < 0 || id > Entry.MAX_ID - 1) {
            throw new AssembleException(AssembleException.Kind.ACCOUNTS,
                    what + ": id " + id + " outside 0.." + (Entry.MAX_ID - 1));
        }
    }
}
