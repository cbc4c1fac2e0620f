package dev.vela.model;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized attention head against its scalar twin, and one case computed by hand. */
class AttentionTest {
    @Test
    void vectorMatchesScalarOnRandomCaches() {
        SplittableRandom rnd = new SplittableRandom(5);
        for (int hd : new int[] {8, 32, 64, 80, 128}) {
            for (int capacity : new int[] {1, 7, 16, 33, 100, 300}) {
                int kvHeads = 2;
                int kvDim = kvHeads * hd;
                KVCache cache = randomCache(rnd, capacity, kvDim, hd);
                float[] q = new float[hd];
                for (int i = 0; i < hd; i++) {
                    q[i] = (float) rnd.nextGaussian();
                }
                for (int[] range : new int[][] {{0, capacity - 1}, {capacity / 3, capacity - 1}, {0, capacity / 2}, {capacity - 1, capacity - 1}}) {
                    for (float softcap : new float[] {0f, 5f}) {
                        float[] a = new float[hd], b = new float[hd];
                        float[] attA = new float[cache.stride()], attB = new float[cache.stride()];
                        float scale = (float) (1 / Math.sqrt(hd));
                        Attention.head(q, 0, cache.keys[0], cache.keyBase(1), cache.stride(), cache.values[0], kvDim, hd,
                                hd, range[0], range[1], scale, softcap, attA, 0, a, 0);
                        Attention.headScalar(q, 0, cache.keys[0], cache.keyBase(1), cache.stride(), cache.values[0], kvDim, hd,
                                hd, range[0], range[1], scale, softcap, attB, 0, b, 0);
                        for (int i = 0; i < hd; i++) {
                            assertEquals(b[i], a[i], 1e-5, "hd " + hd + " capacity " + capacity + " range " + range[0] + ".." + range[1]);
                        }
                    }
                }
            }
        }
    }

    /** Four query heads of one KV head at once, the last of them repeated as when a group has three. */
    @Test
    void fourHeadsMatchScalarOneByOne() {
        SplittableRandom rnd = new SplittableRandom(9);
        for (int hd : new int[] {8, 64, 80}) {
            for (int capacity : new int[] {1, 17, 100}) {
                int kvDim = 2 * hd;
                KVCache cache = randomCache(rnd, capacity, kvDim, hd);
                float[] q = new float[4 * hd];
                for (int i = 0; i < q.length; i++) {
                    q[i] = (float) rnd.nextGaussian();
                }
                for (int[] heads : new int[][] {{0, 1, 2, 3}, {0, 1, 2, 2}}) {
                    for (float softcap : new float[] {0f, 5f}) {
                        int start = capacity / 4, end = capacity - 1;
                        float scale = (float) (1 / Math.sqrt(hd));
                        int[] offs = new int[4], attOffs = new int[4];
                        for (int i = 0; i < 4; i++) {
                            offs[i] = heads[i] * hd;
                            attOffs[i] = heads[i] * cache.stride();
                        }
                        float[] got = new float[4 * hd];
                        Attention.heads4(q, offs, cache.keys[0], cache.keyBase(1), cache.stride(), cache.values[0], kvDim, hd,
                                hd, start, end, scale, softcap, new float[4 * cache.stride()], attOffs, got, offs);
                        for (int h = 0; h <= heads[3]; h++) {
                            float[] want = new float[hd];
                            Attention.headScalar(q, h * hd, cache.keys[0], cache.keyBase(1), cache.stride(), cache.values[0], kvDim, hd,
                                    hd, start, end, scale, softcap, new float[cache.stride()], 0, want, 0);
                            for (int i = 0; i < hd; i++) {
                                assertEquals(want[i], got[h * hd + i], 1e-5, "hd " + hd + " capacity " + capacity + " head " + h);
                            }
                        }
                    }
                }
            }
        }
    }

    /** Two positions, head size 2: scores 1 and 0 (after scale 1), weights e/(1+e) and 1/(1+e). */
    @Test
    void twoPositionsByHand() {
        KVCache cache = new KVCache(1, 2, 2, 2);
        cache.store(0, 0, new float[] {1, 0}, 0, new float[] {10, 0}, 0);
        cache.store(0, 1, new float[] {0, 1}, 0, new float[] {0, 10}, 0);
        float[] out = new float[2];
        Attention.head(new float[] {1, 0}, 0, cache.keys[0], cache.keyBase(0), cache.stride(), cache.values[0], 2, 0,
                2, 0, 1, 1f, 0f, new float[cache.stride()], 0, out, 0);
        double w0 = Math.E / (1 + Math.E);
        assertEquals(10 * w0, out[0], 1e-5);
        assertEquals(10 * (1 - w0), out[1], 1e-5);
    }

    /** A one-layer cache with every position filled with Gaussian keys and values. */
    private static KVCache randomCache(SplittableRandom rnd, int capacity, int kvDim, int hd) {
        KVCache cache = new KVCache(1, capacity, kvDim, hd);
        for (int p = 0; p < capacity; p++) {
            float[] k = new float[kvDim], v = new float[kvDim];
            for (int i = 0; i < kvDim; i++) {
                k[i] = (float) rnd.nextGaussian();
                v[i] = (float) rnd.nextGaussian();
            }
            cache.store(0, p, k, 0, v, 0);
        }
        return cache;
    }
}
