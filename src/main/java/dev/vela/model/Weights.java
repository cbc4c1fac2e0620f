package dev.vela.model;

import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.TensorInfo;
import dev.vela.tensor.GGMLType;
import dev.vela.tensor.Tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The model's tensors, viewed in place over the mapped file. Matrices keep their ggml type;
 * norm weights and rope factors are small and are read into float arrays.
 */
public record Weights(
        Tensor tokenEmbedding,
        float[] outputNorm,
        Tensor output,
        float[] ropeFreqFactors,
        Layer[] layers) {

    public record Layer(
            float[] attnNorm,
            Tensor wq, Tensor wk, Tensor wv, Tensor wo,
            float[] ffnNorm,
            Tensor ffnGate, Tensor ffnUp, Tensor ffnDown) {
    }

    public static Weights load(GGUFFile file, ModelConfig c) {
        Tensor embd = matrix(file, "token_embd.weight", c.dim(), c.vocabSize());
        Tensor output = file.hasTensor("output.weight") ? matrix(file, "output.weight", c.dim(), c.vocabSize()) : embd;
        float[] ropeFactors = file.hasTensor("rope_freqs.weight") ? vector(file, "rope_freqs.weight", c.ropeDim() / 2) : null;
        Layer[] layers = new Layer[c.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            layers[i] = new Layer(
                    vector(file, p + "attn_norm.weight", c.dim()),
                    matrix(file, p + "attn_q.weight", c.dim(), c.qDim()),
                    matrix(file, p + "attn_k.weight", c.dim(), c.kvDim()),
                    matrix(file, p + "attn_v.weight", c.dim(), c.kvDim()),
                    matrix(file, p + "attn_output.weight", c.qDim(), c.dim()),
                    vector(file, p + "ffn_norm.weight", c.dim()),
                    matrix(file, p + "ffn_gate.weight", c.dim(), c.ffnDim()),
                    matrix(file, p + "ffn_up.weight", c.dim(), c.ffnDim()),
                    matrix(file, p + "ffn_down.weight", c.ffnDim(), c.dim()));
        }
        return new Weights(embd, vector(file, "output_norm.weight", c.dim()), output, ropeFactors, layers);
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

    /** A small vector of weights (norms, factors) as floats, whatever its stored type. */
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
