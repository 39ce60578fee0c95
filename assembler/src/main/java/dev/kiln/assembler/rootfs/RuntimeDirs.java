package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.tree.Entry;
import java.util.List;

/**
 * The runtime directories and links every image gets, as base-files' postinst makes them on a
 * fresh install ({@code install_directory}, {@code migrate_directory}): {@code /run} (0755),
 * {@code /run/lock} (1777), {@code /var/run -> /run}, {@code /var/lock -> /run/lock}, and the
 * world-writable {@code /tmp} and {@code /var/tmp} (1777). A directory a package ships keeps its
 * mode, as the script leaves an existing one alone; what a package ships below {@code /var/run} or
 * {@code /var/lock} moves below the link's target. The spec's {@code paths} come later and can
 * give these directories other modes.
 *
 * <p>Also {@code /etc/dpkg/origins/default -> debian} when base-files shipped
 * {@code /etc/dpkg/origins/debian} and nothing made {@code default}: {@code dpkg-buildflags} and
 * {@code dpkg-vendor} read it.
 */
final class RuntimeDirs {
    static final String ORIGINS = "/etc/dpkg/origins";

    /** Directories made when missing, with their modes, parents first. */
    private static final List<Dir> DIRS = List.of(new Dir("/run", 0755), new Dir("/run/lock", 01777),
            new Dir("/tmp", 01777), new Dir("/var", 0755), new Dir("/var/tmp", 01777));
    /** Links made over a shipped directory, as {@code migrate_directory}. */
    private static final List<Link> LINKS = List.of(new Link("/var/run", "/run"), new Link("/var/lock", "/run/lock"));

    private record Dir(String path, int mode) {
    }

    private record Link(String path, String target) {
    }

    private RuntimeDirs() {
    }

    static void make(Draft draft) {
        for (Dir d : DIRS) {
            if (draft.get(d.path()).isEmpty()) {
                draft.ensureParents(d.path());
                draft.put(Entry.dir(d.path(), d.mode(), 0, 0, draft.epoch()), Draft.GENERATED);
            }
        }
        for (Link l : LINKS) {
            var shipped = draft.get(l.path());
            if (shipped.isPresent() && shipped.get().type() == Entry.Type.SYMLINK) {
                continue; // a package's link stays, as the script checks with -L
            }
            moveBelow(draft, l.path(), l.target());
            draft.put(Entry.symlink(l.path(), l.target(), 0777, 0, 0, draft.epoch()), Draft.GENERATED);
        }
        String origins = ORIGINS + "/default";
        if (draft.get(origins).isEmpty() && draft.get(ORIGINS + "/debian").isPresent()) {
            draft.put(Entry.symlink(origins, "debian", 0777, 0, 0, draft.epoch()), Draft.GENERATED);
        }
    }

    /** Moves what a package shipped below {@code from} to the same place below {@code to}, then drops {@code from}. */
    private static void moveBelow(Draft draft, String from, String to) {
        for (Entry e : draft.below(from)) {
            String moved = to + e.path().substring(from.length());
            String owner = draft.owner(e.path());
            draft.remove(e.path());
            if (draft.get(moved).isEmpty()) {
                draft.ensureParents(moved);
                draft.put(new Entry(moved, e.type(), e.mode(), e.uid(), e.gid(), e.mtime(), e.linkTarget(), e.xattrs(),
                        e.content()), owner);
            }
        }
        draft.remove(from);
    }
}
