package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Splits a root filesystem into layers by origin, as apko's {@code origin} strategy does: the
 * packages with the most bytes get a layer each, largest first, up to {@code budget - 1} of them;
 * everything else (the other packages and what kiln generates) goes into one last layer. Images
 * that share a package then share its layer, as long as the package's files are the same.
 *
 * <p>Each layer also carries the directories above its entries, as the whole tree has them, so
 * that it unpacks alone. A hardlink whose target lies in another layer is written as a regular
 * file with the same bytes (a layer can only link within itself).
 */
public final class OriginLayers {
    private OriginLayers() {
    }

    /** One planned layer: what it is for (a package name, or the rest) and its tree. */
    public record Layer(String label, FileTree tree) {
    }

    /** The label of the last layer. */
    public static final String REST = "other packages and generated files";

    public static List<Layer> split(RootfsBuilder.Rootfs rootfs, int budget) {
        if (budget < 1) {
            throw new IllegalArgumentException("a layer budget of " + budget + ": expected at least 1");
        }
        FileTree tree = rootfs.tree();
        Map<String, Long> bytes = new HashMap<>();
        for (Entry e : tree) {
            String owner = rootfs.owners().get(e.path());
            if (owner != null && !owner.equals(RootfsBuilder.GENERATED)) {
                bytes.merge(owner, e.content() == null ? 0 : e.content().size(), Long::sum);
            }
        }
        List<String> largest = new ArrayList<>(bytes.keySet());
        largest.sort(Comparator.comparing((String p) -> bytes.get(p)).reversed().thenComparing(Comparator.naturalOrder()));
        List<String> own = largest.subList(0, Math.min(budget - 1, largest.size()));
        Map<String, Integer> layerOf = new HashMap<>();
        for (int i = 0; i < own.size(); i++) {
            layerOf.put(own.get(i), i);
        }
        int rest = own.size();
        List<TreeMap<String, Entry>> parts = new ArrayList<>();
        for (int i = 0; i <= rest; i++) {
            parts.add(new TreeMap<>(TreePath.ORDER));
        }
        for (Entry e : tree) {
            if (e.path().equals(TreePath.ROOT)) {
                continue;
            }
            int layer = layerOf.getOrDefault(rootfs.owners().get(e.path()), rest);
            Entry put = e;
            if (e.type() == Entry.Type.HARDLINK && layerOf.getOrDefault(rootfs.owners().get(e.linkTarget()), rest) != layer) {
                Entry target = tree.get(e.linkTarget()).orElseThrow();
                put = Entry.file(e.path(), e.mode(), e.uid(), e.gid(), e.mtime(), target.content());
            }
            parts.get(layer).put(e.path(), put);
            for (String p = TreePath.parent(e.path()); p != null && !p.equals(TreePath.ROOT); p = TreePath.parent(p)) {
                if (parts.get(layer).putIfAbsent(p, tree.get(p).orElseThrow()) != null) {
                    break;
                }
            }
        }
        List<Layer> out = new ArrayList<>();
        for (int i = 0; i <= rest; i++) {
            String label = i < rest ? own.get(i) : REST;
            out.add(new Layer(label, FileTree.of("layer " + label, parts.get(i).values())));
        }
        return out;
    }
}
