package dev.vela.model;

import dev.vela.tensor.Activations;
import dev.vela.tensor.FloatOps;
import dev.vela.tensor.MatMul;
import dev.vela.tensor.Parallel;
import dev.vela.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * The forward pass of a LLaMA-style decoder over a batch of consecutive tokens: embedding, then
 * per layer RMSNorm → attention with rotary positions and a KV cache → residual, RMSNorm → gated
 * feed-forward → residual, and finally RMSNorm → output matrix → logits of the last token.
 * Every architecture runs through this one pass; what tells them apart is data in the
 * {@link ModelConfig} (rope style and bases, sliding windows, scales, softcaps, activation) and
 * optional tensors in {@link Weights.Layer} (biases, per-head norms, post norms), each step
 * applied only where that data says so.
 * One token is the decode step (matrix-vector products); a prompt goes through in batches, where
 * every weight row is loaded once per batch instead of once per token.
 * Buffers are named for what they hold, as in llama2.c, with one row per token of the batch.
 */
public final class Transformer {
    public static final int DEFAULT_BATCH = 128;
    /**
     * Fewer tokens than this go through one at a time: a batched product dequantizes its whole
     * matrix however few tokens share it, which costs about ten decode steps (1B Q8_0 model, two
     * threads: 2 tokens took 330-460 ms batched, 80 ms one by one; 16 tokens 270 ms batched).
     */
    static final int BATCHED_MIN = 8;
    /**
     * Below this many cached values to weigh (tokens × heads × positions × head size) attention
     * runs on the calling thread: waking the workers would cost more than the work.
     */
    static final long ATTENTION_PARALLEL_MIN = 1 << 16;
    /** Below this many values the gated activation runs on the calling thread (a decode step's 8192 take ~3 µs). */
    private static final int GATE_PARALLEL_MIN = 1 << 16;
    /** Chunk borders for element-wise work split across threads: whole cache lines of floats. */
    private static final int ELEMENTWISE_GRAIN = 64;
    /** Context length from which query heads sharing a KV head are attended together. */
    static final int GROUPED_MIN_CONTEXT = 256;

    private final ModelConfig c;
    private final int batchedMin;
    private final Weights w;
    private final Parallel pool;
    private final KVCache cache;
    private final RoPE[] ropes;   // per layer: sliding layers may rotate with their own base
    private final int batch;

    private final float[] x;      // the residual stream, batch x dim
    private final float[] xb;     // normalized input of a branch, batch x max(dim, qDim)
    private final float[] xb2;    // attention output before the output matrix, batch x qDim
    private final float[] q;      // queries, batch x qDim
    private final float[] k;      // keys, batch x kvDim
    private final float[] v;      // values, batch x kvDim
    private final float[] att;    // attention scores, heads x context
    private final float[] hb;     // feed-forward gate, batch x ffnDim
    private final float[] hb2;    // feed-forward up, batch x ffnDim
    private final float[] logits; // vocabSize, for the last token of a batch
    private final float[][] scratch; // per thread: dequantized weight rows for batched products
    private final float[] packed;    // the input of a batched product, packed column by column
    private final MemorySegment stage; // the input of a matrix-vector product, where the kernels read it
    private final int[] one = new int[1];

    public Transformer(ModelConfig config, Weights weights, Parallel pool, int contextLength) {
        this(config, weights, pool, contextLength, DEFAULT_BATCH, BATCHED_MIN);
    }

