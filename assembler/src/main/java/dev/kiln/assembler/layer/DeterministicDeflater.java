package dev.kiln.assembler.layer;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import java.util.Arrays;

/**
 * A pure-Java DEFLATE (RFC 1951) compressor whose output is a function of the input bytes only:
 * not of the JVM, the platform's zlib (zlib-ng deflates differently), the thread count, or how the
 * input was split into {@code write} calls. kiln never uses {@link java.util.zip.Deflater} for
 * bytes it publishes.
 *
 * <p>Every choice that fixes the output is a constant here, and changing any of them changes layer
 * digests (bump the layer format version with it):
 * <ul>
 *   <li>LZ77 over a 32 KiB window, zlib's "level 4" search: hash chains on 3-byte prefixes, at most
 *       {@link #MAX_CHAIN} candidates ({@link #MAX_CHAIN}/4 once a {@link #GOOD_LENGTH} match is in
 *       hand), stop at {@link #NICE_LENGTH}, lazy evaluation up to {@link #MAX_LAZY}, 3-byte matches
 *       farther than {@link #TOO_FAR} dropped, distances at most {@link #MAX_DIST}. Level 4 rather
 *       than zlib's default 6: on the base image's 21 MB layer it took 0.43 s instead of
 *       0.77 s (one thread) for 2.2% more bytes (8.04 against 7.86 MB).</li>
 *   <li>A block ends after {@link #BLOCK_SYMBOLS} symbols, or at the end of input.</li>
 *   <li>Each block is written as whichever of dynamic Huffman, fixed Huffman and stored is
 *       smallest (ties in that order). Dynamic codes are length-limited (15 bits; 7 for the
 *       code-length code) by package-merge, which is optimal and, with ties broken by symbol
 *       number, has exactly one answer.</li>
 * </ul>
 * Decisions wait until {@link #MIN_LOOKAHEAD} bytes beyond the current position are buffered (or
 * the input is finished), so they never depend on where a {@code write} call ended.
 *
 * <p>Not thread-safe. {@link #finish()} writes the final block; {@link #close()} finishes and closes
 * the sink.
 */
public final class DeterministicDeflater extends OutputStream {
    static final int WSIZE = 1 << 15;
    private static final int WMASK = WSIZE - 1;
    static final int MIN_MATCH = 3;
    static final int MAX_MATCH = 258;
    static final int MIN_LOOKAHEAD = MAX_MATCH + MIN_MATCH + 1;
    /** As zlib: a match never reaches into the bytes that a window slide could drop. */
    static final int MAX_DIST = WSIZE - MIN_LOOKAHEAD;
    static final int GOOD_LENGTH = 4;
    static final int MAX_LAZY = 4;
    static final int NICE_LENGTH = 16;
    static final int MAX_CHAIN = 16;
    static final int TOO_FAR = 4096;
    static final int BLOCK_SYMBOLS = (1 << 14) - 1;

    private static final int HASH_BITS = 15;
    private static final int HASH_MASK = (1 << HASH_BITS) - 1;
    private static final int NIL = -1;
    private static final VarHandle SHORTS = MethodHandles.byteArrayViewVarHandle(short[].class, ByteOrder.LITTLE_ENDIAN);
    private static final VarHandle LONGS = MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

    private final OutputStream sink;
    private final BitWriter bits;

    // LZ77 state. Positions index window; when it is full, its last WSIZE bytes slide down to its start.
    private final byte[] window;
    private final int[] head = new int[1 << HASH_BITS];
    private final int[] prev = new int[WSIZE];
    private int strstart;
    private int lookahead;
    private int matchStart;
    private int matchLength = MIN_MATCH - 1;
    private boolean matchAvailable;

    // The current block: its symbols and the raw bytes they stand for (for a stored block), which
    // are window[blockStart, tallyEnd) plus what blockRaw saved of them before a slide
    private final int[] symLit = new int[BLOCK_SYMBOLS + 1];   // literal byte, or match length
    private final int[] symDist = new int[BLOCK_SYMBOLS + 1];  // 0 for a literal, else distance
    private int symCount;
    private byte[] blockRaw = new byte[1 << 16];
    private int blockRawLength;
    private int blockStart;
    private int tallyEnd;

    private boolean finished;

    public DeterministicDeflater(OutputStream sink) {
        this(sink, new byte[0]);
    }

    /**
     * A deflater whose matches may reach back into {@code dictionary} (its last {@link #WSIZE}
     * bytes), as zlib's {@code deflateSetDictionary}: the stream continues one whose input ended with
     * those bytes. The dictionary itself is not written.
     */
    public DeterministicDeflater(OutputStream sink, byte[] dictionary) {
        this(sink, dictionary, 0);
    }

