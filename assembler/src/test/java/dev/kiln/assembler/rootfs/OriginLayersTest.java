package dev.kiln.assembler.rootfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.assembler.cache.LayerCache;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.store.ContentStore;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OriginLayersTest {
    private static RootfsBuilder.Rootfs rootfs() {
        return RootfsBuilder.assemble(List.of(
                Pkg.named("big").file("/usr/lib/big/data", "x".repeat(5000)).file("/usr/lib/big/more", "y".repeat(3000))
                        .hardlink("/usr/lib/big/again", "/usr/lib/big/data").build(),
                Pkg.named("mid").file("/usr/share/mid/a", "m".repeat(2000)).symlink("/usr/share/mid/b", "a").build(),
                Pkg.named("small").file("/usr/share/small", "s").build()),
                RootfsBuilder.Options.of("amd64", 1_700_000_000L));
    }

    @Test
    void theLargestPackagesGetTheirOwnLayersLargestFirstAndTheRestOneLast() {
        List<OriginLayers.Layer> layers = OriginLayers.split(rootfs(), 3);
        assertEquals(List.of("big", "mid", OriginLayers.REST), layers.stream().map(OriginLayers.Layer::label).toList());
        assertTrue(layers.get(0).tree().contains("/usr/lib/big/again"), "a hardlink stays with its target");
        assertEquals(Entry.Type.HARDLINK, layers.get(0).tree().get("/usr/lib/big/again").orElseThrow().type());
        assertTrue(layers.get(2).tree().contains("/usr/share/small"));
        assertTrue(layers.get(2).tree().contains("/etc/passwd"), "what kiln generates goes last");
        assertTrue(!layers.get(2).tree().contains("/usr/lib/big/data"));
    }

    @Test
    void laidOverEachOtherTheLayersGiveBackTheWholeTree() {
        RootfsBuilder.Rootfs rootfs = rootfs();
        for (int budget : new int[] {1, 2, 3, 4, 10}) {
            List<OriginLayers.Layer> layers = OriginLayers.split(rootfs, budget);
            assertTrue(layers.size() <= budget, budget + ": " + layers.size() + " layers");
            TreeMap<String, Entry> union = new TreeMap<>(TreePath.ORDER);
            for (OriginLayers.Layer l : layers) {
                for (Entry e : l.tree()) {
                    Entry before = union.put(e.path(), e);
                    if (before != null) {
                        assertEquals(before, e, "a path in two layers is the same entry in both: " + e.path());
                        assertEquals(Entry.Type.DIR, e.type(), "only directories repeat: " + e.path());
                    }
                    // each layer unpacks alone: its parents are in it
                    for (String p = TreePath.parent(e.path()); p != null && !p.equals(TreePath.ROOT); p = TreePath.parent(p)) {
                        assertTrue(l.tree().contains(p), l.label() + " lacks " + p + " above " + e.path());
                    }
                }
            }
            List<Entry> expected = new ArrayList<>(rootfs.tree().entries());
            expected.removeIf(e -> e.path().equals(TreePath.ROOT));
            assertEquals(expected, new ArrayList<>(union.values()), "budget " + budget);
        }
    }

    @Test
    void aBudgetBelowOneIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> OriginLayers.split(rootfs(), 0));
    }

    @Test
    void aLayerIsWrittenOncePerTreeAndEpoch(@TempDir Path dir) {
        FileTree tree = rootfs().tree();
        try (ContentStore store = ContentStore.open(dir.resolve("store"))) {
            LayerCache cache = new LayerCache(store);
            LayerCache.Cached first = cache.layer(tree, 1_700_000_000L);
            assertTrue(!first.reused());
            LayerCache.Cached again = cache.layer(tree, 1_700_000_000L);
            assertTrue(again.reused());
            assertEquals(first.digests(), again.digests());
            LayerCache.Cached later = cache.layer(tree, 1_700_000_001L);
            assertTrue(!later.reused(), "the epoch clamps mtimes: another key");
            store.blobPath(first.digests().compressed()).toFile().delete();
            LayerCache.Cached rewritten = cache.layer(tree, 1_700_000_000L);
            assertTrue(!rewritten.reused(), "a record whose layer is gone is written again");
            assertEquals(first.digests(), rewritten.digests());
        }
    }
}
