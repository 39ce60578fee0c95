package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * The shadow files passwd's postinst makes on a fresh install ({@code shadowconfig on}), as its
 * chroot-less path writes them: every {@code *} password in {@code /etc/passwd} and
 * {@code /etc/group} becomes {@code x}, {@code /etc/shadow} gets {@code NAME:*:DAYS:0:99999:7:::}
 * per account (DAYS: the build's epoch in days, as {@code SOURCE_DATE_EPOCH}) and
 * {@code /etc/gshadow} {@code NAME:*::MEMBERS} per group (members as {@code grpconv} copies
 * them), both 0640 root:shadow. Also the empty {@code /etc/subuid} and {@code /etc/subgid}
 * (0644) {@code useradd} leaves when the scripts add their accounts. Runs after
 * {@link AccountFiles} and {@link ScriptFiles}; only when passwd is in the closure.
 */
final class ShadowFiles {
    static final String PACKAGE = "passwd";
    static final String SHADOW = "/etc/shadow";
    static final String GSHADOW = "/etc/gshadow";

    private ShadowFiles() {
    }

    static void write(Draft draft, List<DebPackage> packages) {
        if (packages.stream().noneMatch(p -> p.packageName().equals(PACKAGE))) {
            return;
        }
        Optional<String> passwd = text(draft, AccountFiles.PASSWD);
        Optional<String> group = text(draft, AccountFiles.GROUP);
        if (passwd.isEmpty() || group.isEmpty()) {
            return;
        }
        long days = draft.epoch() / 86400;
        String dayField = days == 0 ? "" : Long.toString(days);
        long shadowGid = ScriptFiles.id(draft, AccountFiles.GROUP, "shadow");
        put(draft, SHADOW, rewrite(passwd.get(), f -> f[0] + ":*:" + dayField + ":0:99999:7:::"), 0640, shadowGid);
        put(draft, GSHADOW, rewrite(group.get(), f -> f[0] + ":*::" + (f.length > 3 ? f[3] : "")), 0640, shadowGid);
        put(draft, AccountFiles.PASSWD, shadowed(passwd.get()), 0644, 0);
        put(draft, AccountFiles.GROUP, shadowed(group.get()), 0644, 0);
        for (String sub : List.of("/etc/subuid", "/etc/subgid")) {
            if (draft.get(sub).isEmpty()) {
                put(draft, sub, "", 0644, 0);
            }
        }
    }

    private static Optional<String> text(Draft draft, String path) {
        return draft.content(path).map(c -> new String(c.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** One line per account line, made from its fields. */
    private static String rewrite(String master, Function<String[], String> line) {
        StringBuilder out = new StringBuilder();
        for (String l : master.split("\n")) {
            if (!l.isBlank()) {
                out.append(line.apply(l.split(":", -1))).append('\n');
            }
        }
        return out.toString();
    }

    /** {@code sed 's/^\([^:]\+\):\*:/\1:x:/'}: a {@code *} password becomes {@code x}. */
    private static String shadowed(String master) {
        return master.replaceAll("(?m)^([^:\n]+):\\*:", "$1:x:");
    }

    private static void put(Draft draft, String path, String text, int mode, long gid) {
        draft.put(Entry.file(path, mode, 0, gid, draft.epoch(),
                Content.of(text.getBytes(StandardCharsets.UTF_8))), Draft.GENERATED);
    }
}
