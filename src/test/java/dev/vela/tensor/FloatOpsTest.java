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

    @Test
    void swigluMatchesScalarTwin() {
        SplittableRandom rnd = new SplittableRandom(11);
        for (int n : new int[] {1, 15, 16, 17, 100, 8192}) {
            // Wide enough that exp overflows for some values: silu must go to 0 there, not NaN.
            float[] gate = gaussian(rnd, n + 7, 30), up = gaussian(rnd, n + 7, 1);
            float[] want = gate.clone();
            float[] got = gate.clone();
            FloatOps.swigluScalar(want, up, 3, 3 + n);
            FloatOps.swiglu(got, up, 3, 3 + n);
            for (int i = 0; i < gate.length; i++) {
                assertEquals(want[i], got[i], 1e-6f * Math.abs(want[i]), "n=" + n + " i=" + i);
            }
        }
    }

    @Test
    void gegluMatchesScalarTwin() {
        SplittableRandom rnd = new SplittableRandom(13);
        for (int n : new int[] {1, 15, 16, 17, 100, 8192}) {
            float[] gate = gaussian(rnd, n + 7, 10), up = gaussian(rnd, n + 7, 1);
            float[] want = gate.clone();
            float[] got = gate.clone();
            FloatOps.gegluScalar(want, up, 3, 3 + n);
            FloatOps.geglu(got, up, 3, 3 + n);
            for (int i = 0; i < gate.length; i++) {
                assertEquals(want[i], got[i], 1e-6f * Math.max(1f, Math.abs(want[i])), "n=" + n + " i=" + i);
            }
        }
    }

    /** gelu(x) = x/2 · (1 + tanh(√(2/π) (x + 0.044715 x³))), for a few values by hand. */
    @Test
    void gegluOfKnownValues() {
        float[] gate = {0f, 1f, -1f, 2f, -10f, 10f, 0.5f, 3f, 0f, 1f, -1f, 2f, -10f, 10f, 0.5f, 3f, 0f};
        float[] up = new float[gate.length];
        java.util.Arrays.fill(up, 2f);
        FloatOps.geglu(gate, up, 0, gate.length);
        float[] want = {0f, 1.6823840f, -0.3176160f, 3.9091954f, 0f, 20f, 0.6914280f, 5.9927252f};
        for (int i = 0; i < gate.length; i++) {
            assertEquals(want[i % 8], gate[i], 1e-6f * Math.max(1f, Math.abs(want[i % 8])), "i=" + i);
        }
    }

    /** silu(x) = x / (1 + e^-x), written out for a few values by hand. */
    @Test
    void swigluOfKnownValues() {
        float[] gate = {0f, 1f, -1f, 2f, -100f, 100f, 0.5f, 3f, 0f, 1f, -1f, 2f, -100f, 100f, 0.5f, 3f, 0f};
        float[] up = new float[gate.length];
        java.util.Arrays.fill(up, 2f);
        FloatOps.swiglu(gate, up, 0, gate.length);
        float[] want = {0f, 1.4621172f, -0.5378828f, 3.5231883f, -7.44e-42f, 200f, 0.62245933f, 5.7154448f};
        for (int i = 0; i < gate.length; i++) {
            assertEquals(want[i % 8], gate[i], 1e-6f * Math.max(1f, Math.abs(want[i % 8])), "i=" + i);
        }
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
