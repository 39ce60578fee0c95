package dev.kiln.assembler.layer;

import java.util.Arrays;
import java.util.Comparator;

/**
 * Length-limited Huffman code lengths by package-merge (Larmore and Hirschberg): optimal for the
 * limit, and deterministic because symbols of equal weight are ordered by symbol number and a leaf
 * sorts before a package of equal weight.
 */
final class HuffmanLengths {
    private HuffmanLengths() {
    }

    /**
     * Code lengths for {@code freq} (0 for unused symbols) with no length above {@code limit}.
     * Needs at least two used symbols and at most 2^limit.
     */
    static int[] of(int[] freq, int limit) {
        int n = 0;
        for (int f : freq) {
            if (f > 0) {
                n++;
            }
        }
        int[] lengths = new int[freq.length];
        if (n < 2) {
            throw new IllegalArgumentException("package-merge needs two used symbols, found " + n);
        }
        Integer[] symbols = new Integer[n];
        for (int s = 0, k = 0; s < freq.length; s++) {
            if (freq[s] > 0) {
                symbols[k++] = s;
            }
        }
        Arrays.sort(symbols, Comparator.<Integer>comparingInt(s -> freq[s]).thenComparingInt(s -> s));

        // Nodes: 0..n-1 are the leaves in sorted order; later ones are packages of two nodes.
        int capacity = n + limit * n;
        long[] weight = new long[capacity];
        int[] left = new int[capacity];
        int[] right = new int[capacity];
        for (int i = 0; i < n; i++) {
            weight[i] = freq[symbols[i]];
            left[i] = -1;
        }
        int nodes = n;
        int[] current = new int[n];
        for (int i = 0; i < n; i++) {
            current[i] = i;
        }
        int currentSize = n;
        for (int level = 1; level < limit; level++) {
            int packages = currentSize / 2;
            int[] merged = new int[n + packages];
            int li = 0;
            int pi = 0;
            int m = 0;
            while (li < n || pi < packages) {
                int pkg = -1;
                long pkgWeight = Long.MAX_VALUE;
                if (pi < packages) {
                    pkgWeight = weight[current[2 * pi]] + weight[current[2 * pi + 1]];
                }
                if (li < n && weight[li] <= pkgWeight) {
                    merged[m++] = li++;
                } else {
                    pkg = nodes++;
                    weight[pkg] = pkgWeight;
                    left[pkg] = current[2 * pi];
                    right[pkg] = current[2 * pi + 1];
                    pi++;
                    merged[m++] = pkg;
                }
            }
            current = merged;
            currentSize = m;
        }
        // Each leaf's code length is how often it occurs in the cheapest 2n-2 items.
        int[] depthCount = new int[n];
        int[] stack = new int[capacity];
        for (int i = 0; i < 2 * n - 2; i++) {
            int sp = 0;
            stack[sp++] = current[i];
            while (sp > 0) {
                int node = stack[--sp];
                if (left[node] < 0) {
                    depthCount[node]++;
                } else {
                    stack[sp++] = left[node];
                    stack[sp++] = right[node];
                }
            }
        }
        for (int i = 0; i < n; i++) {
            lengths[symbols[i]] = depthCount[i];
        }
        return lengths;
    }
}
