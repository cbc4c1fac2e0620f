package dev.vela.model;

import dev.vela.tensor.FloatOps;
import dev.vela.tensor.Parallel;
import dev.vela.tensor.Tensor;

/**
 * The forward pass of a LLaMA-style decoder, one token at a time: embedding, then per layer
 * RMSNorm → attention with rotary positions and a KV cache → residual, RMSNorm → SwiGLU
 * feed-forward → residual, and finally RMSNorm → output matrix → logits.
 * Buffers are named for what they hold, as in llama2.c.
 */
public final class Transformer {
    private final ModelConfig c;
    private final Weights w;
    private final Parallel pool;
    private final KVCache cache;
    private final RoPE rope;

    private final float[] x;      // the residual stream, dim
    private final float[] xb;     // normalized input of a branch, dim
    private final float[] xb2;    // attention output before the output matrix, qDim
    private final float[] q;      // query, qDim
    private final float[] k;      // key, kvDim
    private final float[] v;      // value, kvDim
    private final float[] att;    // attention scores, heads x context
    private final float[] hb;     // feed-forward gate, ffnDim
    private final float[] hb2;    // feed-forward up, ffnDim
    private final float[] logits; // vocabSize

    public Transformer(ModelConfig config, Weights weights, Parallel pool, int contextLength) {
        this.c = config;
        this.w = weights;
        this.pool = pool;
        this.cache = new KVCache(c.layers(), contextLength, c.kvDim());
        this.rope = new RoPE(c.headDim(), c.ropeDim(), c.ropeTheta(), w.ropeFreqFactors());
        this.x = new float[c.dim()];
        this.xb = new float[Math.max(c.dim(), c.qDim())];
        this.xb2 = new float[c.qDim()];
        this.q = new float[c.qDim()];
        this.k = new float[c.kvDim()];
        this.v = new float[c.kvDim()];
        this.att = new float[c.heads() * contextLength];
        this.hb = new float[c.ffnDim()];
        this.hb2 = new float[c.ffnDim()];
        this.logits = new float[c.vocabSize()];
    }

    public ModelConfig config() {
        return c;
    }

    public int contextLength() {
        return cache.capacity();
    }

    /** Runs token {@code token} at position {@code pos} and returns the logits (a buffer reused by the next call). */
    public float[] forward(int token, int pos) {
        if (pos < 0 || pos >= cache.capacity()) {
            throw new IllegalArgumentException("position " + pos + " is outside the context of " + cache.capacity());
        }
        int dim = c.dim();
        w.tokenEmbedding().dequantizeRow(token, x, 0);
        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer layer = w.layers()[l];

            FloatOps.rmsnorm(xb, 0, x, 0, layer.attnNorm(), dim, c.rmsEps());
            matvec3(layer.wq(), q, layer.wk(), k, layer.wv(), v, xb);
            rope.apply(q, c.heads(), pos);
            rope.apply(k, c.kvHeads(), pos);
            cache.store(l, pos, k, v);
            attention(l, pos);
            matvec(layer.wo(), xb2, xb);
            FloatOps.add(x, xb, dim);

            FloatOps.rmsnorm(xb, 0, x, 0, layer.ffnNorm(), dim, c.rmsEps());
            matvec2(layer.ffnGate(), hb, layer.ffnUp(), hb2, xb);
            FloatOps.swiglu(hb, hb2, c.ffnDim());
            matvec(layer.ffnDown(), hb, xb);
            FloatOps.add(x, xb, dim);
        }
        FloatOps.rmsnorm(x, 0, x, 0, w.outputNorm(), dim, c.rmsEps());
        matvec(w.output(), x, logits);
        return logits;
    }

    /** Causal attention of every query head over positions {@code 0..pos}, heads split across threads. */
    private void attention(int layer, int pos) {
        int hd = c.headDim();
        int kvDim = c.kvDim();
        int group = c.heads() / c.kvHeads();
        int ctx = cache.capacity();
        float scale = (float) (1.0 / Math.sqrt(hd));
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        pool.forRange(c.heads(), (from, to) -> {
            for (int h = from; h < to; h++) {
                int qOff = h * hd;
                int kvOff = (h / group) * hd;
                int attOff = h * ctx;
                for (int t = 0; t <= pos; t++) {
                    att[attOff + t] = FloatOps.dot(q, qOff, keys, t * kvDim + kvOff, hd) * scale;
                }
                FloatOps.softmax(att, attOff, pos + 1);
                java.util.Arrays.fill(xb2, qOff, qOff + hd, 0f);
                for (int t = 0; t <= pos; t++) {
                    FloatOps.axpy(att[attOff + t], values, t * kvDim + kvOff, xb2, qOff, hd);
                }
            }
        });
    }

    private void matvec(Tensor m, float[] in, float[] out) {
        pool.forRange(m.rows(), (from, to) -> m.matvec(in, out, from, to));
    }

    /** Two products of the same input in one pass over the pool (gate and up). */
    private void matvec2(Tensor a, float[] outA, Tensor b, float[] outB, float[] in) {
        int ra = a.rows();
        pool.forRange(ra + b.rows(), (from, to) -> {
            if (from < ra) {
                a.matvec(in, outA, from, Math.min(to, ra));
            }
            if (to > ra) {
                b.matvec(in, outB, Math.max(from, ra) - ra, to - ra);
            }
        });
    }

    /** Three products of the same input in one pass over the pool (query, key, value). */
    private void matvec3(Tensor a, float[] outA, Tensor b, float[] outB, Tensor d, float[] outD, float[] in) {
        int ra = a.rows();
        int rb = b.rows();
        pool.forRange(ra + rb + d.rows(), (from, to) -> {
            if (from < ra) {
                a.matvec(in, outA, from, Math.min(to, ra));
            }
            if (to > ra && from < ra + rb) {
                b.matvec(in, outB, Math.max(from, ra) - ra, Math.min(to, ra + rb) - ra);
            }
            if (to > ra + rb) {
                d.matvec(in, outD, Math.max(from, ra + rb) - ra - rb, to - ra - rb);
            }
        });
    }
}
