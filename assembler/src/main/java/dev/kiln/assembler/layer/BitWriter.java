package dev.kiln.assembler.layer;

import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;

/** DEFLATE's bit order: values packed from the least significant bit of each byte up. */
final class BitWriter {
    private static final VarHandle INTS = MethodHandles.byteArrayViewVarHandle(int[].class, ByteOrder.LITTLE_ENDIAN);
    private final OutputStream out;
    private final byte[] buffer = new byte[1 << 16];
    private int used;
    private long bitBuffer;
    private int bitCount;

    BitWriter(OutputStream out) {
        this.out = out;
    }

    /** Writes the low {@code n} bits of {@code value} (n at most 32). */
    void writeBits(int value, int n) throws IOException {
        bitBuffer |= (value & ((1L << n) - 1)) << bitCount;
        bitCount += n;
        if (bitCount >= 32) {
            // four whole bytes at a time: the bytes are the same as one at a time
            if (used > buffer.length - 4) {
                out.write(buffer, 0, used);
                used = 0;
            }
            INTS.set(buffer, used, (int) bitBuffer);
            used += 4;
            bitBuffer >>>= 32;
            bitCount -= 32;
        }
    }

    /** Bits written past the last byte boundary (0..7). */
    int bitCount() {
        return bitCount & 7;
    }

    /** Pads with zero bits to a byte boundary. */
    void align() throws IOException {
        if ((bitCount & 7) != 0) {
            writeBits(0, 8 - (bitCount & 7));
        }
        while (bitCount >= 8) {
            putByte((int) bitBuffer);
            bitBuffer >>>= 8;
            bitCount -= 8;
        }
    }

    void writeBytes(byte[] b, int off, int len) throws IOException {
        if (bitCount != 0) {
            throw new IllegalStateException("not at a byte boundary");
        }
        while (len > 0) {
            if (used == buffer.length) {
                out.write(buffer, 0, used);
                used = 0;
            }
            int n = Math.min(len, buffer.length - used);
            System.arraycopy(b, off, buffer, used, n);
            used += n;
            off += n;
            len -= n;
        }
    }

    void alignAndFlush() throws IOException {
        align();
        out.write(buffer, 0, used);
        used = 0;
    }

    private void putByte(int b) throws IOException {
        if (used == buffer.length) {
            out.write(buffer, 0, used);
            used = 0;
        }
        buffer[used++] = (byte) b;
    }
}
