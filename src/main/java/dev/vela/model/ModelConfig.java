package dev.vela.model;

import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.Metadata;

/**
 * The shape of a model, read from GGUF metadata alone ({@code <arch>.embedding_length} and friends),
 * with llama.cpp's defaults for keys a file may leave out.
 *
 * @param headDim    width of one attention head (usually dim / heads)
 * @param ropeDim    how many leading values of each head are rotated
 * @param contextLength the context the model was trained for
 */
public record ModelConfig(
        String architecture,
        int dim,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int ffnDim,
        int vocabSize,
        float rmsEps,
        int ropeDim,
        float ropeTheta,
        int contextLength) {

    public static final java.util.List<String> SUPPORTED_ARCHITECTURES = java.util.List.of("llama");

    public static ModelConfig from(GGUFFile file) {
        Metadata md = file.metadata();
        String name = file.path().toString();
        String arch = md.getString("general.architecture");
        if (!SUPPORTED_ARCHITECTURES.contains(arch)) {
            throw new VelaException(name + ": architecture '" + arch + "' is not supported; Vela runs: "
                    + String.join(", ", SUPPORTED_ARCHITECTURES));
        }
        int dim = positive(name, md.getInt(arch + ".embedding_length"), arch + ".embedding_length");
        int layers = positive(name, md.getInt(arch + ".block_count"), arch + ".block_count");
        int heads = positive(name, md.getInt(arch + ".attention.head_count"), arch + ".attention.head_count");
        int kvHeads = positive(name, md.getInt(arch + ".attention.head_count_kv", heads), arch + ".attention.head_count_kv");
        if (heads % kvHeads != 0) {
            throw new VelaException(name + ": " + heads + " attention heads cannot be shared among " + kvHeads + " key/value heads");
        }
        int headDim = positive(name, md.getInt(arch + ".attention.key_length", dim / heads), arch + ".attention.key_length");
        int ffn = positive(name, md.getInt(arch + ".feed_forward_length"), arch + ".feed_forward_length");
        float eps = md.getFloat(arch + ".attention.layer_norm_rms_epsilon", 1e-5f);
        int ropeDim = md.getInt(arch + ".rope.dimension_count", headDim);
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0) {
            throw new VelaException(name + ": " + arch + ".rope.dimension_count = " + ropeDim + " does not fit a head of " + headDim);
        }
        float theta = md.getFloat(arch + ".rope.freq_base", 10000f);
        int ctx = md.getInt(arch + ".context_length", 2048);
        long vocab = file.tensor("token_embd.weight").rows();
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, (int) vocab, eps, ropeDim, theta, ctx);
    }

    private static int positive(String file, int v, String key) {
        if (v <= 0) {
            throw new VelaException(file + ": metadata " + key + " = " + v + " must be positive");
        }
        return v;
    }

    public int kvDim() {
        return kvHeads * headDim;
    }

    public int qDim() {
        return heads * headDim;
    }
}
