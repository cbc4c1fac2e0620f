package dev.vela.model;

import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.Metadata;

import java.util.List;

/**
 * The shape of a model and the data that selects each step of the forward pass, read from GGUF
 * metadata alone ({@code <arch>.embedding_length} and friends) with llama.cpp's defaults for keys
 * a file may leave out.
 *
 * @param headDim        width of one attention head (usually dim / heads)
 * @param ropeDim        how many leading values of each head are rotated
 * @param rope           rope of global layers
 * @param slidingWindow  how many positions a sliding layer sees, itself included (0: no sliding layers)
 * @param slidingRope    rope of sliding layers
 * @param embeddingScale token embeddings are multiplied by this
 * @param attentionScale query · key is multiplied by this
 * @param attnSoftcap    attention scores s → c·tanh(s/c) (0: off)
 * @param finalSoftcap   logits l → c·tanh(l/c) (0: off)
 * @param contextLength  the context the model was trained for
 */
public record ModelConfig(
        Architecture architecture,
        int dim,
        int layers,
        int heads,
        int kvHeads,
        int headDim,
        int ffnDim,
        int vocabSize,
        float rmsEps,
        int ropeDim,
        RopeFrequencies rope,
        int slidingWindow,
        RopeFrequencies slidingRope,
        float embeddingScale,
        float attentionScale,
        float attnSoftcap,
        float finalSoftcap,
        int contextLength) {

    public static final List<String> SUPPORTED_ARCHITECTURES = Architecture.names();

    /**
     * Rotation angles {@code pos · scale · base^(-2i/ropeDim)}.
     *
     * @param scale position multiplier: 1 / {@code rope.scaling.factor} for linear scaling, else 1
     */
    public record RopeFrequencies(float base, float scale) {
    }

    public static ModelConfig from(GGUFFile file) {
        Metadata md = file.metadata();
        String name = file.path().toString();
        String archName = md.getString("general.architecture");
        Architecture arch = Architecture.byName(archName).orElseThrow(() -> new VelaException(name + ": architecture '"
                + archName + "' is not supported; Vela runs: " + String.join(", ", SUPPORTED_ARCHITECTURES)));
        String p = archName + ".";
        int dim = positive(name, md.getInt(p + "embedding_length"), p + "embedding_length");
        int layers = positive(name, md.getInt(p + "block_count"), p + "block_count");
        int heads = positive(name, md.getInt(p + "attention.head_count"), p + "attention.head_count");
        int kvHeads = positive(name, md.getInt(p + "attention.head_count_kv", heads), p + "attention.head_count_kv");
        if (heads % kvHeads != 0) {
            throw new VelaException(name + ": " + heads + " attention heads cannot be shared among " + kvHeads + " key/value heads");
        }
        int headDim = positive(name, md.getInt(p + "attention.key_length", dim / heads), p + "attention.key_length");
        int valueDim = md.getInt(p + "attention.value_length", headDim);
        if (valueDim != headDim) {
            throw new VelaException(name + ": value heads of " + valueDim + " differ from key heads of " + headDim + ", which Vela cannot run");
        }
        int ffn = positive(name, md.getInt(p + "feed_forward_length"), p + "feed_forward_length");
        float eps = md.getFloat(p + "attention.layer_norm_rms_epsilon", 1e-5f);
        int ropeDim = md.getInt(p + "rope.dimension_count", headDim);
        if (ropeDim <= 0 || ropeDim > headDim || ropeDim % 2 != 0) {
            throw new VelaException(name + ": " + p + "rope.dimension_count = " + ropeDim + " does not fit a head of " + headDim);
        }
        RopeFrequencies rope = new RopeFrequencies(md.getFloat(p + "rope.freq_base", 10000f), ropeScale(name, md, p));
        Architecture.Sliding sliding = arch.sliding();
        int window = sliding.pattern() == 0 ? 0 : md.getInt(p + "attention.sliding_window", sliding.defaultWindow());
        RopeFrequencies slidingRope = sliding.ropeBase() == null ? rope : new RopeFrequencies(sliding.ropeBase(), 1f);
        int ctx = md.getInt(p + "context_length", 2048);
        long vocab = file.tensor("token_embd.weight").rows();
        float embeddingScale = arch.has(Architecture.Feature.SCALED_EMBEDDINGS) ? (float) Math.sqrt(dim) : 1f;
        int scaleWidth = layers == arch.wideScaleLayers() ? dim / heads : headDim;
        float attentionScale = (float) (1.0 / Math.sqrt(scaleWidth));
        float attnSoftcap = arch.attnSoftcap().map(d -> md.getFloat(p + "attn_logit_softcapping", d)).orElse(0f);
        float finalSoftcap = arch.finalSoftcap().map(d -> md.getFloat(p + "final_logit_softcapping", d)).orElse(0f);
        return new ModelConfig(arch, dim, layers, heads, kvHeads, headDim, ffn, (int) vocab, eps, ropeDim,
                rope, Math.max(window, 0), slidingRope, embeddingScale, attentionScale, attnSoftcap, finalSoftcap, ctx);
    }

    /**
     * Linear rope scaling ({@code rope.scaling.factor}, or the older {@code rope.scale_linear}) as
     * llama.cpp reads it; other scaling types change more than the positions, so they are refused.
     */
    private static float ropeScale(String file, Metadata md, String p) {
        String type = md.getString(p + "rope.scaling.type", "linear");
        if (!type.equals("linear") && !type.equals("none")) {
            throw new VelaException(file + ": rope scaling '" + type + "' is not supported; Vela runs linear scaling only");
        }
        float factor = md.getFloat(p + "rope.scaling.factor", md.getFloat(p + "rope.scale_linear", 0f));
        return factor == 0f ? 1f : 1f / factor;
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

    /** Whether layer {@code l} attends only to the last {@link #slidingWindow} positions. */
    public boolean slides(int l) {
        int pattern = architecture.sliding().pattern();
        return slidingWindow > 0 && pattern > 0 && l % pattern < pattern - 1;
    }

    /** The rope of layer {@code l}: sliding layers may have their own base. */
    public RopeFrequencies rope(int l) {
        return slides(l) ? slidingRope : rope;
    }
}
