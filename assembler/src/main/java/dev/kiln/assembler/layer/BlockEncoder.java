package dev.kiln.assembler.layer;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Writes one DEFLATE block from LZ77 symbols: dynamic Huffman, fixed Huffman or stored, whichever
 * takes fewest bits (ties: dynamic, then fixed, then stored).
 */
final class BlockEncoder {
    private static final int[] LENGTH_BASE = {3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51,
        59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
    private static final int[] LENGTH_EXTRA = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4,
        5, 5, 5, 5, 0};
    private static final int[] DIST_BASE = {1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513,
        769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
    private static final int[] DIST_EXTRA = {0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
        11, 11, 12, 12, 13, 13};
    /** The order in which code-length code lengths are sent (RFC 1951 3.2.7). */
    private static final int[] CL_ORDER = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    private static final int[] CL_EXTRA_BITS = new int[19];

    private static final int[] LENGTH_CODE = new int[DeterministicDeflater.MAX_MATCH + 1];
    private static final int[] DIST_CODE = new int[DeterministicDeflater.WSIZE + 1];
    private static final int[] FIXED_LIT_LENGTHS = new int[288];
    private static final int[] FIXED_DIST_LENGTHS = new int[30];

    static {
        for (int code = 0; code < LENGTH_BASE.length; code++) {
            int top = code == LENGTH_BASE.length - 1 ? 258 : LENGTH_BASE[code + 1] - 1;
            for (int len = LENGTH_BASE[code]; len <= Math.min(top, 258); len++) {
                LENGTH_CODE[len] = code;
            }
        }
        LENGTH_CODE[258] = 28; // 258 has its own code (285), not 284 with extra bits 31
        for (int code = 0; code < DIST_BASE.length; code++) {
            int top = DIST_BASE[code] + (1 << DIST_EXTRA[code]) - 1;
            for (int d = DIST_BASE[code]; d <= top && d <= DeterministicDeflater.WSIZE; d++) {
                DIST_CODE[d] = code;
            }
        }
        for (int i = 0; i < 288; i++) {
            FIXED_LIT_LENGTHS[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8;
        }
        Arrays.fill(FIXED_DIST_LENGTHS, 5);
        CL_EXTRA_BITS[16] = 2;
        CL_EXTRA_BITS[17] = 3;
        CL_EXTRA_BITS[18] = 7;
    }

    private final int[] symLit;
    private final int[] symDist;
    private final int count;
    private final int[] litFreq = new int[286];
    private final int[] distFreq = new int[30];

    BlockEncoder(int[] symLit, int[] symDist, int count) {
        this.symLit = symLit;
        this.symDist = symDist;
        this.count = count;
        for (int i = 0; i < count; i++) {
            if (symDist[i] == 0) {
                litFreq[symLit[i]]++;
            } else {
                litFreq[257 + LENGTH_CODE[symLit[i]]]++;
                distFreq[DIST_CODE[symDist[i]]]++;
            }
        }
        litFreq[256] = 1; // end of block
    }

    void write(BitWriter bits, byte[] raw, int rawLength, boolean last) throws IOException {
        int[] litLengths = HuffmanLengths.of(atLeastTwo(litFreq), 15);
        int[] distLengths = HuffmanLengths.of(atLeastTwo(distFreq), 15);
        int hlit = Math.max(257, lastNonZero(litLengths) + 1);
        int hdist = Math.max(1, lastNonZero(distLengths) + 1);
        int[] all = new int[hlit + hdist];
        System.arraycopy(litLengths, 0, all, 0, hlit);
        System.arraycopy(distLengths, 0, all, hlit, hdist);
        List<int[]> clSymbols = runLengths(all);
        int[] clFreq = new int[19];
        for (int[] s : clSymbols) {
            clFreq[s[0]]++;
        }
        int[] clLengths = HuffmanLengths.of(atLeastTwo(clFreq), 7);
        int hclen = 4;
        for (int i = 0; i < 19; i++) {
            if (clLengths[CL_ORDER[i]] != 0) {
                hclen = Math.max(hclen, i + 1);
            }
        }

        long dynamicBits = 3 + 5 + 5 + 4 + 3L * hclen + dataBits(litLengths, distLengths);
        for (int i = 0; i < 19; i++) {
            dynamicBits += (long) clFreq[i] * (clLengths[i] + CL_EXTRA_BITS[i]);
        }
        long fixedBits = 3 + dataBits(FIXED_LIT_LENGTHS, FIXED_DIST_LENGTHS);
        long storedBits = storedBits(bits.bitCount(), rawLength);

        int bfinal = last ? 1 : 0;
        if (dynamicBits <= fixedBits && dynamicBits <= storedBits) {
            bits.writeBits(bfinal | (2 << 1), 3);
            bits.writeBits(hlit - 257, 5);
            bits.writeBits(hdist - 1, 5);
            bits.writeBits(hclen - 4, 4);
            for (int i = 0; i < hclen; i++) {
                bits.writeBits(clLengths[CL_ORDER[i]], 3);
            }
            int[] clCodes = canonicalCodes(clLengths);
            for (int[] s : clSymbols) {
                bits.writeBits(clCodes[s[0]], clLengths[s[0]]);
                if (CL_EXTRA_BITS[s[0]] > 0) {
                    bits.writeBits(s[1], CL_EXTRA_BITS[s[0]]);
                }
            }
            writeData(bits, litLengths, distLengths);
        } else if (fixedBits <= storedBits) {
            bits.writeBits(bfinal | (1 << 1), 3);
            writeData(bits, FIXED_LIT_LENGTHS, FIXED_DIST_LENGTHS);
        } else {
            writeStored(bits, raw, rawLength, last);
        }
    }

    /** Each stored block holds at most 65535 bytes; an empty input still needs one. */
    static long storedBits(int bitPosition, int length) {
        long total = 0;
        int pos = bitPosition;
        int remaining = length;
        do {
            int n = Math.min(remaining, 65535);
            pos = (pos + 3) % 8;
            int pad = (8 - pos) % 8;
            total += 3 + pad + 32 + 8L * n;
            pos = 0;
            remaining -= n;
        } while (remaining > 0);
        return total;
    }

    private static void writeStored(BitWriter bits, byte[] raw, int rawLength, boolean last) throws IOException {
        int off = 0;
        do {
            int n = Math.min(rawLength - off, 65535);
            boolean lastChunk = off + n == rawLength;
            bits.writeBits(last && lastChunk ? 1 : 0, 3);
            bits.align();
            bits.writeBits(n, 16);
            bits.writeBits(~n & 0xffff, 16);
            bits.writeBytes(raw, off, n);
            off += n;
        } while (off < rawLength);
    }

    private long dataBits(int[] litLengths, int[] distLengths) {
        long total = 0;
        for (int i = 0; i < 286; i++) {
            total += (long) litFreq[i] * litLengths[i];
        }
        for (int i = 0; i < 29; i++) {
            total += (long) litFreq[257 + i] * LENGTH_EXTRA[i];
        }
        for (int i = 0; i < 30; i++) {
            total += (long) distFreq[i] * (distLengths[i] + DIST_EXTRA[i]);
        }
        return total;
    }

    private void writeData(BitWriter bits, int[] litLengths, int[] distLengths) throws IOException {
        int[] litCodes = canonicalCodes(litLengths);
        int[] distCodes = canonicalCodes(distLengths);
        for (int i = 0; i < count; i++) {
            int dist = symDist[i];
            if (dist == 0) {
                int lit = symLit[i];
                bits.writeBits(litCodes[lit], litLengths[lit]);
            } else {
                // code and extra bits in one write each (at most 15 + 5 and 15 + 13 bits)
                int len = symLit[i];
                int lc = LENGTH_CODE[len];
                int codeBits = litLengths[257 + lc];
                bits.writeBits(litCodes[257 + lc] | (len - LENGTH_BASE[lc]) << codeBits, codeBits + LENGTH_EXTRA[lc]);
                int dc = DIST_CODE[dist];
                codeBits = distLengths[dc];
                bits.writeBits(distCodes[dc] | (dist - DIST_BASE[dc]) << codeBits, codeBits + DIST_EXTRA[dc]);
            }
        }
        bits.writeBits(litCodes[256], litLengths[256]);
    }

    /**
     * zlib's inflate refuses an incomplete code (except a lone distance code), so every tree gets
     * at least two symbols: the lowest unused ones are given a weight for the length computation.
     */
    private static int[] atLeastTwo(int[] freq) {
        int[] f = freq.clone();
        int used = 0;
        for (int x : f) {
            if (x > 0) {
                used++;
            }
        }
        for (int i = 0; used < 2 && i < f.length; i++) {
            if (f[i] == 0) {
                f[i] = 1;
                used++;
            }
        }
        return f;
    }

    private static int lastNonZero(int[] a) {
        for (int i = a.length - 1; i >= 0; i--) {
            if (a[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * Run-length codes for a sequence of code lengths, greedy: zeros as 18 (11..138) then 17
     * (3..10); another length once, then 16 (3..6 repeats of it). Each element is {symbol, extra}.
     */
    static List<int[]> runLengths(int[] lengths) {
        List<int[]> out = new ArrayList<>();
        int i = 0;
        while (i < lengths.length) {
            int v = lengths[i];
            int run = 1;
            while (i + run < lengths.length && lengths[i + run] == v) {
                run++;
            }
            i += run;
            if (v == 0) {
                while (run >= 11) {
                    int n = Math.min(run, 138);
                    out.add(new int[] {18, n - 11});
                    run -= n;
                }
                if (run >= 3) {
                    out.add(new int[] {17, run - 3});
                    run = 0;
                }
            } else {
                out.add(new int[] {v, 0});
                run--;
                while (run >= 3) {
                    int n = Math.min(run, 6);
                    out.add(new int[] {16, n - 3});
                    run -= n;
                }
            }
            for (; run > 0; run--) {
                out.add(new int[] {v, 0});
            }
        }
        return out;
    }

    /** Canonical Huffman codes (RFC 1951 3.2.2), bit-reversed because DEFLATE sends them MSB first into an LSB-first stream. */
    static int[] canonicalCodes(int[] lengths) {
        int[] blCount = new int[16];
        for (int l : lengths) {
            blCount[l]++;
        }
        blCount[0] = 0;
        int[] next = new int[16];
        int code = 0;
        for (int bitsLen = 1; bitsLen < 16; bitsLen++) {
            code = (code + blCount[bitsLen - 1]) << 1;
            next[bitsLen] = code;
        }
        int[] codes = new int[lengths.length];
        for (int s = 0; s < lengths.length; s++) {
            int len = lengths[s];
            if (len != 0) {
                codes[s] = Integer.reverse(next[len]++) >>> (32 - len);
            }
        }
        return codes;
    }
}
