package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.tree.Entry;
import java.util.List;
import java.util.Set;

/**
 * The merged-/usr layout Debian uses from bookworm on: {@code /bin}, {@code /sbin} and the
 * {@code /lib*} directories are symlinks into {@code /usr}. bookworm's packages still ship files
 * under the old paths (libc6's {@code /lib64/ld-linux-x86-64.so.2}); dpkg writes those through
 * the symlinks, so here they are moved under {@code /usr}.
 *
 * <p>{@code bin}, {@code sbin} and {@code lib} are always linked; {@code lib64} always on amd64
 * (the ABI's dynamic linker lives there); {@code lib32}, {@code lib64}, {@code libx32} and
 * {@code libo32} otherwise only when some package ships something under them, so that no link
 * dangles. debootstrap links a fixed per-architecture set instead; the difference is only in
 * links nothing uses.
 */
final class MergedUsr {
    static final List<String> ALIASES = List.of("bin", "sbin", "lib", "lib32", "lib64", "libx32", "libo32");
    static final Set<String> ALWAYS = Set.of("bin", "sbin", "lib");

    private MergedUsr() {
    }

    /** The alias directory {@code path} is (or is under), e.g. {@code lib64}; null if none. */
    static String aliasOf(String path) {
        for (String a : ALIASES) {
            if (path.equals("/" + a) || path.startsWith("/" + a + "/")) {
                return a;
            }
        }
        return null;
    }

    /** Whether a package ships the alias itself as the merged-/usr link (trixie's base-files does). */
    static boolean isAliasLink(Entry e, String alias) {
        return e.type() == Entry.Type.SYMLINK
                && (e.linkTarget().equals("usr/" + alias) || e.linkTarget().equals("/usr/" + alias));
    }

    /** The entry at its /usr path; a hardlink's target moves with it. */
    static Entry moved(Entry e) {
        String target = e.linkTarget();
        if (e.type() == Entry.Type.HARDLINK && aliasOf(target) != null) {
            target = "/usr" + target;
        }
        return new Entry("/usr" + e.path(), e.type(), e.mode(), e.uid(), e.gid(), e.mtime(), target, e.xattrs(), e.content());
    }

    /** Whether {@code alias} gets a link in an image for {@code arch} whose packages used {@code used}. */
    static boolean linked(String alias, String arch, Set<String> used) {
        return ALWAYS.contains(alias) || used.contains(alias) || (alias.equals("lib64") && arch.equals("amd64"));
    }

    /** Creates the links (and the /usr directories they point to, if no package shipped them). */
    static void link(Draft draft, String arch, Set<String> used) {
        for (String alias : ALIASES) {
            if (!linked(alias, arch, used)) {
                continue;
            }
            String usrDir = "/usr/" + alias;
            if (draft.get(usrDir).isEmpty()) {
                draft.ensureParents(usrDir);
                draft.put(Entry.dir(usrDir, 0755, 0, 0, draft.epoch()), Draft.GENERATED);
            }
            draft.put(Entry.symlink("/" + alias, "usr/" + alias, 0777, 0, 0, draft.epoch()), Draft.GENERATED);
        }
    }
}
