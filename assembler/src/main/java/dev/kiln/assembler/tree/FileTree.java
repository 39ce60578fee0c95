package dev.kiln.assembler.tree;

import dev.kiln.assembler.AssembleException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * An immutable file tree: {@link Entry}s keyed by path in {@link TreePath#ORDER}. It lives in
 * memory only; nothing here touches the host's disk, so no archive can make kiln write outside
 * an image.
 */
public final class FileTree implements Iterable<Entry> {
    private static final FileTree EMPTY = new FileTree(new TreeMap<>(TreePath.ORDER));

    private final SortedMap<String, Entry> entries;

    private FileTree(TreeMap<String, Entry> entries) {
        this.entries = Collections.unmodifiableSortedMap(entries);
    }

    public static FileTree empty() {
        return EMPTY;
    }

    /**
     * A tree of {@code entries} (each path once, parents before children), whose errors name
     * {@code origin}. Hardlinks go in last: the builder wants a link's target first, and path order
     * may put a link before the file it shares bytes with.
     */
    public static FileTree of(String origin, Iterable<Entry> entries) {
        Builder builder = builder(origin);
        List<Entry> hardlinks = new ArrayList<>();
        for (Entry e : entries) {
            if (e.type() == Entry.Type.HARDLINK) {
                hardlinks.add(e);
            } else {
                builder.add(e);
            }
        }
        hardlinks.forEach(builder::add);
        return builder.build();
    }

    /** A builder whose errors name {@code origin} (a package file name, say). */
    public static Builder builder(String origin) {
        return new Builder(origin);
    }

    public Optional<Entry> get(String path) {
        return Optional.ofNullable(entries.get(path));
    }

    public boolean contains(String path) {
        return entries.containsKey(path);
    }

    public int size() {
        return entries.size();
    }

    /** The entries in path order. */
    public List<Entry> entries() {
        return List.copyOf(entries.values());
    }

    public Stream<Entry> stream() {
        return entries.values().stream();
    }

    @Override
    public Iterator<Entry> iterator() {
        return entries.values().iterator();
    }

    /** The sum of the regular files' sizes (hardlinks counted once). */
    public long contentBytes() {
        long total = 0;
        for (Entry e : entries.values()) {
            if (e.content() != null) {
                total += e.content().size();
            }
        }
        return total;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof FileTree t && entries.equals(t.entries);
    }

    @Override
    public int hashCode() {
        return entries.hashCode();
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder();
        for (Entry e : entries.values()) {
            s.append(e).append('\n');
        }
        return s.toString();
    }

    /**
     * Collects entries one at a time and refuses what no filesystem could hold: the same path
     * twice, a path under something that is not a directory (the classic way to write through a
     * symlink), a non-directory over paths already below it, a hardlink to anything but an
     * earlier regular file.
     */
    public static final class Builder {
        private final String origin;
        private final TreeMap<String, Entry> entries = new TreeMap<>(TreePath.ORDER);

        private Builder(String origin) {
            this.origin = Objects.requireNonNull(origin, "origin");
        }

        public Builder add(Entry entry) {
            String path = entry.path();
            Entry existing = entries.get(path);
            if (existing != null) {
                throw conflict(path, "a duplicate entry: expected each path once, found " + existing.type()
                        + " then " + entry.type());
            }
            for (String p = TreePath.parent(path); p != null; p = TreePath.parent(p)) {
                Entry ancestor = entries.get(p);
                if (ancestor != null && ancestor.type() != Entry.Type.DIR) {
                    throw conflict(path, "lies under " + TreePath.printable(p) + ", which is a " + ancestor.type()
                            + ", not a directory");
                }
            }
            if (entry.type() != Entry.Type.DIR) {
                String below = firstBelow(path);
                if (below != null) {
                    throw conflict(path, "is a " + entry.type() + " but " + TreePath.printable(below)
                            + " is already below it");
                }
            }
            if (entry.type() == Entry.Type.HARDLINK) {
                Entry target = entries.get(entry.linkTarget());
                if (target == null || target.type() != Entry.Type.FILE) {
                    throw conflict(path, "a hardlink to " + TreePath.printable(entry.linkTarget())
                            + ": expected an earlier regular file, found "
                            + (target == null ? "nothing" : "a " + target.type()));
                }
            }
            entries.put(path, entry);
            return this;
        }

        public boolean contains(String path) {
            return entries.containsKey(path);
        }

        public FileTree build() {
            return entries.isEmpty() ? EMPTY : new FileTree(new TreeMap<>(entries));
        }

        private String firstBelow(String path) {
            String prefix = path.equals(TreePath.ROOT) ? path : path + "/";
            String next = entries.ceilingKey(prefix);
            return next != null && next.startsWith(prefix) && !next.equals(path) ? next : null;
        }

        private AssembleException conflict(String path, String problem) {
            return new AssembleException(origin + ": " + TreePath.printable(path) + ": " + problem);
        }
    }
}