    /** With batches of at most {@code batch} tokens, and fewer than {@code batchedMin} going one at a time. */
    public Transformer(ModelConfig config, Weights weights, Parallel pool, int contextLength, int batch, int batchedMin) {
        this.c = config;
        this.batchedMin = batchedMin;
        this.w = weights;
        this.pool = pool;
        this.batch = Math.max(1, Math.min(batch, contextLength));
        this.cache = new KVCache(c.layers(), contextLength, c.kvDim(), c.headDim());
        this.ropes = ropesPerLayer(c, w);
        int b = this.batch;
        this.x = new float[b * c.dim()];
        this.xb = new float[b * Math.max(c.dim(), c.qDim())];
        this.xb2 = new float[b * c.qDim()];
        this.q = new float[b * c.qDim()];
        this.k = new float[b * c.kvDim()];
        this.v = new float[b * c.kvDim()];
        this.att = new float[c.heads() * cache.stride()];
        this.hb = new float[b * c.ffnDim()];
        this.hb2 = new float[b * c.ffnDim()];
        this.logits = new float[c.vocabSize()];
        int widest = Math.max(Math.max(c.dim(), c.qDim()), c.ffnDim());
        this.scratch = new float[pool.threads()][b > 1 ? MatMul.scratchSize(widest) : 0];
        this.packed = new float[b > 1 ? MatMul.packedSize(b, widest) : 0];
        this.stage = Activations.allocate(Arena.ofAuto(), widest);
    }

    public ModelConfig config() {
        return c;
    }

    public int contextLength() {
        return cache.capacity();
    }

    /** The most tokens one call of {@link #forward(int[], int, int, int)} takes. */
    public int batchSize() {
        return batch;
    }

    /** Runs one token at position {@code pos}; returns the logits (a buffer reused by the next call). */
    public float[] forward(int token, int pos) {
        one[0] = token;
        return forward(one, 0, 1, pos);
    }

    /**
     * Runs {@code n} tokens {@code tokens[off..off+n)} at positions {@code pos..pos+n-1}, in batches;
     * returns the logits after the last one.
     */
    public float[] forward(int[] tokens, int off, int n, int pos) {
        forward(tokens, off, n, pos, n - 1, null);
        return logits;
    }

