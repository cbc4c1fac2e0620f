package dev.vela.tokenizer;

import java.util.Arrays;

/**
 * The candidate merges of a BPE run, best first: a binary min-heap of primitive entries. Each entry
 * is a priority (lower is better), the index of the left symbol (lower wins a tie, as in llama.cpp)
 * and the merged size, which tells a stale entry from a live one. Packing priority and index into
 * one long keeps the heap in two flat arrays: a heap of objects spends its time on cache misses.
 */
final class MergeQueue {
    private long[] keys;
    private int[] sizes;
    private int count;

    MergeQueue(int capacity) {
        keys = new long[Math.max(capacity, 4)];
        sizes = new int[keys.length];
    }

    void clear() {
        count = 0;
    }

    boolean isEmpty() {
        return count == 0;
    }

    /** Adds a merge of the symbol at {@code left} with its neighbour; {@code priority} is compared as signed. */
    void add(int priority, int left, int size) {
        if (count == keys.length) {
            keys = Arrays.copyOf(keys, count * 2);
            sizes = Arrays.copyOf(sizes, count * 2);
        }
        long key = ((long) priority << 32) | (left & 0xFFFFFFFFL);
        int i = count++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (keys[parent] <= key) {
                break;
            }
            keys[i] = keys[parent];
            sizes[i] = sizes[parent];
            i = parent;
        }
        keys[i] = key;
        sizes[i] = size;
    }

    /** The left index of the best entry; read {@link #topSize()} before {@link #pop()}. */
    int topLeft() {
        return (int) keys[0];
    }

    int topSize() {
        return sizes[0];
    }

    void pop() {
        long key = keys[--count];
        int size = sizes[count];
        int i = 0;
        int half = count >>> 1;
        while (i < half) {
            int child = 2 * i + 1;
            if (child + 1 < count && keys[child + 1] < keys[child]) {
                child++;
            }
            if (key <= keys[child]) {
                break;
            }
            keys[i] = keys[child];
            sizes[i] = sizes[child];
            i = child;
        }
        if (count > 0) {
            keys[i] = key;
            sizes[i] = size;
        }
    }

    /**
     * A priority for a SentencePiece score: higher scores first. -0.0 counts as 0.0, as llama.cpp's
     * float comparison has it.
     */
    static int scorePriority(float score) {
        int bits = Float.floatToIntBits(score + 0.0f);
        int ascending = bits ^ ((bits >> 31) & 0x7FFFFFFF); // orders like the floats themselves
        return ~ascending;
    }
}
