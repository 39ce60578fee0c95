package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * The layer of what a spec's local sources bring, over the package layers: every path whose entry
 * in the whole tree is not the one in the tree without the sources ({@link RootfsBuilder.Layered}),
 * with the directories above it as the whole tree has them, as {@link OriginLayers} gives each
 * layer. Unpacked over the packages it gives the whole tree: a path it holds replaces what is
 * there (a directory over a directory keeps what is below and takes the new mode and owner).
 *
 * <p>Sources only add and replace, so no path of the tree below goes missing and no whiteout is
 * ever needed; a tree where one would be is refused. A hardlink goes in with its target and every
 * other link to that target, or in none: a later layer that rewrote a file without its links
 * would leave them on the old bytes.
 */
public final class SourceLayer {
    private SourceLayer() {
    }

    /** The history comment of the layer, naming where the sources go in the image. */
    public static String label(List<String> destinations) {
        return "local sources (" + String.join(", ", destinations) + ")";
    }

    /** The layer that turns {@code below} into {@code whole}; empty when they are the same. */
    public static Optional<FileTree> over(FileTree below, FileTree whole) {
        for (Entry e : below) {
            if (!whole.contains(e.path())) {
                throw new AssembleException("the local sources' layer would have to remove " + TreePath.printable(e.path())
                        + " from the packages' layers: expected the sources only to add or replace paths (a layer removes with a"
                        + " whiteout, which kiln does not write)\n  fix: report this spec as a kiln bug");
            }
        }
        Set<String> changed = new HashSet<>();
        for (Entry e : whole) {
            if (!e.path().equals(TreePath.ROOT) && !below.get(e.path()).filter(e::equals).isPresent()) {
                changed.add(e.path());
            }
        }
        Map<String, List<String>> links = new HashMap<>();
        for (Entry e : whole) {
            if (e.type() == Entry.Type.HARDLINK) {
                links.computeIfAbsent(e.linkTarget(), t -> new ArrayList<>()).add(e.path());
            }
        }
        links.forEach((target, group) -> {
            if (changed.contains(target) || group.stream().anyMatch(changed::contains)) {
                changed.add(target);
                changed.addAll(group);
            }
        });
        if (changed.isEmpty()) {
            return Optional.empty();
        }
        TreeMap<String, Entry> parts = new TreeMap<>(TreePath.ORDER);
        for (String path : changed) {
            parts.put(path, whole.get(path).orElseThrow());
            for (String p = TreePath.parent(path); p != null && !p.equals(TreePath.ROOT); p = TreePath.parent(p)) {
                if (parts.putIfAbsent(p, whole.get(p).orElseThrow()) != null) {
                    break;
                }
            }
        }
        return Optional.of(FileTree.of("the local sources' layer", parts.values()));
    }
}
