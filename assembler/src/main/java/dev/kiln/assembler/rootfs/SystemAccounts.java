package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Content;
import dev.kiln.resolver.spec.ImageSpec;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The accounts an image has before the spec's: Debian's standard ones from base-passwd's master
 * files when base-passwd is installed (its postinst copies them to {@code /etc/passwd} and
 * {@code /etc/group} on a fresh install), else kiln's built-ins ({@link AccountFiles}); then the
 * ones the installed packages' scripts create ({@link ScriptAccounts}).
 *
 * @param users the {@code /etc/passwd} lines
 * @param groups the {@code /etc/group} lines
 * @param source where they come from, for errors ({@code base-passwd's passwd.master}), or empty
 *     for kiln's built-ins, which a spec account with the same id replaces
 */
record SystemAccounts(List<PasswdLine> users, List<GroupLine> groups, Optional<String> source) {
    static final String PASSWD_MASTER = "/usr/share/base-passwd/passwd.master";
    static final String GROUP_MASTER = "/usr/share/base-passwd/group.master";

    SystemAccounts {
        users = List.copyOf(users);
        groups = List.copyOf(groups);
    }

    /** One {@code /etc/passwd} line. */
    record PasswdLine(String name, String password, long uid, long gid, String gecos, String home, String shell) {
        static PasswdLine of(ImageSpec.User u) {
            return new PasswdLine(u.username(), "x", u.uid(), u.gid(), u.username(), AccountFiles.homeOf(u),
                    u.shell().orElse(AccountFiles.NOLOGIN));
        }

        String line() {
            return name + ':' + password + ':' + uid + ':' + gid + ':' + gecos + ':' + home + ':' + shell + '\n';
        }
    }

    /** One {@code /etc/group} line. */
    record GroupLine(String name, String password, long gid, List<String> members) {
        GroupLine {
            members = List.copyOf(members);
        }

        static GroupLine of(ImageSpec.Group g) {
            return new GroupLine(g.groupname(), "x", g.gid(), g.members());
        }

        String line() {
            return name + ':' + password + ':' + gid + ':' + String.join(",", members) + '\n';
        }
    }

    /** base-passwd's accounts when its master files are in the tree, else the built-ins. */
    static SystemAccounts of(Draft draft) {
        Optional<Content> passwd = draft.content(PASSWD_MASTER);
        Optional<Content> group = draft.content(GROUP_MASTER);
        if (passwd.isEmpty() || group.isEmpty()) {
            return new SystemAccounts(AccountFiles.BUILTIN_USERS.stream().map(PasswdLine::of).toList(),
                    AccountFiles.BUILTIN_GROUPS.stream().map(GroupLine::of).toList(), Optional.empty());
        }
        return new SystemAccounts(passwdLines(text(passwd.get()), PASSWD_MASTER), groupLines(text(group.get()), GROUP_MASTER),
                Optional.of("base-passwd's master files"));
    }

    private static String text(Content c) {
        return new String(c.readAllBytes(), StandardCharsets.UTF_8);
    }

    static List<PasswdLine> passwdLines(String text, String what) {
        return records(text, what, 7).stream().map(r -> new PasswdLine(r.f()[0], r.f()[1], r.id(2), r.id(3), r.f()[4], r.f()[5],
                r.f()[6])).toList();
    }

    static List<GroupLine> groupLines(String text, String what) {
        return records(text, what, 4).stream().map(r -> new GroupLine(r.f()[0], r.f()[1], r.id(2),
                r.f()[3].isEmpty() ? List.of() : List.of(r.f()[3].split(",")))).toList();
    }

    /** A line of a master file split at its colons, with where it is for errors. */
    private record Record(String[] f, String what, int n, String line) {
        long id(int field) {
            return SystemAccounts.id(f[field], what, n, line);
        }
    }

    /** The non-blank lines of {@code text}, each with exactly {@code fields} colon-separated fields. */
    private static List<Record> records(String text, String what, int fields) {
        List<Record> out = new ArrayList<>();
        int n = 0;
        for (String line : text.split("\n")) {
            n++;
            if (line.isBlank()) {
                continue;
            }
            String[] f = line.split(":", -1);
            if (f.length != fields) {
                throw malformed(what, n, line, fields + " fields");
            }
            out.add(new Record(f, what, n, line));
        }
        return out;
    }

    private static long id(String text, String what, int n, String line) {
        try {
            long id = Long.parseLong(text);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw malformed(what, n, line, "a number of 0 or more as id");
    }

    private static AssembleException malformed(String what, int n, String line, String expected) {
        return new AssembleException(AssembleException.Kind.ACCOUNTS, what + ":" + n + ": expected " + expected
                + ", found '" + line + "'\n  fix: use base-passwd as Debian ships it");
    }
}
