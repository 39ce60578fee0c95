package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.spec.ImageSpec;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The spec's {@code paths} entries, applied last, in the order written (apko's meaning): a
 * directory or empty file is created (or its mode and owner set when it exists), a symlink or
 * hardlink made, {@code permissions} changes an existing path's mode and owner; with {@code
 * recursive} a directory's or a permissions change reaches everything below. A {@code file} or
 * {@code directory} with a {@code source} also copies in what its {@link Copy} lists: with
 * the entry's owner, the listing's modes (a {@code file}'s {@code permissions} win), the epoch as
 * mtime; directories that exist keep their mode and owner, other paths are replaced.
 */
final class SpecPaths {
    private SpecPaths() {
    }

    /**
     * Applies every entry in order; returns where each landed (see {@link #placed}), for the tree
     * without sources to place them alike.
     */
    static List<Placement> apply(Draft draft, List<ImageSpec.PathEntry> paths, Map<String, Copy> copies) {
        List<Placement> out = new java.util.ArrayList<>();
        for (ImageSpec.PathEntry p : paths) {
            out.add(apply(draft, p, copies, null));
        }
        return out;
    }

    /**
     * Where an entry landed in the whole tree: its path and, for a hardlink, its target, with
     * symlinked directories followed. A link that a local source brings is not in the tree without
     * sources, so that tree reuses these instead of following links itself.
     */
    record Placement(String path, String target) {
    }

    /**
     * The tree the local sources' layer goes over: the entries that copy a source are left out,
     * and so is an entry that cannot apply without what they copied (a {@code permissions} or a
     * {@code hardlink} naming a copied file). Only that: the whole tree, built first with every
     * entry, has already reported any real error, and the sources' layer carries whatever the
     * left-out entries change.
     */
    static void applyWithoutSources(Draft draft, List<ImageSpec.PathEntry> paths, List<Placement> placed) {
        for (int i = 0; i < paths.size(); i++) {
            ImageSpec.PathEntry p = paths.get(i);
            if (p.copiesSource()) {
                continue;
            }
            try {
                apply(draft, p, Map.of(), placed.get(i));
            } catch (AssembleException needsTheSources) {
                // left out: an entry fails before it changes anything
            }
        }
    }

    private static Placement apply(Draft draft, ImageSpec.PathEntry p, Map<String, Copy> copies, Placement given) {
        String written = TreePath.normalize(p.path());
        String path = given != null ? given.path() : placed(draft, written);
        String linkTarget = null;
        if (!path.equals(written) && p.copiesSource()) {
            // the lock and kiln verify know a copy by the path the spec gives it: it must be the real one
            throw new AssembleException(AssembleException.Kind.PATHS,
                    "paths: " + written + " copies a local source through a symlink in the image ("
                    + written + " is " + path + ")\n  fix: write path: " + path);
        }
        Optional<Entry> existing = draft.get(path);
        long mtime = draft.epoch();
        switch (p.type()) {
            case DIRECTORY -> {
                int mode = p.permissions().orElse(existing.map(Entry::mode).orElse(0755));
                if (existing.isPresent() && existing.get().type() != Entry.Type.DIR) {
                    throw new AssembleException(AssembleException.Kind.PATHS,
                            "paths: " + path + " is a " + existing.get().type().name().toLowerCase()
                            + " in the image, not a directory\n  fix: choose another path or remove the entry");
                }
                draft.ensureParents(path);
                draft.put(existing.map(e -> e.withMode(mode).withOwner(p.uid(), p.gid()))
                        .orElse(Entry.dir(path, mode, p.uid(), p.gid(), mtime)), Draft.GENERATED);
                if (p.copiesSource()) {
                    copyTree(draft, path, p, copy(copies, p));
                }
            }
            case FILE -> {
                Copy source = copy(copies, p);
                if (source.listing().kind() != CopyListing.Kind.FILE) {
                    throw new AssembleException(AssembleException.Kind.PATHS,
                            "paths: " + path + " copies a file, but " + p.source().orElseThrow() + " is a directory");
                }
                CopyListing.Item file = source.listing().entries().get(0);
                refuseDirectory(draft, path, p);
                draft.ensureParents(path);
                draft.put(Entry.file(path, p.permissions().orElse(file.mode()), p.uid(), p.gid(), mtime, source.content(file)),
                        Draft.GENERATED);
            }
            case EMPTY_FILE -> {
                draft.ensureParents(path);
                draft.put(Entry.file(path, p.permissions().orElse(0644), p.uid(), p.gid(), mtime, Content.of(new byte[0])),
                        Draft.GENERATED);
            }
            case SYMLINK -> {
                String target = p.source().orElseThrow(() -> new AssembleException(AssembleException.Kind.PATHS,
                        "paths: the symlink " + path + " needs a 'source' (its target)"));
                draft.ensureParents(path);
                draft.put(Entry.symlink(path, target, 0777, p.uid(), p.gid(), mtime), Draft.GENERATED);
            }
            case HARDLINK -> {
                String target = given != null ? given.target() : placed(draft, TreePath.normalize(p.source().orElseThrow(
                        () -> new AssembleException(AssembleException.Kind.PATHS,
                                "paths: the hardlink " + path + " needs a 'source' (the file it links to)"))));
                linkTarget = target;
                Entry t = draft.get(target).orElseThrow(() -> new AssembleException(AssembleException.Kind.PATHS,
                        "paths: the hardlink " + path + " points at " + target + ", which the image does not have"));
                if (t.type() != Entry.Type.FILE) {
                    throw new AssembleException(AssembleException.Kind.PATHS,
                            "paths: the hardlink " + path + " must point at a regular file, "
                            + target + " is a " + t.type().name().toLowerCase());
                }
                draft.ensureParents(path);
                draft.put(Entry.hardlink(path, target, t.mode(), t.uid(), t.gid(), mtime), Draft.GENERATED);
            }
            case PERMISSIONS -> {
                Entry e = existing.orElseThrow(() -> new AssembleException(AssembleException.Kind.PATHS,
                        "paths: permissions for " + path + ", which the image does not have\n  fix: create it first"));
                if (p.recursive()) {
                    requireDirectory(e); // before anything changes
                }
                int mode = p.permissions().orElse(e.mode());
                draft.put(e.withMode(mode).withOwner(p.uid(), p.gid()), Draft.GENERATED);
            }
            default -> throw new AssembleException(AssembleException.Kind.PATHS, "paths: type " + p.type() + " is not known");
        }
        if (p.recursive()) {
            applyBelow(draft, path, p);
        }
        return new Placement(path, linkTarget);
    }

    /**
     * {@code recursive: true} (apko's meaning): the owner, and the mode when one is given, go to
     * everything below the directory too; a symlink takes the owner only (its mode means nothing).
     * Entries keep the package that shipped them.
     */
    private static void applyBelow(Draft draft, String dir, ImageSpec.PathEntry p) {
        requireDirectory(draft.get(dir).orElseThrow());
        for (Entry e : draft.below(dir)) {
            Entry changed = e.withOwner(p.uid(), p.gid());
            if (p.permissions().isPresent() && e.type() != Entry.Type.SYMLINK) {
                changed = changed.withMode(p.permissions().getAsInt());
            }
            draft.put(changed, draft.owner(e.path()));
        }
    }

    private static void requireDirectory(Entry top) {
        if (top.type() != Entry.Type.DIR) {
            throw new AssembleException(AssembleException.Kind.PATHS,
                    "paths: " + top.path() + " is a " + top.type().name().toLowerCase()
                    + ", so 'recursive' has nothing below it to apply to\n  fix: remove 'recursive', or name a directory");
        }
    }

    private static Copy copy(Map<String, Copy> copies, ImageSpec.PathEntry p) {
        Copy s = copies.get(p.path());
        if (s == null) {
            throw new IllegalStateException("paths: nothing was read for " + p.source().orElse("?") + " (copied to " + p.path() + ")");
        }
        return s;
    }

    /** Lays a directory source's listing in below {@code dir}, in path order (parents first). */
    private static void copyTree(Draft draft, String dir, ImageSpec.PathEntry p, Copy source) {
        if (source.listing().kind() != CopyListing.Kind.DIRECTORY) {
            throw new AssembleException(AssembleException.Kind.PATHS,
                    "paths: " + dir + " copies a directory, but " + p.source().orElseThrow() + " is a file");
        }
        long mtime = draft.epoch();
        for (CopyListing.Item i : source.listing().entries()) {
            String path = dir.equals(TreePath.ROOT) ? "/" + i.path() : dir + "/" + i.path();
            if (!TreePath.isNormal(path)) {
                throw new AssembleException(AssembleException.Kind.PATHS,
                        "paths: " + p.source().orElseThrow() + "/" + i.path() + " cannot be copied to "
                        + TreePath.printable(path) + ": the path is too long for an image\n  fix: shorten it");
            }
            Optional<Entry> existing = draft.get(path);
            switch (i.type()) {
                case DIRECTORY -> {
                    if (existing.isPresent() && existing.get().type() == Entry.Type.DIR) {
                        continue; // as cp -r into a directory that is there: it keeps its mode and owner
                    }
                    refuseDirectory(draft, path, p);
                    draft.put(Entry.dir(path, i.mode(), p.uid(), p.gid(), mtime), Draft.GENERATED);
                }
                case FILE -> {
                    refuseDirectory(draft, path, p);
                    draft.put(Entry.file(path, i.mode(), p.uid(), p.gid(), mtime, source.content(i)), Draft.GENERATED);
                }
                case SYMLINK -> {
                    refuseDirectory(draft, path, p);
                    draft.put(Entry.symlink(path, i.target(), i.mode(), p.uid(), p.gid(), mtime), Draft.GENERATED);
                }
                default -> throw new IllegalStateException(i.type().toString());
            }
        }
    }

    /** A copy may replace a file or a link, never a directory (what is below it would be orphaned). */
    private static void refuseDirectory(Draft draft, String path, ImageSpec.PathEntry p) {
        Optional<Entry> existing = draft.get(path);
        if (existing.isPresent() && existing.get().type() == Entry.Type.DIR) {
            throw new AssembleException(AssembleException.Kind.PATHS,
                    "paths: copying " + p.source().orElseThrow() + " to " + p.path() + " would put a file at "
                    + path + ", which is a directory in the image (from " + draft.owner(path) + ")"
                    + "\n  fix: copy it to another path, or make the source hold a directory there");
        }
        if (existing.isEmpty()) {
            draft.ensureParents(path);
        }
    }

    /**
     * Where a spec path lands: its parent directories' symlinks followed inside the image, as
     * {@code mkdir -p} and a shell would, so {@code /bin/tool} on a merged-/usr image (where /bin
     * is a link to usr/bin) is {@code /usr/bin/tool}. The last component is not followed: a
     * symlink named by the spec is that link. A missing directory is left as written (it is
     * created), and a link that leads nowhere or loops is left to the usual error.
     */
    static String placed(Draft draft, String path) {
        String parent = TreePath.parent(path);
        if (parent == null) {
            return path;
        }
        String current = TreePath.ROOT;
        for (String name : parent.substring(1).split("/")) {
            if (name.isEmpty()) {
                continue;
            }
            String next = current.equals(TreePath.ROOT) ? "/" + name : current + "/" + name;
            Optional<Entry> e = draft.get(next);
            if (e.isPresent() && e.get().type() == Entry.Type.SYMLINK) {
                next = draft.resolve(next).orElse(next);
            }
            current = next;
        }
        String leaf = path.substring(path.lastIndexOf('/') + 1);
        return current.equals(TreePath.ROOT) ? "/" + leaf : current + "/" + leaf;
    }

}