    /**
     * As {@link #DeterministicDeflater(OutputStream, byte[])}, with room for {@code expected} input
     * bytes after the dictionary, so that the window never slides while they are compressed. The
     * bytes are the same for any {@code expected}; only the speed and the memory differ.
     */
    DeterministicDeflater(OutputStream sink, byte[] dictionary, int expected) {
        long room = (long) Math.min(dictionary.length, WSIZE) + Math.max(0, expected);
        this.window = new byte[(int) Math.max(2 * WSIZE, Math.min((room + WSIZE - 1) / WSIZE, 64) * WSIZE)];
        this.sink = sink;
        this.bits = new BitWriter(sink);
        Arrays.fill(head, NIL);
        Arrays.fill(prev, NIL);
        int n = Math.min(dictionary.length, WSIZE);
        System.arraycopy(dictionary, dictionary.length - n, window, 0, n);
        for (int pos = 0; pos + MIN_MATCH <= n; pos++) {
            insert(pos);
        }
        strstart = n;
        blockStart = n;
        tallyEnd = n;
    }

    /**
     * Compresses everything written so far and ends on a byte boundary without ending the stream,
     * as zlib's {@code Z_SYNC_FLUSH}: the current block, then an empty stored block. Another
     * deflater started with the last bytes as its dictionary can continue the stream.
     */
    public void syncFlush() throws IOException {
        if (finished) {
            throw new IOException("sync flush after finish");
        }
        compress(true);
        if (symCount > 0) {
            flushBlock(false);
        }
        bits.writeBits(0, 3);
        bits.align();
        bits.writeBits(0, 16);
        bits.writeBits(0xffff, 16);
        bits.alignAndFlush();
        finished = true;
    }

