package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.resolver.spec.ImageSpec;
import java.util.List;
import java.util.Optional;

/**
 * The spec's {@code paths} entries, applied last, in the order written (apko's meaning): a
 * directory or empty file is created (or its mode and owner set when it exists), a symlink or
 * hardlink made, {@code permissions} changes an existing path's mode and owner; with {@code
 * recursive} a directory's or a permissions change reaches everything below. Copying a local
 * file into the image ({@code source} on a file or directory) is refused until it is recorded in
 * the lock by content hash.
 */
final class SpecPaths {
    private SpecPaths() {
    }

    static void apply(Draft draft, List<ImageSpec.PathEntry> paths) {
        for (ImageSpec.PathEntry p : paths) {
            String path = TreePath.normalize(p.path());
            Optional<Entry> existing = draft.get(path);
            long mtime = draft.epoch();
            switch (p.type()) {
                case DIRECTORY -> {
                    refuseSource(p);
                    int mode = p.permissions().orElse(existing.map(Entry::mode).orElse(0755));
                    if (existing.isPresent() && existing.get().type() != Entry.Type.DIR) {
                        throw new AssembleException("paths: " + path + " is a " + existing.get().type().name().toLowerCase()
                                + " in the image, not a directory\n  fix: choose another path or remove the entry");
                    }
                    draft.ensureParents(path);
                    draft.put(existing.map(e -> e.withMode(mode).withOwner(p.uid(), p.gid()))
                            .orElse(Entry.dir(path, mode, p.uid(), p.gid(), mtime)), Draft.GENERATED);
                }
                case EMPTY_FILE -> {
                    refuseSource(p);
                    draft.ensureParents(path);
                    draft.put(Entry.file(path, p.permissions().orElse(0644), p.uid(), p.gid(), mtime, Content.of(new byte[0])),
                            Draft.GENERATED);
                }
                case SYMLINK -> {
                    String target = p.source().orElseThrow(() -> new AssembleException(
                            "paths: the symlink " + path + " needs a 'source' (its target)"));
                    draft.ensureParents(path);
                    draft.put(Entry.symlink(path, target, 0777, p.uid(), p.gid(), mtime), Draft.GENERATED);
                }
                case HARDLINK -> {
                    String target = TreePath.normalize(p.source().orElseThrow(() -> new AssembleException(
                            "paths: the hardlink " + path + " needs a 'source' (the file it links to)")));
                    Entry t = draft.get(target).orElseThrow(() -> new AssembleException(
                            "paths: the hardlink " + path + " points at " + target + ", which the image does not have"));
                    if (t.type() != Entry.Type.FILE) {
                        throw new AssembleException("paths: the hardlink " + path + " must point at a regular file, "
                                + target + " is a " + t.type().name().toLowerCase());
                    }
                    draft.ensureParents(path);
                    draft.put(Entry.hardlink(path, target, t.mode(), t.uid(), t.gid(), mtime), Draft.GENERATED);
                }
                case PERMISSIONS -> {
                    Entry e = existing.orElseThrow(() -> new AssembleException(
                            "paths: permissions for " + path + ", which the image does not have\n  fix: create it first"));
                    int mode = p.permissions().orElse(e.mode());
                    draft.put(e.withMode(mode).withOwner(p.uid(), p.gid()), Draft.GENERATED);
                }
                default -> throw new AssembleException("paths: type " + p.type() + " is not known");
            }
            if (p.recursive()) {
                applyBelow(draft, path, p);
            }
        }
    }

    /**
     * {@code recursive: true} (apko's meaning): the owner, and the mode when one is given, go to
     * everything below the directory too; a symlink takes the owner only (its mode means nothing).
     * Entries keep the package that shipped them.
     */
    private static void applyBelow(Draft draft, String dir, ImageSpec.PathEntry p) {
        Entry top = draft.get(dir).orElseThrow();
        if (top.type() != Entry.Type.DIR) {
            throw new AssembleException("paths: " + dir + " is a " + top.type().name().toLowerCase()
                    + ", so 'recursive' has nothing below it to apply to\n  fix: remove 'recursive', or name a directory");
        }
        for (Entry e : draft.below(dir)) {
            Entry changed = e.withOwner(p.uid(), p.gid());
            if (p.permissions().isPresent() && e.type() != Entry.Type.SYMLINK) {
                changed = changed.withMode(p.permissions().getAsInt());
            }
            draft.put(changed, draft.owner(e.path()));
        }
    }

    private static void refuseSource(ImageSpec.PathEntry p) {
        if (p.source().isPresent()) {
            throw new AssembleException("paths: copying a local file or directory into the image ('source' on "
                    + p.path() + ") is not supported yet\n  fix: ship it in a package for now");
        }
    }
}
