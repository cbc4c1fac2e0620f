package dev.vela.tensor;

import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized activation operations against their scalar twins, on lengths that leave tails. */
class FloatOpsTest {
    private static float[] gaussian(SplittableRandom rnd, int n, double scale) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (rnd.nextGaussian() * scale);
        }
        return a;
    }

    /** An activation over {@code [from, to)} of gate, gated by up; vectorized or its scalar twin. */
    private interface Gate {
        void apply(float[] gate, float[] up, int from, int to);
    }

    /**
     * The vectorized gate against its twin on random values of the given spread, at offset 3 with
     * values left untouched on both sides; tolerance 1e-6 of max(floor, |expected|).
     */
    private static void assertMatchesTwin(Gate vector, Gate scalar, long seed, double spread, float floor) {
        SplittableRandom rnd = new SplittableRandom(seed);
        for (int n : new int[] {1, 15, 16, 17, 100, 8192}) {
            float[] gate = gaussian(rnd, n + 7, spread), up = gaussian(rnd, n + 7, 1);
            float[] want = gate.clone();
            float[] got = gate.clone();
            scalar.apply(want, up, 3, 3 + n);
            vector.apply(got, up, 3, 3 + n);
            for (int i = 0; i < gate.length; i++) {
                assertEquals(want[i], got[i], 1e-6f * Math.max(floor, Math.abs(want[i])), "n=" + n + " i=" + i);
            }
        }
    }

    /** The gate of eight inputs, twice over and once more (so a vector and a tail), with up = 2. */
    private static void assertKnownValues(Gate vector, float[] inputs, float[] want) {
        float[] gate = new float[2 * inputs.length + 1];
        for (int i = 0; i < gate.length; i++) {
            gate[i] = inputs[i % inputs.length];
        }
        float[] up = new float[gate.length];
        java.util.Arrays.fill(up, 2f);
        vector.apply(gate, up, 0, gate.length);
        for (int i = 0; i < gate.length; i++) {
            assertEquals(want[i % 8], gate[i], 1e-6f * Math.max(1f, Math.abs(want[i % 8])), "i=" + i);
        }
    }

    @Test
    void swigluMatchesScalarTwin() {
        // Wide enough that exp overflows for some values: silu must go to 0 there, not NaN.
        assertMatchesTwin(FloatOps::swiglu, FloatOps::swigluScalar, 11, 30, 0f);
    }

    @Test
    void gegluMatchesScalarTwin() {
        assertMatchesTwin(FloatOps::geglu, FloatOps::gegluScalar, 13, 10, 1f);
    }

    /** gelu(x) = x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))), for a few values by hand. */
    @Test
    void gegluOfKnownValues() {
        assertKnownValues(FloatOps::geglu, new float[] {0f, 1f, -1f, 2f, -10f, 10f, 0.5f, 3f},
                new float[] {0f, 1.6823840f, -0.3176160f, 3.9091954f, 0f, 20f, 0.6914280f, 5.9927252f});
    }

    /** silu(x) = x / (1 + e^-x), written out for a few values by hand. */
    @Test
    void swigluOfKnownValues() {
        assertKnownValues(FloatOps::swiglu, new float[] {0f, 1f, -1f, 2f, -100f, 100f, 0.5f, 3f},
                new float[] {0f, 1.4621172f, -0.5378828f, 3.5231883f, -7.44e-42f, 200f, 0.62245933f, 5.7154448f});
    }

    @Test
    void dotAxpyAndRmsnormMatchScalarTwins() {
        SplittableRandom rnd = new SplittableRandom(12);
        for (int n : new int[] {1, 15, 16, 33, 2048}) {
            float[] a = gaussian(rnd, n + 2, 1), b = gaussian(rnd, n + 3, 1), weight = gaussian(rnd, n, 1);
            assertEquals(FloatOps.dotScalar(a, 2, b, 3, n), FloatOps.dot(a, 2, b, 3, n), 1e-5f * n);
            float[] y1 = b.clone(), y2 = b.clone();
            FloatOps.axpyScalar(0.75f, a, 2, y1, 3, n);
            FloatOps.axpy(0.75f, a, 2, y2, 3, n);
            assertArrayEquals(y1, y2, 1e-6f);
            float[] o1 = new float[n + 1], o2 = new float[n + 1];
            FloatOps.rmsnormScalar(o1, 1, a, 2, weight, n, 1e-5f);
            FloatOps.rmsnorm(o2, 1, a, 2, weight, n, 1e-5f);
            assertArrayEquals(o1, o2, 1e-5f);
        }
    }
}
