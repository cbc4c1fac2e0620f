package dev.vela.model;

import dev.vela.tensor.FloatOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Attention of one query head over the cached positions {@code start..end}: scores against the
 * transposed keys (vectorized across positions, so no horizontal sums), optional softcapping,
 * softmax, then the weighted sum of values; {@link #heads4} does four heads of one KV head at
 * once. {@link #headScalar} is the plain twin of both.
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

    /** Query heads {@link #heads4} takes together. */
    static final int GROUP = 4;

    /**
     * {@link #head} for four query heads that read the same KV head ({@code qOff[i]},
     * {@code attOff[i]}, {@code outOff[i]} for head i; the same offsets may repeat when fewer
     * heads are left). Each key and value vector is loaded once for all four: at long context
     * attention streams the whole cache, and grouped-query models (four query heads per KV head
     * in Llama 3) otherwise read it four times per token.
     */
    static void heads4(float[] q, int[] qOff, float[] keys, int keyBase, int stride, float[] values, int kvDim, int kvOff,
                       int hd, int start, int end, float scale, float softcap, float[] att, int[] attOff, float[] out, int[] outOff) {
        int q0 = qOff[0], q1 = qOff[1], q2 = qOff[2], q3 = qOff[3];
        int first = start / L * L;
        int p = first;
        for (; p + 2 * L <= end + 1; p += 2 * L) {
            FloatVector a0 = FloatVector.zero(S), b0 = a0, a1 = a0, b1 = a0, a2 = a0, b2 = a0, a3 = a0, b3 = a0;
            for (int d = 0; d < hd; d++) {
                int k = keyBase + d * stride + p;
                FloatVector k0 = FloatVector.fromArray(S, keys, k);
                FloatVector k1 = FloatVector.fromArray(S, keys, k + L);
                FloatVector qd = FloatVector.broadcast(S, q[q0 + d]);
                a0 = k0.fma(qd, a0);
                b0 = k1.fma(qd, b0);
                qd = FloatVector.broadcast(S, q[q1 + d]);
                a1 = k0.fma(qd, a1);
                b1 = k1.fma(qd, b1);
                qd = FloatVector.broadcast(S, q[q2 + d]);
                a2 = k0.fma(qd, a2);
                b2 = k1.fma(qd, b2);
                qd = FloatVector.broadcast(S, q[q3 + d]);
                a3 = k0.fma(qd, a3);
                b3 = k1.fma(qd, b3);
            }
            a0.mul(scale).intoArray(att, attOff[0] + p);
            b0.mul(scale).intoArray(att, attOff[0] + p + L);
            a1.mul(scale).intoArray(att, attOff[1] + p);
            b1.mul(scale).intoArray(att, attOff[1] + p + L);
            a2.mul(scale).intoArray(att, attOff[2] + p);
            b2.mul(scale).intoArray(att, attOff[2] + p + L);
            a3.mul(scale).intoArray(att, attOff[3] + p);
            b3.mul(scale).intoArray(att, attOff[3] + p + L);
        }
        for (; p <= end; p += L) {
            FloatVector a0 = FloatVector.zero(S), a1 = a0, a2 = a0, a3 = a0;
            for (int d = 0; d < hd; d++) {
                FloatVector k0 = FloatVector.fromArray(S, keys, keyBase + d * stride + p);
                a0 = k0.fma(FloatVector.broadcast(S, q[q0 + d]), a0);
                a1 = k0.fma(FloatVector.broadcast(S, q[q1 + d]), a1);
                a2 = k0.fma(FloatVector.broadcast(S, q[q2 + d]), a2);
                a3 = k0.fma(FloatVector.broadcast(S, q[q3 + d]), a3);
            }
            a0.mul(scale).intoArray(att, attOff[0] + p);
            a1.mul(scale).intoArray(att, attOff[1] + p);
            a2.mul(scale).intoArray(att, attOff[2] + p);
            a3.mul(scale).intoArray(att, attOff[3] + p);
        }
        int n = end - start + 1;
        for (int i = 0; i < GROUP; i++) {
            if (i > 0 && attOff[i] == attOff[i - 1]) {
                continue; // a repeated head: its scores are already normalized
            }
            if (softcap > 0) {
                FloatOps.softcap(att, attOff[i] + start, n, softcap);
            }
            softmax(att, attOff[i] + start, n);
        }
        int w0 = attOff[0], w1 = attOff[1], w2 = attOff[2], w3 = attOff[3];
        int c = 0;
        for (; c + L <= hd; c += L) {
            FloatVector o0 = FloatVector.zero(S), o1 = o0, o2 = o0, o3 = o0;
            for (int t = start; t <= end; t++) {
                FloatVector v = FloatVector.fromArray(S, values, t * kvDim + kvOff + c);
                o0 = v.fma(FloatVector.broadcast(S, att[w0 + t]), o0);
                o1 = v.fma(FloatVector.broadcast(S, att[w1 + t]), o1);
                o2 = v.fma(FloatVector.broadcast(S, att[w2 + t]), o2);
                o3 = v.fma(FloatVector.broadcast(S, att[w3 + t]), o3);
            }
            o0.intoArray(out, outOff[0] + c);
            o1.intoArray(out, outOff[1] + c);
            o2.intoArray(out, outOff[2] + c);
            o3.intoArray(out, outOff[3] + c);
        }
        for (; c < hd; c++) {
            for (int i = 0; i < GROUP; i++) {
                float sum = 0f;
                for (int t = start; t <= end; t++) {
                    sum += att[attOff[i] + t] * values[t * kvDim + kvOff + c];
                }
                out[outOff[i] + c] = sum;
            }
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
