package dev.vela.sampling;

import java.util.Arrays;

/**
 * The working set the sampling steps narrow down: token ids with their logits and, once
 * {@link Softmax} has run, their probabilities. Sized once for the vocabulary and reused for
 * every token, so sampling allocates nothing.
 */
final class Candidates {
    final int[] ids;
    final float[] logits;
    final float[] probs;
    /** Scratch for ranking: {@link RankKey}s, best first once ranked. */
    final long[] keys;
    int size;
    /** Whether the candidates are in rank order (highest logit first, ties by lower id). */
    boolean sorted;

    Candidates(int capacity) {
        ids = new int[capacity];
        logits = new float[capacity];
        probs = new float[capacity];
        keys = new long[capacity];
    }

    /** Candidates holding exactly these logits, ids 0..n-1: for tests and small vocabularies. */
    static Candidates of(float... logits) {
        Candidates c = new Candidates(logits.length);
        c.load(logits);
        return c;
    }

    /** Every token becomes a candidate, in id order. */
    void load(float[] tokenLogits) {
        int n = tokenLogits.length;
        if (n > ids.length) {
            throw new IllegalArgumentException(n + " logits for " + ids.length + " candidate slots");
        }
        for (int i = 0; i < n; i++) {
            ids[i] = i;
        }
        System.arraycopy(tokenLogits, 0, logits, 0, n);
        size = n;
        sorted = false;
    }

    float maxLogit() {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < size; i++) {
            max = Math.max(max, logits[i]);
        }
        return max;
    }

    /**
     * Puts the best k candidates' keys, best first, in {@code keys[0..k)}; the candidates
     * themselves are untouched. A bounded max-heap keeps this O(n log k), not a sort of everything.
     */
    void rankTop(int k) {
        if (k >= size) {
            rankAll();
            return;
        }
        long[] heap = keys;
        int n = 0;
        for (int i = 0; i < size; i++) {
            long key = RankKey.of(logits[i], ids[i]);
            if (n < k) {
                heap[n] = key;
                siftUp(heap, n++);
            } else if (key < heap[0]) {
                heap[0] = key;
                siftDown(heap, k);
            }
        }
        Arrays.sort(heap, 0, k);
    }

    /** Puts every candidate's key, best first, in {@code keys[0..size)}. */
    void rankAll() {
        for (int i = 0; i < size; i++) {
            keys[i] = RankKey.of(logits[i], ids[i]);
        }
        Arrays.sort(keys, 0, size);
    }

    /** Keeps only the first n ranked keys as the candidates, in rank order. */
    void keepRanked(int n) {
        for (int i = 0; i < n; i++) {
            ids[i] = RankKey.id(keys[i]);
            logits[i] = RankKey.logit(keys[i]);
        }
        size = n;
        sorted = true;
    }

    // The heap's root holds the largest key, i.e. the worst candidate kept so far.
    private static void siftUp(long[] heap, int i) {
        long key = heap[i];
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            if (heap[parent] >= key) {
                break;
            }
            heap[i] = heap[parent];
            i = parent;
        }
        heap[i] = key;
    }

    private static void siftDown(long[] heap, int n) {
        long key = heap[0];
        int i = 0;
        while (true) {
            int child = 2 * i + 1;
            if (child >= n) {
                break;
            }
            if (child + 1 < n && heap[child + 1] > heap[child]) {
                child++;
            }
            if (heap[child] <= key) {
                break;
            }
            heap[i] = heap[child];
            i = child;
        }
        heap[i] = key;
    }
}
