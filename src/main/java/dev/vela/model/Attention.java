package dev.vela.model;

import dev.vela.tensor.FloatOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one query head over the cached positions {@code start..end}: scores against the
 * transposed keys (vectorized across positions, so no horizontal sums), optional softcapping,
 * softmax, then the weighted sum of values. {@link #headScalar} is the plain twin.
 */
final class Attention {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final int L = S.length();

    private Attention() {}

    /**
     * Writes head output {@code out[outOff .. outOff+hd)}.
     *
     * @param keys    one layer's transposed keys; this head's start at {@code keyBase}, dimension d at {@code keyBase + d*stride}
     * @param values  one layer's values by position, this head's at {@code p*kvDim + kvOff}
     * @param att     scratch for scores, at least {@code attOff + stride} long
     */
    static void head(float[] q, int qOff, float[] keys, int keyBase, int stride, float[] values, int kvDim, int kvOff,
                     int hd, int start, int end, float scale, float softcap, float[] att, int attOff, float[] out, int outOff) {
        int first = start / L * L; // whole vectors from here; scores before start are computed and ignored
        int p = first;
        for (; p + 4 * L <= end + 1; p += 4 * L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < hd; d++) {
                FloatVector qd = FloatVector.broadcast(S, q[qOff + d]);
                int k = keyBase + d * stride + p;
                a0 = FloatVector.fromArray(S, keys, k).fma(qd, a0);
                a1 = FloatVector.fromArray(S, keys, k + L).fma(qd, a1);
                a2 = FloatVector.fromArray(S, keys, k + 2 * L).fma(qd, a2);
                a3 = FloatVector.fromArray(S, keys, k + 3 * L).fma(qd, a3);
            }
            a0.mul(scale).intoArray(att, attOff + p);
            a1.mul(scale).intoArray(att, attOff + p + L);
            a2.mul(scale).intoArray(att, attOff + p + 2 * L);
            a3.mul(scale).intoArray(att, attOff + p + 3 * L);
        }
        for (; p <= end; p += L) {
            FloatVector a = FloatVector.zero(S);
            for (int d = 0; d < hd; d++) {
                a = FloatVector.fromArray(S, keys, keyBase + d * stride + p).fma(FloatVector.broadcast(S, q[qOff + d]), a);
            }
            a.mul(scale).intoArray(att, attOff + p);
        }
        int n = end - start + 1;
        if (softcap > 0) {
            FloatOps.softcap(att, attOff + start, n, softcap);
        }
        softmax(att, attOff + start, n);
        int c = 0;
        for (; c + L <= hd; c += L) {
            FloatVector acc = FloatVector.zero(S);
            for (int t = start; t <= end; t++) {
                acc = FloatVector.fromArray(S, values, t * kvDim + kvOff + c).fma(FloatVector.broadcast(S, att[attOff + t]), acc);
            }
            acc.intoArray(out, outOff + c);
        }
        for (; c < hd; c++) {
            float sum = 0f;
            for (int t = start; t <= end; t++) {
                sum += att[attOff + t] * values[t * kvDim + kvOff + c];
            }
            out[outOff + c] = sum;
        }
    }

    /** Softmax in place, vectorized: max, then exp and sum in one pass, then scale. */
    static void softmax(float[] x, int off, int n) {
        int i = 0;
        FloatVector vmax = FloatVector.broadcast(S, Float.NEGATIVE_INFINITY);
        for (int upper = S.loopBound(n); i < upper; i += L) {
            vmax = vmax.max(FloatVector.fromArray(S, x, off + i));
        }
        float max = vmax.reduceLanes(VectorOperators.MAX);
        for (; i < n; i++) {
            max = Math.max(max, x[off + i]);
        }
        FloatVector vm = FloatVector.broadcast(S, max);
        FloatVector vsum = FloatVector.zero(S);
        i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector e = FloatVector.fromArray(S, x, off + i).sub(vm).lanewise(VectorOperators.EXP);
            e.intoArray(x, off + i);
            vsum = vsum.add(e);
        }
        double sum = vsum.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            float e = (float) Math.exp(x[off + i] - max);
            x[off + i] = e;
            sum += e;
        }
        FloatVector inv = FloatVector.broadcast(S, (float) (1.0 / sum));
        i = 0;
        for (int upper = S.loopBound(n); i < upper; i += L) {
            FloatVector.fromArray(S, x, off + i).mul(inv).intoArray(x, off + i);
        }
        float invs = (float) (1.0 / sum);
        for (; i < n; i++) {
            x[off + i] *= invs;
        }
    }

    /** The scalar twin of {@link #head}, on the same cache layout. */
    static void headScalar(float[] q, int qOff, float[] keys, int keyBase, int stride, float[] values, int kvDim, int kvOff,
                           int hd, int start, int end, float scale, float softcap, float[] att, int attOff, float[] out, int outOff) {
        for (int p = start; p <= end; p++) {
            float s = 0f;
            for (int d = 0; d < hd; d++) {
                s += q[qOff + d] * keys[keyBase + d * stride + p];
            }
            att[attOff + p] = s * scale;
        }
        int n = end - start + 1;
        if (softcap > 0) {
            FloatOps.softcap(att, attOff + start, n, softcap);
        }
        FloatOps.softmax(att, attOff + start, n);
        for (int c = 0; c < hd; c++) {
            float sum = 0f;
            for (int t = start; t <= end; t++) {
                sum += att[attOff + t] * values[t * kvDim + kvOff + c];
            }
            out[outOff + c] = sum;
        }
    }
}
