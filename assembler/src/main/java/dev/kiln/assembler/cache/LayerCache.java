package dev.kiln.assembler.cache;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreeDigest;
import dev.kiln.oci.LayerDigests;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Layers as a memo step: the key is the tree's {@link TreeDigest} and the epoch, the value a small
 * record blob naming its key and the gzip layer blob (also in the store) with its diff_id and
 * sizes. A record is used only when it hashes to its name and names the key it is found under. An
 * unchanged tree is never written or compressed twice, whichever image it belongs to.
 */
public final class LayerCache {
    /** The memo step; its name changes whenever the tar or gzip bytes for a tree would. */
    public static final MemoStep STEP = MemoStep.LAYER;
    private static final String HEADER = "kiln-layer-2"; // 2: the record names its key

    private final ContentStore store;
    private final java.util.Queue<MemoUse> uses = new java.util.concurrent.ConcurrentLinkedQueue<>();

    public LayerCache(ContentStore store) {
        this.store = store;
    }

    /** Every memo entry this cache served or made, in the order it did. */
    public java.util.List<MemoUse> uses() {
        return java.util.List.copyOf(uses);
    }

    /** A layer in the store: its digests and the path of its compressed blob. */
    public record Cached(LayerDigests digests, Path blob, boolean reused) {
    }

    /** The layer of {@code tree} at {@code epoch}: from the memo, or written, compressed and recorded now. */
    public Cached layer(FileTree tree, long epoch) {
        Digest key = Digest.of(STEP.id() + "\n" + TreeDigest.of(tree).hex() + "\n" + epoch);
        Optional<Digest> remembered = store.memo(STEP, key);
        Optional<LayerDigests> done = remembered.flatMap(store::readChecked).flatMap(bytes -> parseRecord(bytes, key));
        if (done.isPresent() && store.contains(done.get().compressed())) {
            uses.add(new MemoUse(STEP, key, remembered.get(), true));
            return new Cached(done.get(), store.blobPath(done.get().compressed()), true);
        }
        LayerDigests digests;
        try (ContentStore.Staging staging = store.stage(null, -1)) {
            try (OutputStream out = new StagingStream(staging)) {
                digests = new TarLayerWriter(epoch).writeGzip(tree, out);
            } catch (IOException e) {
                throw new AssembleException("cannot write a layer into the store: " + dev.kiln.store.IoErrors.why(e), e);
            }
            Digest written = staging.commit();
            if (!written.equals(digests.compressed())) {
                throw new IllegalStateException("layer digest " + digests.compressed() + " but the store hashed " + written);
            }
        }
        String record = HEADER + "\nkey " + key + "\n" + digests.compressed() + " " + digests.compressedSize() + "\n"
                + digests.uncompressed() + " " + digests.uncompressedSize() + "\n";
        Digest recorded = store.put(record.getBytes(UTF_8));
        store.putMemo(STEP, key, recorded, java.util.List.of(digests.compressed()));
        uses.add(new MemoUse(STEP, key, recorded, false));
        return new Cached(digests, store.blobPath(digests.compressed()), false);
    }

    /**
     * The digests a record names, if it has the record's form and was written for {@code key}: a
     * memo entry that leads to another tree's record is a miss, not its layer. Whether the bytes
     * hash to their name is the caller's to check ({@link ContentStore#readChecked}).
     */
    public static Optional<LayerDigests> parseRecord(byte[] bytes, Digest key) {
        try {
            String[] lines = new String(bytes, UTF_8).split("\n");
            if (lines.length != 4 || !lines[0].equals(HEADER) || !lines[1].equals("key " + key)) {
                return Optional.empty();
            }
            String[] c = lines[2].split(" ");
            String[] u = lines[3].split(" ");
            return Optional.of(new LayerDigests(Digest.parse(c[0]), Long.parseLong(c[1]), Digest.parse(u[0]), Long.parseLong(u[1])));
        } catch (RuntimeException damaged) {
            return Optional.empty(); // written again by the caller
        }
    }

    /** An OutputStream onto a staged blob. */
    private static final class StagingStream extends OutputStream {
        private final ContentStore.Staging staging;

        StagingStream(ContentStore.Staging staging) {
            this.staging = staging;
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] b, int off, int len) {
            staging.write(b, off, len);
        }
    }
}
