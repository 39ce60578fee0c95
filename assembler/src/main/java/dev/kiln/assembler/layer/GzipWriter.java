package dev.kiln.assembler.layer;

import dev.kiln.oci.LayerDigests;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.CRC32;

/**
 * A gzip (RFC 1952) stream whose bytes depend on the input only: a fixed 10-byte header (no name,
 * no comment, MTIME 0, XFL 0, OS 255 "unknown"), a DEFLATE body, then CRC-32 and ISIZE. It hashes
 * both sides as it writes (one pass), and {@link #finish()} returns the {@link LayerDigests}. The
 * sink is not closed by {@code finish}; {@link #close()} closes it.
 *
 * <p>The body is compressed in parallel, as pigz does, yet its bytes do not depend on the number
 * of threads or on how the input was split into {@code write} calls: the input is cut into
 * {@link #CHUNK}-byte chunks at fixed offsets; each chunk is deflated by its own
 * {@link DeterministicDeflater} with the previous chunk's last 32 KiB as its dictionary and ends
 * with a sync flush (an empty stored block), the last one with the final block. The chunks'
 * outputs, in order, form one valid DEFLATE stream. Changing {@link #CHUNK} changes layer digests.
 */
public final class GzipWriter extends OutputStream {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};
    /** The input bytes per independently deflated chunk: part of the output format. */
    static final int CHUNK = 1 << 20;

    private final OutputStream sink;
    private final HashingStream compressed;
    private final MessageDigest uncompressedSha = Digest.newSha256();
    private final CRC32 crc = new CRC32();
    private final int threads;
    private final ExecutorService pool;
    private final ArrayDeque<Future<byte[]>> pending = new ArrayDeque<>();
    private byte[] chunk = new byte[CHUNK];
    private int fill;
    private byte[] dictionary = new byte[0];
    private long uncompressedSize;
    private LayerDigests result;

    public GzipWriter(OutputStream sink) throws IOException {
        this(sink, Runtime.getRuntime().availableProcessors());
    }

    /** A writer deflating on {@code threads} threads (1: on the caller's); the bytes are the same for any number. */
    public GzipWriter(OutputStream sink, int threads) throws IOException {
        if (threads < 1) {
            throw new IllegalArgumentException("threads " + threads);
        }
        this.sink = sink;
        this.compressed = new HashingStream(sink);
        this.threads = threads;
        this.pool = threads == 1 ? null : Executors.newFixedThreadPool(threads, r -> {
            Thread t = new Thread(r, "kiln-deflate");
            t.setDaemon(true);
            return t;
        });
        compressed.write(HEADER);
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (result != null) {
            throw new IOException("write after finish");
        }
        uncompressedSha.update(b, off, len);
        crc.update(b, off, len);
        uncompressedSize += len;
        while (len > 0) {
            int n = Math.min(len, CHUNK - fill);
            System.arraycopy(b, off, chunk, fill, n);
            fill += n;
            off += n;
            len -= n;
            if (fill == CHUNK) {
                submit(false);
            }
        }
    }

    /** Hands the current chunk to a deflater and starts the next; writes what is done, in order. */
    private void submit(boolean last) throws IOException {
        byte[] data = chunk;
        int length = fill;
        byte[] dict = dictionary;
        dictionary = Arrays.copyOfRange(data, Math.max(0, length - DeterministicDeflater.WSIZE), length);
        chunk = last ? null : new byte[CHUNK];
        fill = 0;
        if (pool == null) {
            compressed.write(deflate(dict, data, length, last));
            return;
        }
        pending.add(pool.submit(() -> deflate(dict, data, length, last)));
        while (pending.size() > (last ? 0 : 2 * threads)) {
            compressed.write(take(pending.poll()));
        }
    }

    private static byte[] deflate(byte[] dict, byte[] data, int length, boolean last) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(length / 3 + 64);
        DeterministicDeflater d = new DeterministicDeflater(out, dict, length);
        d.write(data, 0, length);
        if (last) {
            d.finish();
        } else {
            d.syncFlush();
        }
        return out.toByteArray();
    }

    private static byte[] take(Future<byte[]> f) throws IOException {
        try {
            return f.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof IOException io) {
                throw io;
            }
            throw new IOException("deflating a chunk failed: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while deflating", e);
        }
    }

    /** Ends the stream (once) and returns the digests and sizes of both sides. */
    public LayerDigests finish() throws IOException {
        if (result == null) {
            try {
                submit(true);
            } finally {
                shutdown();
            }
            byte[] trailer = new byte[8];
            putIntLe(trailer, 0, (int) crc.getValue());
            putIntLe(trailer, 4, (int) uncompressedSize); // ISIZE is the size modulo 2^32
            compressed.write(trailer);
            compressed.flush();
            result = new LayerDigests(Digest.fromRaw(compressed.sha.digest()), compressed.count,
                    Digest.fromRaw(uncompressedSha.digest()), uncompressedSize);
        }
        return result;
    }

    /** Stops the deflating threads (also when the stream is abandoned half-written); the sink stays open. */
    void shutdown() {
        if (pool != null) {
            pool.shutdownNow();
        }
    }

    @Override
    public void flush() throws IOException {
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
            shutdown();
            sink.close();
        }
    }

    private static void putIntLe(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    /** Counts and hashes what passes to the sink; never closes it. */
    private static final class HashingStream extends OutputStream {
        private final OutputStream out;
        private final MessageDigest sha = Digest.newSha256();
        private long count;

        HashingStream(OutputStream out) {
            this.out = out;
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            sha.update((byte) b);
            count++;
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            out.write(b, off, len);
            sha.update(b, off, len);
            count += len;
        }

        @Override
        public void flush() throws IOException {
            out.flush();
        }
    }
}
