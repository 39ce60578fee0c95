package dev.kiln.assembler.layer;

import dev.kiln.assembler.tree.ByteString;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.assembler.tree.TreePath;
import dev.kiln.oci.LayerDigests;
import dev.kiln.oci.TarWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Writes a {@link FileTree} as a layer tar whose bytes depend on the tree and the epoch only.
 *
 * <ul>
 *   <li>Entries in {@link TreePath#ORDER}, so parents come before children, except that a hardlink
 *       whose target comes later in that order is held back and written after the last entry
 *       (extractors link to a file they have already written). A missing parent
 *       directory is added as {@code 0755 0:0} with the epoch as its mtime (clamped like any
 *       other). The root itself is not written: OCI layers do not carry {@code ./}.</li>
 *   <li>Names are relative ({@code usr/bin/x}); directories end with {@code /}. Hardlinks are
 *       type {@code 1} naming their target the same way.</li>
 *   <li>Headers as {@link TarWriter} writes them (ustar, PAX only where ustar cannot say it), with
 *       mtime = min(entry mtime, epoch) and never below 0.</li>
 * </ul>
 */
public final class TarLayerWriter {
    private final long epoch;

    /**
     * @param epoch the image epoch (SOURCE_DATE_EPOCH), seconds: no mtime in the layer is later
     */
    public TarLayerWriter(long epoch) {
        if (epoch < 0 || epoch > TarWriter.MAX_USTAR_SIZE) {
            throw new IllegalArgumentException("epoch " + epoch + " outside 0.." + TarWriter.MAX_USTAR_SIZE);
        }
        this.epoch = epoch;
    }

    /** Writes the tar to {@code out} (not closed); returns the number of bytes written. */
    public long writeTar(FileTree tree, OutputStream out) throws IOException {
        CountingStream counted = new CountingStream(out);
        Set<String> written = new HashSet<>();
        List<Entry> heldBack = new ArrayList<>();
        for (Entry e : withParents(tree).values()) {
            if (e.type() == Entry.Type.HARDLINK && !written.contains(e.linkTarget())) {
                heldBack.add(e); // an unpacker links to what it has already written
                continue;
            }
            writeEntry(e, counted);
            written.add(e.path());
        }
        for (Entry e : heldBack) {
            writeEntry(e, counted);
        }
        TarWriter.finish(counted);
        counted.flush();
        return counted.count;
    }

    /** Writes the tar gzipped with {@link GzipWriter} to {@code out} (not closed), in one pass. */
    public LayerDigests writeGzip(FileTree tree, OutputStream out) throws IOException {
        GzipWriter gz = new GzipWriter(out);
        try {
            writeTar(tree, gz);
            return gz.finish();
        } finally {
            gz.shutdown();
        }
    }

    /** The tree's entries plus any missing parent directories, in tree order, without the root. */
    private TreeMap<String, Entry> withParents(FileTree tree) {
        TreeMap<String, Entry> all = new TreeMap<>(TreePath.ORDER);
        for (Entry e : tree) {
            all.put(e.path(), e);
        }
        for (Entry e : tree) {
            for (String p = TreePath.parent(e.path()); p != null && !all.containsKey(p); p = TreePath.parent(p)) {
                all.put(p, Entry.dir(p, 0755, 0, 0, epoch));
            }
        }
        all.remove(TreePath.ROOT);
        return all;
    }

    static String tarName(Entry e) {
        String name = e.path().substring(1);
        return e.type() == Entry.Type.DIR ? name + "/" : name;
    }

    private void writeEntry(Entry e, OutputStream out) throws IOException {
        String link = switch (e.type()) {
            case SYMLINK -> e.linkTarget();
            case HARDLINK -> e.linkTarget().substring(1);
            default -> null;
        };
        long size = e.type() == Entry.Type.FILE ? e.content().size() : 0;
        long mtime = Math.max(0, Math.min(e.mtime(), epoch));
        TarWriter.Type type = switch (e.type()) {
            case FILE -> TarWriter.Type.FILE;
            case HARDLINK -> TarWriter.Type.HARDLINK;
            case SYMLINK -> TarWriter.Type.SYMLINK;
            case DIR -> TarWriter.Type.DIRECTORY;
        };
        Map<String, byte[]> xattrs = new LinkedHashMap<>();
        for (Map.Entry<String, ByteString> x : e.xattrs().entrySet()) {
            xattrs.put(x.getKey(), x.getValue().toByteArray());
        }
        TarWriter.writeHeader(out, new TarWriter.Header(tarName(e), type, link, e.mode(), e.uid(), e.gid(), size, mtime, xattrs));
        if (e.type() == Entry.Type.FILE) {
            long copied;
            try (InputStream in = e.content().open()) {
                copied = in.transferTo(out);
            }
            if (copied != size) {
                throw new IOException(e.path() + ": content gave " + copied + " bytes, expected " + size);
            }
            TarWriter.pad(out, size);
        }
    }

    private static final class CountingStream extends OutputStream {
        private final OutputStream out;
        private long count;

        CountingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
