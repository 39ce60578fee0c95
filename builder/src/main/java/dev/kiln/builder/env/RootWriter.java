package dev.kiln.builder.env;

import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.builder.RecipeException;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Writes a {@link FileTree} into a new directory on disk, read-only: files 0444 (0555 when any
 * execute bit is set; set-id bits are dropped), directories 0555 once filled, every mtime as the
 * tree says. Files with the same bytes, mode and mtime become hard links of one file. Owners and
 * extended attributes are not written. An entry is only ever written below a directory of the
 * tree, never through one of its links, so a link cannot lead a write out of the directory.
 */
final class RootWriter {
    private static final Set<PosixFilePermission> FILE = PosixFilePermissions.fromString("r--r--r--");
    private static final Set<PosixFilePermission> EXECUTABLE = PosixFilePermissions.fromString("r-xr-xr-x");
    private static final Set<PosixFilePermission> DIR = PosixFilePermissions.fromString("r-xr-xr-x");
    private static final Set<PosixFilePermission> WRITABLE_DIR = PosixFilePermissions.fromString("rwxr-xr-x");

    private RootWriter() {
    }

    private record Same(Digest content, boolean executable, long mtime) {
    }

    static void write(FileTree tree, Path target) throws IOException {
        Files.createDirectory(target);
        Files.setPosixFilePermissions(target, WRITABLE_DIR);
        Map<Same, Path> written = new HashMap<>();
        List<Entry> dirs = new ArrayList<>();
        List<Entry> hardlinks = new ArrayList<>();
        for (Entry e : tree) {
            if (e.path().equals(TreePath.ROOT)) {
                dirs.add(e);
                continue;
            }
            String parent = TreePath.parent(e.path());
            if (tree.get(parent).map(p -> p.type() != Entry.Type.DIR).orElse(true)) {
                throw new RecipeException(RecipeException.Kind.OTHER, "the build environment's " + TreePath.printable(e.path())
                        + " is not under a directory of the tree\n  fix: report this: the root filesystem is malformed");
            }
            Path p = at(target, e.path());
            switch (e.type()) {
                case DIR -> {
                    Files.createDirectory(p);
                    Files.setPosixFilePermissions(p, WRITABLE_DIR);
                    dirs.add(e);
                }
                case SYMLINK -> Files.createSymbolicLink(p, Path.of(e.linkTarget()));
                case HARDLINK -> hardlinks.add(e);
                case FILE -> {
                    boolean executable = (e.mode() & 0111) != 0;
                    Same same = new Same(e.content().digest(), executable, e.mtime());
                    Path first = written.get(same);
                    if (first != null) {
                        Files.createLink(p, first);
                        continue;
                    }
                    try (InputStream in = e.content().open();
                            OutputStream out = Files.newOutputStream(p, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE,
                                    LinkOption.NOFOLLOW_LINKS)) {
                        in.transferTo(out);
                    }
                    Files.setPosixFilePermissions(p, executable ? EXECUTABLE : FILE);
                    Files.setLastModifiedTime(p, FileTime.from(e.mtime(), java.util.concurrent.TimeUnit.SECONDS));
                    written.put(same, p);
                }
                default -> throw new IllegalStateException(e.type().toString());
            }
        }
        for (Entry h : hardlinks) {
            Files.createLink(at(target, h.path()), at(target, h.linkTarget()));
        }
        // deepest first, so that a parent is still writable while its children are set
        for (int i = dirs.size() - 1; i >= 0; i--) {
            Entry d = dirs.get(i);
            Path p = d.path().equals(TreePath.ROOT) ? target : at(target, d.path());
            Files.setLastModifiedTime(p, FileTime.from(d.mtime(), java.util.concurrent.TimeUnit.SECONDS));
            Files.setPosixFilePermissions(p, DIR);
        }
    }

    private static Path at(Path target, String treePath) {
        return target.resolve(treePath.substring(1));
    }
}
