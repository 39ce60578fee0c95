package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The root filesystem while it is being assembled: entries by path, each with the package that
 * put it there ({@link #GENERATED} for what kiln writes itself). Private to the builder; what
 * leaves it is an immutable {@link FileTree}.
 */
final class Draft {
    static final String GENERATED = "(kiln)";

    /** Symlink hops followed before a path counts as unresolvable, as Linux's MAXSYMLINKS. */
    private static final int MAX_HOPS = 40;

    private final TreeMap<String, Entry> entries = new TreeMap<>(TreePath.ORDER);
    private final Map<String, String> owners = new TreeMap<>(TreePath.ORDER);
    private final List<String> warnings = new ArrayList<>();
    private final long epoch;

    Draft(long epoch) {
        this.epoch = epoch;
    }

    long epoch() {
        return epoch;
    }

    /** An independent copy, to go on from the same state two ways. */
    Draft copy() {
        Draft d = new Draft(epoch);
        d.entries.putAll(entries);
        d.owners.putAll(owners);
        d.warnings.addAll(warnings);
        return d;
    }

    /** Notes what the build should report: an effect of a package's script kiln could not reproduce. */
    void warn(String warning) {
        warnings.add(warning);
    }

    List<String> warnings() {
        return List.copyOf(warnings);
    }

    Optional<Entry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    /** The package that shipped {@code path}, or {@link #GENERATED}. */
    String owner(String path) {
        return owners.get(path);
    }

    /** Every path's owner, in path order. */
    Map<String, String> owners() {
        TreeMap<String, String> copy = new TreeMap<>(TreePath.ORDER);
        copy.putAll(owners);
        return copy;
    }

    void put(Entry entry, String owner) {
        entries.put(entry.path(), entry);
        owners.put(entry.path(), owner);
    }

    /** Takes {@code path} out of the tree (what is below it stays: the caller removes that first). */
    void remove(String path) {
        entries.remove(path);
        owners.remove(path);
    }

    /** Every entry, in path order. */
    List<Entry> all() {
        return new ArrayList<>(entries.values());
    }

    /** The entries below {@code dir} (not {@code dir} itself), in path order. */
    List<Entry> below(String dir) {
        String prefix = dir.equals(TreePath.ROOT) ? dir : dir + "/";
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries.tailMap(prefix, true).values()) {
            if (!e.path().startsWith(prefix)) {
                break;
            }
            out.add(e);
        }
        return out;
    }

    /** Writes a file kiln generates (0644 root:root at the epoch), over whatever a package put there. */
    void putGenerated(String path, byte[] bytes) {
        ensureParents(path);
        put(Entry.file(path, 0644, 0, 0, epoch, Content.of(bytes)), GENERATED);
    }

    /** Creates the missing directories above {@code path} (0755 root:root at the epoch). */
    void ensureParents(String path) {
        Deque<String> missing = new ArrayDeque<>();
        for (String p = TreePath.parent(path); p != null; p = TreePath.parent(p)) {
            Entry e = entries.get(p);
            if (e == null) {
                missing.push(p);
            } else if (e.type() != Entry.Type.DIR) {
                throw new AssembleException(AssembleException.Kind.FILE_CONFLICT,
                        "cannot create " + path + ": " + p + " is a " + e.type()
                        + " shipped by " + owners.get(p) + ", expected a directory");
            }
        }
        for (String p : missing) {
            put(Entry.dir(p, 0755, 0, 0, epoch), GENERATED);
        }
    }

    /**
     * Where {@code path} leads inside the tree, following symlinks in every component as the
     * kernel would with the tree as its root; empty if a component is missing or the links loop.
     */
    Optional<String> resolve(String path) {
        Deque<String> todo = new ArrayDeque<>();
        pushComponents(todo, path);
        String current = TreePath.ROOT;
        int hops = 0;
        while (!todo.isEmpty()) {
            String c = todo.pop();
            if (c.isEmpty() || c.equals(".")) {
                continue;
            }
            if (c.equals("..")) {
                String parent = TreePath.parent(current);
                current = parent == null ? TreePath.ROOT : parent;
                continue;
            }
            String next = current.equals(TreePath.ROOT) ? "/" + c : current + "/" + c;
            Entry e = entries.get(next);
            if (e == null) {
                return Optional.empty();
            }
            if (e.type() == Entry.Type.SYMLINK) {
                if (++hops > MAX_HOPS) {
                    return Optional.empty();
                }
                pushComponents(todo, e.linkTarget());
                if (e.linkTarget().startsWith("/")) {
                    current = TreePath.ROOT;
                }
                continue;
            }
            current = next;
        }
        return Optional.of(current);
    }

    /** The bytes at {@code path} after following symlinks and hardlinks, if it is a regular file. */
    Optional<Content> content(String path) {
        return resolve(path).map(entries::get).map(e -> e.type() == Entry.Type.HARDLINK ? entries.get(e.linkTarget()) : e)
                .filter(e -> e != null && e.type() == Entry.Type.FILE).map(Entry::content);
    }

    private static void pushComponents(Deque<String> todo, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            todo.push(parts[i]);
        }
    }

    /** The finished tree. */
    FileTree toFileTree() {
        return FileTree.of("root filesystem", entries.values());
    }
}
