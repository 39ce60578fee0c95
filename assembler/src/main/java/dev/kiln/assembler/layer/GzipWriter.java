package dev.kiln.assembler.layer;

import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.security.MessageDigest;
import java.util.zip.CRC32;

/**
 * A gzip (RFC 1952) stream whose bytes depend on the input only: a fixed 10-byte header (no name,
 * no comment, MTIME 0, XFL 0, OS 255 "unknown"), a {@link DeterministicDeflater} body, then CRC-32
 * and ISIZE. It hashes both sides as it writes (one pass), and {@link #finish()} returns the
 * {@link LayerDigests}. The sink is not closed by {@code finish}; {@link #close()} closes it.
 */
public final class GzipWriter extends OutputStream {
    private static final byte[] HEADER = {0x1f, (byte) 0x8b, 8, 0, 0, 0, 0, 0, 0, (byte) 0xff};

    private final OutputStream sink;
    private final HashingStream compressed;
    private final DeterministicDeflater deflater;
    private final MessageDigest uncompressedSha = Digest.newSha256();
    private final CRC32 crc = new CRC32();
    private long uncompressedSize;
    private LayerDigests result;

    public GzipWriter(OutputStream sink) throws IOException {
        this.sink = sink;
        this.compressed = new HashingStream(sink);
        compressed.write(HEADER);
        this.deflater = new DeterministicDeflater(compressed);
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
        deflater.write(b, off, len);
        uncompressedSha.update(b, off, len);
        crc.update(b, off, len);
        uncompressedSize += len;
    }

    /** Ends the stream (once) and returns the digests and sizes of both sides. */
    public LayerDigests finish() throws IOException {
        if (result == null) {
            deflater.finish();
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

    @Override
    public void flush() throws IOException {
        sink.flush();
    }

    @Override
    public void close() throws IOException {
        try {
            finish();
        } finally {
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
