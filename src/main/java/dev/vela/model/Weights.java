package dev.vela.model;

import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.TensorInfo;
import dev.vela.model.Architecture.Feature;
import dev.vela.tensor.GGMLType;
import dev.vela.tensor.Tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * The model's tensors, viewed in place over the mapped file. Matrices keep their ggml type;
 * norm weights, biases and rope factors are small and are read into float arrays. Fused matrices
 * (Phi-3's {@code attn_qkv} and gate-and-up {@code ffn_up}) are split into views of their row
 * ranges, so every architecture reaches the forward pass in the same shape.
 */
public record Weights(
        Tensor tokenEmbedding,
        float[] outputNorm,
        Tensor output,
        float[] ropeFreqFactors,
        Layer[] layers) {

    /**
     * One block's weights. The optional ones are null where the architecture has no such step:
     * {@code qBias/kBias/vBias} (Qwen2), {@code qNorm/kNorm} per-head norms (Qwen3, Gemma 3),
     * {@code postAttnNorm/postFfnNorm} (Gemma 2 and 3).
     */
    public record Layer(
            float[] attnNorm,
            Tensor wq, Tensor wk, Tensor wv, Tensor wo,
            float[] ffnNorm,
            Tensor ffnGate, Tensor ffnUp, Tensor ffnDown,
            float[] qBias, float[] kBias, float[] vBias,
            float[] qNorm, float[] kNorm,
            float[] postAttnNorm, float[] postFfnNorm) {
    }

    public static Weights load(GGUFFile file, ModelConfig c) {
        Architecture arch = c.architecture();
        Tensor embd = matrix(file, "token_embd.weight", c.dim(), c.vocabSize());
        boolean ownOutput = !arch.has(Feature.ALWAYS_TIED) && file.hasTensor("output.weight");
        Tensor outputInFile = ownOutput ? matrix(file, "output.weight", c.dim(), c.vocabSize()) : embd;
        float[] ropeFactors = file.hasTensor("rope_freqs.weight") ? vector(file, "rope_freqs.weight", c.ropeDim() / 2) : null;
        if (file.hasTensor("rope_factors_long.weight") || file.hasTensor("rope_factors_short.weight")) {
            // Phi-3 LongRoPE picks factors by context length and rescales attention: not implemented, so refuse
            // rather than run with the wrong positions.
            throw new VelaException(file.path() + ": long-context rope factors (rope_factors_long/short, as in Phi-3 128k"
                    + " and Phi-3.5 files) are not supported yet; a 4k-context Phi-3 file works");
        }
        // The matrices are copied into a faster layout (Tensor#repacked), in memory freed with the
        // weights: one task per layer and one for the output, on every core, because the copy's
        // time goes to the first touch of fresh memory, which cores do side by side (a 1B Q8_0
        // model: 6.2 s on one core of this machine).
        Arena repacked = Arena.ofAuto();
        Layer[] layers = new Layer[c.layers()];
        Tensor output;
        try (ExecutorService copying = Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors())) {
            Future<Tensor> outputCopy = copying.submit(() -> outputInFile.repacked(repacked));
            List<Future<Layer>> layerCopies = new ArrayList<>();
            for (int i = 0; i < layers.length; i++) {
                String prefix = "blk." + i + ".";
                layerCopies.add(copying.submit(() -> layer(file, c, prefix, repacked)));
            }
            output = await(outputCopy);
            for (int i = 0; i < layers.length; i++) {
                layers[i] = await(layerCopies.get(i));
            }
        }
        if (!ownOutput) {
            embd = output; // one copy serves the lookup and the logits
        }
        return new Weights(embd, vector(file, "output_norm.weight", c.dim()), output, ropeFactors, layers);
    }

    /** The result of a loading task, or the exception it stopped with. */
    private static <T> T await(Future<T> task) {
        try {
            return task.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VelaException("interrupted while loading the weights");
        }
    }

    private static Layer layer(GGUFFile file, ModelConfig c, String p, Arena repacked) {
        Architecture arch = c.architecture();
        int dim = c.dim(), qDim = c.qDim(), kvDim = c.kvDim(), ffn = c.ffnDim();
        Tensor wq, wk, wv;
        if (arch.has(Feature.FUSED_QKV)) {
            Tensor qkv = matrix(file, p + "attn_qkv.weight", dim, qDim + 2 * kvDim);
            wq = rows(qkv, 0, qDim);
            wk = rows(qkv, qDim, kvDim);
            wv = rows(qkv, qDim + kvDim, kvDim);
        } else {
            wq = matrix(file, p + "attn_q.weight", dim, qDim);
            wk = matrix(file, p + "attn_k.weight", dim, kvDim);
            wv = matrix(file, p + "attn_v.weight", dim, kvDim);
        }
        Tensor gate, up;
        if (arch.has(Feature.FUSED_GATE_UP)) {
            Tensor gateUp = matrix(file, p + "ffn_up.weight", dim, 2 * ffn);
            gate = rows(gateUp, 0, ffn);
            up = rows(gateUp, ffn, ffn);
        } else {
            gate = matrix(file, p + "ffn_gate.weight", dim, ffn);
            up = matrix(file, p + "ffn_up.weight", dim, ffn);
        }
        boolean bias = arch.has(Feature.QKV_BIAS);
        boolean qkNorm = arch.has(Feature.QK_NORM);
        boolean post = arch.has(Feature.POST_NORMS);
        return new Layer(
                vector(file, p + "attn_norm.weight", dim),
                wq.repacked(repacked), wk.repacked(repacked), wv.repacked(repacked),
                matrix(file, p + "attn_output.weight", qDim, dim).repacked(repacked),
                vector(file, p + "ffn_norm.weight", dim),
                gate.repacked(repacked), up.repacked(repacked),
                matrix(file, p + "ffn_down.weight", ffn, dim).repacked(repacked),
                bias ? vector(file, p + "attn_q.bias", qDim) : null,
                bias ? vector(file, p + "attn_k.bias", kvDim) : null,
                bias ? vector(file, p + "attn_v.bias", kvDim) : null,
                qkNorm ? vector(file, p + "attn_q_norm.weight", c.headDim()) : null,
                qkNorm ? vector(file, p + "attn_k_norm.weight", c.headDim()) : null,
                post ? vector(file, p + "post_attention_norm.weight", dim) : null,
                post ? vector(file, p + "post_ffw_norm.weight", dim) : null);
    }

    /** A matrix of {@code rows} rows of {@code cols} values; checks the shape the config implies. */
    static Tensor matrix(GGUFFile file, String name, int cols, int rows) {
        TensorInfo t = file.tensor(name);
        if (t.dims()[0] != cols || t.rows() != rows) {
            throw new VelaException(file.path() + ": tensor " + name + " has shape " + t.shape() + ", expected " + cols + " x " + rows);
        }
        if (!t.type().supported()) {
            throw new VelaException(file.path() + ": tensor " + name + " has type " + t.type()
                    + ", which Vela cannot run yet; supported: " + GGMLType.supportedNames());
        }
        return t.type().view(file.data(t), rows, cols);
    }

    /** Rows {@code [first, first + count)} of {@code m} as a matrix of their own, over the same bytes (rows are contiguous). */
    static Tensor rows(Tensor m, int first, int count) {
        long rowBytes = m.type().bytesFor(m.cols());
        MemorySegment slice = m.data().asSlice(first * rowBytes, count * rowBytes);
        return m.type().view(slice, count, m.cols());
    }

    /** A small vector of weights (norms, biases, factors) as floats, whatever its stored type. */
    static float[] vector(GGUFFile file, String name, int n) {
        TensorInfo t = file.tensor(name);
        if (t.elements() != n) {
            throw new VelaException(file.path() + ": tensor " + name + " has " + t.elements() + " values, expected " + n);
        }
        if (t.type() == GGMLType.F32) {
            MemorySegment seg = file.data(t);
            float[] out = new float[n];
            MemorySegment.copy(seg, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, out, 0, n);
            return out;
        }
        if (!t.type().supported()) {
            throw new VelaException(file.path() + ": tensor " + name + " has type " + t.type()
                    + ", which Vela cannot run yet; supported: " + GGMLType.supportedNames());
        }
        float[] out = new float[n];
        t.type().view(file.data(t), 1, n).dequantizeRow(0, out, 0);
        return out;
    }
}
