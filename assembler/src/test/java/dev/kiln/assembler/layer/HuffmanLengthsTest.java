package dev.kiln.assembler.layer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Random;
import java.util.zip.InflaterInputStream;
import java.util.zip.Inflater;
import org.junit.jupiter.api.Test;

class HuffmanLengthsTest {
    /** Sum of 2^-len over used symbols, scaled by 2^limit: a complete code gives exactly 2^limit. */
    static long kraft(int[] lengths, int limit) {
        long sum = 0;
        for (int l : lengths) {
            if (l > 0) {
                sum += 1L << (limit - l);
            }
        }
        return sum;
    }

    @Test
    void fibonacciWeightsAreCutToTheLimitAndStayComplete() {
        int[] freq = new int[30];
        int a = 1;
        int b = 1;
        for (int i = 0; i < freq.length; i++) {
            freq[i] = a;
            int c = a + b;
            a = b;
            b = c;
        }
        int[] lengths = HuffmanLengths.of(freq, 15);
        for (int l : lengths) {
            assertTrue(l >= 1 && l <= 15, "length " + l);
        }
        assertEquals(1L << 15, kraft(lengths, 15));
        int[] seven = HuffmanLengths.of(java.util.Arrays.copyOf(freq, 19), 7);
        assertEquals(1L << 7, kraft(seven, 7));
    }

    @Test
    void unlimitedCaseMatchesPlainHuffmanCost() {
        // weights 1,1,2,3,5: Huffman cost 1*4+1*4+2*3+3*2+5*1 = 25 (or any optimal with the same cost)
        int[] freq = {1, 1, 2, 3, 5};
        int[] lengths = HuffmanLengths.of(freq, 15);
        int cost = 0;
        for (int i = 0; i < freq.length; i++) {
            cost += freq[i] * lengths[i];
        }
        assertEquals(25, cost);
    }

    @Test
    void equalWeightsGetLengthsByTheSymbolOrder() {
        int[] lengths = HuffmanLengths.of(new int[] {4, 4, 4}, 15);
        assertArrayEquals(new int[] {2, 2, 1}, lengths, "the highest-numbered of equal weights is sorted last, so it is shortest");
        assertEquals(1L << 15, kraft(lengths, 15));
    }

    @Test
    void randomHistogramsGiveCompleteLimitedCodes() {
        Random r = new Random(1);
        for (int round = 0; round < 300; round++) {
            int[] freq = new int[286];
            for (int i = 0; i < freq.length; i++) {
                freq[i] = r.nextInt(4) == 0 ? 0 : 1 + (int) Math.pow(2, r.nextInt(20));
            }
            freq[0] = 1;
            freq[1] = 1;
            int[] lengths = HuffmanLengths.of(freq, 15);
            for (int i = 0; i < freq.length; i++) {
                assertEquals(freq[i] > 0, lengths[i] > 0);
                assertTrue(lengths[i] <= 15);
            }
            assertEquals(1L << 15, kraft(lengths, 15));
        }
    }

    @Test
    void skewedDataThatNeedsLengthLimitingStillInflates() throws Exception {
        // Literal frequencies in a Fibonacci ladder force unlimited Huffman past 15 bits.
        ByteArrayOutputStream data = new ByteArrayOutputStream();
        Random r = new Random(5);
        long a = 1;
        long b = 1;
        for (int sym = 0; sym < 25; sym++) {
            for (long k = 0; k < a; k++) {
                data.write(sym * 7);
            }
            long c = a + b;
            a = b;
            b = c;
        }
        byte[] bytes = data.toByteArray();
        // shuffle so that LZ77 finds few matches and literals dominate
        for (int i = bytes.length - 1; i > 0; i--) {
            int j = r.nextInt(i + 1);
            byte t = bytes[i];
            bytes[i] = bytes[j];
            bytes[j] = t;
        }
        byte[] raw = DeterministicDeflater.deflate(bytes);
        try (InflaterInputStream in = new InflaterInputStream(new ByteArrayInputStream(raw), new Inflater(true))) {
            assertArrayEquals(bytes, in.readAllBytes());
        }
    }

    @Test
    void runLengthsUseRepeatCodesGreedily() {
        int[] lengths = new int[160];
        java.util.Arrays.fill(lengths, 0, 150, 0);
        java.util.Arrays.fill(lengths, 150, 158, 8);
        lengths[158] = 5;
        lengths[159] = 5;
        List<int[]> rl = BlockEncoder.runLengths(lengths);
        assertEquals(List.of("18:127", "18:1", "8:0", "16:3", "8:0", "5:0", "5:0"),
                rl.stream().map(x -> x[0] + ":" + x[1]).toList());
    }
}
