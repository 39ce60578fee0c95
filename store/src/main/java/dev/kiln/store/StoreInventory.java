package dev.kiln.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the store holds: each blob with its size and what refers to it ({@code kiln store ls}), and
 * the files and bytes in each area ({@code kiln store du}).
 */
public final class StoreInventory {
    /** The store's areas, in the order {@link #usage()} lists them. */
    public static final List<String> AREAS = List.of("blobs", "memo", "state", "roots", "dirs", "caches", "logs", "tmp");

    private final ContentStore store;
    private final RootReader reader;

    public StoreInventory(ContentStore store) {
        this(store, RootReader.scanning());
    }

    private StoreInventory(ContentStore store, RootReader reader) {
        this.store = Objects.requireNonNull(store, "store");
        this.reader = Objects.requireNonNull(reader, "reader");
    }

    public StoreInventory withRootReader(RootReader reader) {
        return new StoreInventory(store, reader);
    }

    /** One blob: its size, the existing root files that refer to it and the memo steps whose output it is. */
    public record Blob(Digest digest, long size, List<Path> roots, List<String> memoSteps) {
        public Blob {
            roots = List.copyOf(roots);
            memoSteps = List.copyOf(memoSteps);
        }

        /** Nothing known refers to it: the next gc deletes it. */
        public boolean unreferenced() {
            return roots.isEmpty() && memoSteps.isEmpty();
        }
    }

    /** One area of the store: its name ({@link #AREAS}), files and bytes. */
    public record Area(String name, long files, long bytes) {
    }

    /** Files and bytes per area, and in total. */
    public record Usage(Path store, List<Area> areas) {
        public Usage {
            areas = List.copyOf(areas);
        }

        public long files() {
            return areas.stream().mapToLong(Area::files).sum();
        }

        public long bytes() {
            return areas.stream().mapToLong(Area::bytes).sum();
        }

        public List<String> render() {
            List<String> out = new ArrayList<>();
            for (Area a : areas) {
                out.add(String.format(Locale.ROOT, "%-6s %8d files %10s", a.name(), a.files(), humanSize(a.bytes())));
            }
            out.add(String.format(Locale.ROOT, "%-6s %8d files %10s  %s", "total", files(), humanSize(bytes()), store));
            return out;
        }
    }

    /**
     * Every blob in digest order. A root that cannot be read is passed over here (listing is only
     * informational); gc would stop on it.
     */
    public List<Blob> blobs() {
        Map<Digest, Set<Path>> byRoot = new TreeMap<>();
        for (Path root : store.roots()) {
            if (!Files.exists(root)) {
                continue;
            }
            Set<Digest> refs;
            try {
                refs = reader.references(root);
            } catch (StoreException e) {
                continue;
            }
            for (Digest d : refs) {
                byRoot.computeIfAbsent(d, k -> new TreeSet<>()).add(root);
            }
        }
        Map<Digest, Set<String>> bySteps = new TreeMap<>();
        for (Path stepDir : StoreVerifier.list(store.memoDir())) {
            for (Path record : Files.isDirectory(stepDir) ? StoreVerifier.list(stepDir) : List.<Path>of()) {
                try {
                    Digest target = Digest.parse(Files.readString(record, StandardCharsets.US_ASCII).trim());
                    bySteps.computeIfAbsent(target, k -> new TreeSet<>()).add(stepDir.getFileName().toString());
                } catch (IOException | IllegalArgumentException e) {
                    // malformed records are verify's business
                }
            }
        }
        List<Blob> out = new ArrayList<>();
        for (Path p : StoreVerifier.list(store.blobsDir())) {
            String name = p.getFileName().toString();
            if (!StoreVerifier.isHex64(name) || !Files.isRegularFile(p)) {
                continue;
            }
            Digest d = new Digest(name);
            out.add(new Blob(d, size(p), List.copyOf(byRoot.getOrDefault(d, Set.of())),
                    List.copyOf(bySteps.getOrDefault(d, Set.of()))));
        }
        return out;
    }

    /** {@code ls} lines: digest, size, and what refers to the blob. */
    public static List<String> render(List<Blob> blobs) {
        List<String> out = new ArrayList<>();
        long total = 0;
        for (Blob b : blobs) {
            List<String> refs = new ArrayList<>();
            b.roots().forEach(r -> refs.add("root " + r));
            b.memoSteps().forEach(s -> refs.add("memo " + s));
            out.add(String.format(Locale.ROOT, "%s %10s  %s", b.digest(), humanSize(b.size()),
                    refs.isEmpty() ? "(unreferenced)" : String.join(", ", refs)));
            total += b.size();
        }
        out.add(String.format(Locale.ROOT, "%d blob%s, %s", blobs.size(), blobs.size() == 1 ? "" : "s", humanSize(total)));
        return out;
    }

    /** Files and bytes under each area. */
    public Usage usage() {
        List<Area> areas = new ArrayList<>();
        for (String name : AREAS) {
            Path dir = switch (name) {
                case "blobs" -> store.blobsDir();
                case "memo" -> store.memoDir();
                case "state" -> store.stateDir();
                case "roots" -> store.rootsDir();
                case "dirs" -> store.dirsDir();
                case "caches" -> store.cachesDir();
                case "logs" -> store.logsDir();
                default -> store.tmpDir();
            };
            long files = 0;
            long bytes = 0;
            for (Path f : StoreGc.walk(dir)) {
                files++;
                bytes += size(f);
            }
            areas.add(new Area(name, files, bytes));
        }
        return new Usage(store.root(), areas);
    }

    /** Bytes in binary units with one decimal, the same in every locale: {@code 512 B}, {@code 1.5 MiB}. */
    public static String humanSize(long bytes) {
        if (bytes < 1024) {
            return bytes + " B";
        }
        String[] units = {"KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
        double v = bytes;
        int u = -1;
        while (v >= 1024 && u < units.length - 1) {
            v /= 1024;
            u++;
        }
        return String.format(Locale.ROOT, "%.1f %s", v, units[u]);
    }

    static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0; // gone since the listing
        }
    }
}