    /** The raw DEFLATE stream for {@code data}. */
    public static byte[] deflate(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 2 + 64);
        try (DeterministicDeflater d = new DeterministicDeflater(out, new byte[0], data.length)) {
            d.write(data);
        } catch (IOException e) {
            throw new IllegalStateException("a byte array stream does not fail", e);
        }
        return out.toByteArray();
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
        if (finished) {
            throw new IOException("write after finish");
        }
        while (len > 0) {
            int end = strstart + lookahead;
            if (end == window.length) {
                slide();
                end = strstart + lookahead;
            }
            int n = Math.min(len, window.length - end);
            System.arraycopy(b, off, window, end, n);
            lookahead += n;
            off += n;
            len -= n;
            compress(false);
        }
    }

    /** Compresses what is buffered and writes the final block; the sink stays open. Ends the deflater. */
    public void finish() throws IOException {
        if (finished) {
            return;
        }
        compress(true);
        flushBlock(true);
        bits.alignAndFlush();
        finished = true;
    }

    @Override
    public void flush() throws IOException {
        // Emitting a sync block here would make the output depend on when callers flush.
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

    /**
     * Keeps only the window's last WSIZE bytes, moved to its start. Only called when the window is
     * full and at most MIN_LOOKAHEAD bytes are left to look at, so strstart - MAX_DIST >= shift and
     * every position a match may still reach survives: the output does not depend on when (or
     * whether) this happens. The shift is a multiple of WSIZE, so prev's slots stay where they are.
     */
    private void slide() {
        int shift = window.length - WSIZE;
        saveBlockBytes(); // the bytes the block has tallied so far leave with the older part
        blockStart -= shift;
        tallyEnd -= shift;
        System.arraycopy(window, shift, window, 0, WSIZE);
        strstart -= shift;
        matchStart -= shift;
        for (int i = 0; i < head.length; i++) {
            head[i] = head[i] >= shift ? head[i] - shift : NIL;
        }
        for (int i = 0; i < prev.length; i++) {
            prev[i] = prev[i] >= shift ? prev[i] - shift : NIL;
        }
    }

    /** Moves the current block's bytes so far out of the window, into blockRaw. */
    private void saveBlockBytes() {
        int n = tallyEnd - blockStart;
        if (blockRawLength + n > blockRaw.length) {
            blockRaw = Arrays.copyOf(blockRaw, Math.max(blockRaw.length * 2, blockRawLength + n));
        }
        System.arraycopy(window, blockStart, blockRaw, blockRawLength, n);
        blockRawLength += n;
        blockStart = tallyEnd;
    }

    private int hash(int pos) {
        return (((window[pos] & 0xff) << 10) ^ ((window[pos + 1] & 0xff) << 5) ^ (window[pos + 2] & 0xff)) & HASH_MASK;
    }

    /** Inserts the string at pos into its hash chain; returns the previous head of that chain. */
    private int insert(int pos) {
        int h = hash(pos);
        int before = head[h];
        prev[pos & WMASK] = before;
        head[h] = pos;
        return before;
    }

    /** zlib's deflate_slow: a match is taken only if the match at the next byte is no longer. */
    private void compress(boolean last) throws IOException {
        while (lookahead >= MIN_LOOKAHEAD || (last && lookahead > 0)) {
            int hashHead = NIL;
            if (lookahead >= MIN_MATCH) {
                hashHead = insert(strstart);
            }
            int prevLength = matchLength;
            int prevMatch = matchStart;
            matchLength = MIN_MATCH - 1;
            if (hashHead != NIL && prevLength < MAX_LAZY && strstart - hashHead <= MAX_DIST) {
                matchLength = longestMatch(hashHead, prevLength);
                if (matchLength == MIN_MATCH && strstart - matchStart > TOO_FAR) {
                    matchLength = MIN_MATCH - 1;
                }
            }
            if (prevLength >= MIN_MATCH && matchLength <= prevLength) {
                int maxInsert = strstart + lookahead - MIN_MATCH;
                tally(strstart - 1, prevLength, strstart - 1 - prevMatch);
                lookahead -= prevLength - 1;
                for (int k = prevLength - 2; k > 0; k--) {
                    if (++strstart <= maxInsert) {
                        insert(strstart);
                    }
                }
                strstart++;
                matchAvailable = false;
                matchLength = MIN_MATCH - 1;
            } else {
                if (matchAvailable) {
                    tally(strstart - 1, 1, 0);
                }
                matchAvailable = true;
                strstart++;
                lookahead--;
            }
        }
        if (last && matchAvailable) {
            tally(strstart - 1, 1, 0);
            matchAvailable = false;
        }
    }

    /** The longest match at strstart along the chain from cur; sets matchStart. */
    private int longestMatch(int cur, int prevLength) {
        int chain = prevLength >= GOOD_LENGTH ? MAX_CHAIN >> 2 : MAX_CHAIN;
        int best = prevLength;
        int limit = strstart > MAX_DIST ? strstart - MAX_DIST : NIL;
        int nice = Math.min(NICE_LENGTH, lookahead);
        int maxLen = Math.min(MAX_MATCH, lookahead);
        byte[] w = window;
        int s = strstart;
        if (best >= maxLen) {
            return best; // no candidate can be longer
        }
        // A longer match must agree at best-1 and best: test those two bytes and the first two
        // before comparing the rest (skipping candidates that cannot win changes no output)
        short scanStart = (short) SHORTS.get(w, s);
        short scanEnd = (short) SHORTS.get(w, s + best - 1);
        do {
            if ((short) SHORTS.get(w, cur + best - 1) == scanEnd && (short) SHORTS.get(w, cur) == scanStart) {
                int len = 2 + agreeing(w, cur + 2, s + 2, maxLen - 2);
                if (len > best) {
                    matchStart = cur;
                    best = len;
                    if (len >= nice || len >= maxLen) {
                        break;
                    }
                    scanEnd = (short) SHORTS.get(w, s + best - 1);
                }
            }
            cur = prev[cur & WMASK];
        } while (cur > limit && --chain != 0);
        return best;
    }

    /** How many bytes agree from {@code a} and from {@code b} on, at most {@code n}: eight at a time. */
    private static int agreeing(byte[] w, int a, int b, int n) {
        int i = 0;
        for (; i <= n - 8; i += 8) {
            long x = (long) LONGS.get(w, a + i) ^ (long) LONGS.get(w, b + i);
            if (x != 0) {
                return i + (Long.numberOfTrailingZeros(x) >>> 3);
            }
        }
        while (i < n && w[a + i] == w[b + i]) {
            i++;
        }
        return i;
    }

    /** Adds a symbol for window[pos, pos + length): symbols come in input order, one after another. */
    private void tally(int pos, int length, int distance) throws IOException {
        tallyEnd = pos + length;
        symLit[symCount] = distance == 0 ? window[pos] & 0xff : length;
        symDist[symCount] = distance;
        symCount++;
        if (symCount == BLOCK_SYMBOLS) {
            flushBlock(false);
        }
    }

    private void flushBlock(boolean lastBlock) throws IOException {
        saveBlockBytes();
        new BlockEncoder(symLit, symDist, symCount).write(bits, blockRaw, blockRawLength, lastBlock);
        symCount = 0;
        blockRawLength = 0;
    }
}