    /** Receives the logits after one token of a batch (a buffer reused for the next token). */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int index, float[] logits);
    }

    /**
     * Runs {@code n} tokens as {@link #forward(int[], int, int, int)} does and computes the logits
     * of every token from index {@code logitsFrom} on (index 0 is {@code tokens[off]}), handing
     * each to {@code sink} in order; with a null sink only the last token's logits are kept.
     * Scoring a text (perplexity) needs them all.
     */
    public void forward(int[] tokens, int off, int n, int pos, int logitsFrom, LogitsSink sink) {
        if (n < 1 || pos < 0 || pos + n > cache.capacity()) {
            throw new IllegalArgumentException("positions " + pos + ".." + (pos + n - 1) + " are outside the context of " + cache.capacity());
        }
        for (int done = 0, m; done < n; done += m) {
            m = Math.min(batch, n - done);
            if (m < batchedMin) {
                m = 1;
            }
            layers(tokens, off + done, m, pos + done);
            for (int t = Math.max(0, logitsFrom - done); t < m; t++) {
                if (sink != null || done + t == n - 1) {
                    logits(t);
                    if (sink != null) {
                        sink.accept(done + t, logits);
                    }
                }
            }
        }
    }

    /** Final norm, output matrix and softcap for row {@code t} of the batch just run. */
    private void logits(int t) {
        int dim = c.dim();
        FloatOps.rmsnorm(xb, 0, x, t * dim, w.outputNorm(), dim, c.rmsEps());
        matmul(w.output(), xb, dim, 1, logits, c.vocabSize());
        if (c.finalSoftcap() > 0) {
            FloatOps.softcap(logits, 0, c.vocabSize(), c.finalSoftcap());
        }
    }

    /** Every layer for a batch of {@code n} tokens; leaves the residual stream in {@code x}. */
    private void layers(int[] tokens, int off, int n, int pos) {
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim();
        embed(tokens, off, n);
        for (int l = 0; l < c.layers(); l++) {
            Weights.Layer layer = w.layers()[l];

            rmsnormRows(xb, x, layer.attnNorm(), n, dim);
            prepare(xb, dim, n, dim); // once for the three projections that read it
            project(layer.wq(), layer.qBias(), n, q, qDim);
            project(layer.wk(), layer.kBias(), n, k, kvDim);
            project(layer.wv(), layer.vBias(), n, v, kvDim);
            normalizeHeads(q, layer.qNorm(), n * c.heads());
            normalizeHeads(k, layer.kNorm(), n * c.kvHeads());
            for (int t = 0; t < n; t++) {
                ropes[l].apply(q, t * qDim, c.heads(), pos + t);
                ropes[l].apply(k, t * kvDim, c.kvHeads(), pos + t);
                cache.store(l, pos + t, k, t * kvDim, v, t * kvDim);
            }
            attention(l, n, pos);
            matmul(layer.wo(), xb2, qDim, n, xb, dim);
            addToResidual(xb, layer.postAttnNorm(), n);

            rmsnormRows(xb, x, layer.ffnNorm(), n, dim);
            prepare(xb, dim, n, dim);
            multiply(layer.ffnGate(), n, hb, ffn);
            multiply(layer.ffnUp(), n, hb2, ffn);
            applyGate(n * ffn);
            matmul(layer.ffnDown(), hb, ffn, n, xb, dim);
            addToResidual(xb, layer.postFfnNorm(), n);
        }
    }

    /** The embedding rows of the batch's tokens into {@code x}, scaled where the architecture says so. */
    private void embed(int[] tokens, int off, int n) {
        int dim = c.dim();
        for (int t = 0; t < n; t++) {
            w.tokenEmbedding().dequantizeRow(tokens[off + t], x, t * dim);
        }
        if (c.embeddingScale() != 1f) {
            for (int i = 0; i < n * dim; i++) {
                x[i] *= c.embeddingScale();
            }
        }
    }

    /**
     * {@code out = m · xb (+ bias)} for {@code n} rows of {@code width} outputs, xb already
     * {@link #prepare prepared}; the bias may be null.
     */
    private void project(Tensor m, float[] bias, int n, float[] out, int width) {
        multiply(m, n, out, width);
        if (bias != null) {
            for (int t = 0; t < n; t++) {
                FloatOps.axpy(1f, bias, 0, out, t * width, width);
            }
        }
    }

    /** RMS-normalizes each of {@code heads} consecutive heads of {@code x} in place, when there is a norm (QK-norm). */
    private void normalizeHeads(float[] x, float[] norm, int heads) {
        if (norm != null) {
            rmsnormRows(x, x, norm, heads, c.headDim());
        }
    }

    /** The branch output {@code out} (after its own norm, where the layer has one) added to the residual stream. */
    private void addToResidual(float[] out, float[] postNorm, int n) {
        if (postNorm != null) {
            rmsnormRows(out, out, postNorm, n, c.dim());
        }
        FloatOps.add(x, out, n * c.dim());
    }

    /** The gated activation of the feed-forward: {@code hb = act(hb) * hb2}. */
    private void applyGate(int count) {
        if (count < GATE_PARALLEL_MIN) {
            gate(0, count);
        } else {
            pool.forRange(count, ELEMENTWISE_GRAIN, this::gate);
        }
    }

    /** The gated activation of values {@code [from, to)}. */
    private void gate(int from, int to) {
        switch (c.architecture().activation()) {
            case SILU -> FloatOps.swiglu(hb, hb2, from, to);
            case GELU_TANH -> FloatOps.geglu(hb, hb2, from, to);
        }
    }

    /** {@code rows} rows of {@code width} values, each RMS-normalized with {@code weight}; in place when out == in. */
    private void rmsnormRows(float[] out, float[] in, float[] weight, int rows, int width) {
        for (int r = 0; r < rows; r++) {
            FloatOps.rmsnorm(out, r * width, in, r * width, weight, width, c.rmsEps());
        }
    }

    private static RoPE[] ropesPerLayer(ModelConfig c, Weights w) {
        RoPE global = new RoPE(c.architecture().rope(), c.headDim(), c.ropeDim(), c.rope(), w.ropeFreqFactors());
        RoPE sliding = c.slidingRope().equals(c.rope()) ? global
                : new RoPE(c.architecture().rope(), c.headDim(), c.ropeDim(), c.slidingRope(), w.ropeFreqFactors());
        RoPE[] ropes = new RoPE[c.layers()];
        for (int l = 0; l < ropes.length; l++) {
            ropes[l] = c.slides(l) ? sliding : global;
        }
        return ropes;
    }

    /**
     * Causal attention for {@code n} new tokens at positions {@code pos..}: every query head over
     * the cached positions up to its own (only the last {@code slidingWindow} of them in a sliding
     * layer), scores softcapped where the model says so; heads are split across threads.
     */
    private void attention(int layer, int n, int pos) {
        int hd = c.headDim();
        int kvDim = c.kvDim();
        int qDim = c.qDim();
        int group = c.heads() / c.kvHeads();
        int stride = cache.stride();
        float scale = c.attentionScale();
        float softcap = c.attnSoftcap();
        int window = c.slides(layer) ? c.slidingWindow() : Integer.MAX_VALUE;
        float[] keys = cache.keys[layer];
        float[] values = cache.values[layer];
        // Query heads go in runs of four that share a KV head (the last run of a group repeats
        // its last head) when a group has three or more and the context is long enough for
        // reading the cache to matter; one by one otherwise. (At a short context the four-head
        // kernel gained nothing, and while the context grew from zero the JIT recompiled it
        // several times, measured ~10% off generation on two cores.)
        int run = group >= 3 && pos + n > GROUPED_MIN_CONTEXT ? Attention.GROUP : 1;
        int runsPerGroup = (group + run - 1) / run;
        Parallel.RangeTask heads = (from, to) -> {
            int[] qOff = new int[Attention.GROUP], attOff = new int[Attention.GROUP];
            for (int u = from; u < to; u++) {
                int kvHead = u / runsPerGroup;
                int h0 = kvHead * group + u % runsPerGroup * run;
                int last = (kvHead + 1) * group - 1;
                for (int t = 0; t < n; t++) {
                    int end = pos + t; // the last position this token may see
                    int start = Math.max(0, end - window + 1);
                    if (run == 1) {
                        int qOff0 = t * qDim + h0 * hd;
                        Attention.head(q, qOff0, keys, cache.keyBase(kvHead), stride, values, kvDim, kvHead * hd,
                                hd, start, end, scale, softcap, att, h0 * stride, xb2, qOff0);
                    } else {
                        for (int i = 0; i < run; i++) {
                            int h = Math.min(h0 + i, last);
                            qOff[i] = t * qDim + h * hd;
                            attOff[i] = h * stride;
                        }
                        Attention.heads4(q, qOff, keys, cache.keyBase(kvHead), stride, values, kvDim, kvHead * hd,
                                hd, start, end, scale, softcap, att, attOff, xb2, qOff);
                    }
                }
            }
        };
        int units = c.kvHeads() * runsPerGroup;
        long work = (long) n * c.heads() * Math.min(pos + n, window) * hd;
        if (work < ATTENTION_PARALLEL_MIN) {
            heads.run(0, units);
        } else {
            pool.forRange(units, heads);
        }
    }

    /** {@code out[t] = m · in[t]} for {@code n} rows: a matrix-vector product per row, tiled when n > 1. */
    private void matmul(Tensor m, float[] in, int inStride, int n, float[] out, int outStride) {
        prepare(in, inStride, n, m.cols());
        multiply(m, n, out, outStride);
    }

    /**
     * The input of the next products where their kernels read it: one row copied to aligned
     * memory for matrix-vector products, a batch packed by columns for tiled ones. Products
     * with the same input share one preparation.
     */
    private void prepare(float[] in, int inStride, int n, int cols) {
        if (n == 1) {
            Activations.copy(in, 0, stage, cols);
        } else {
            pool.forRange(cols, ELEMENTWISE_GRAIN, (from, to) -> MatMul.pack(in, inStride, n, cols, from, to, packed));
        }
    }

    /** {@code out[t] = m · input[t]} for the {@code n} rows of the last {@link #prepare prepared} input. */
    private void multiply(Tensor m, int n, float[] out, int outStride) {
        if (n == 1) {
            MatMul.vector(pool, m, stage, out);
        } else {
            pool.forRange(m.rows(), Math.max(MatMul.ROWS, m.panelRows()), (thread, from, to) ->
                    MatMul.rows(m, packed, n, out, outStride, from, to, scratch[thread]));
        }
    }
}
