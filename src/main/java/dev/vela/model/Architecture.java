package dev.vela.model;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static dev.vela.model.Architecture.Activation.GELU_TANH;
import static dev.vela.model.Architecture.Activation.SILU;
import static dev.vela.model.Architecture.Feature.ALWAYS_TIED;
import static dev.vela.model.Architecture.Feature.FUSED_GATE_UP;
import static dev.vela.model.Architecture.Feature.FUSED_QKV;
import static dev.vela.model.Architecture.Feature.POST_NORMS;
import static dev.vela.model.Architecture.Feature.QKV_BIAS;
import static dev.vela.model.Architecture.Feature.QK_NORM;
import static dev.vela.model.Architecture.Feature.SCALED_EMBEDDINGS;
import static dev.vela.model.Architecture.RopeStyle.NEOX;
import static dev.vela.model.Architecture.RopeStyle.NORMAL;

/**
 * What each llama.cpp architecture Vela runs changes in the LLaMA block, as data the one forward
 * pass reads. Facts and defaults follow llama.cpp's {@code llama-model.cpp} (hyperparameter
 * loading, tensor loading and each family's graph); a key absent from a file takes the default
 * given here.
 */
public enum Architecture {
    LLAMA("llama", NORMAL, SILU, Set.of(), Sliding.NONE, null, null, 0),
    QWEN2("qwen2", NEOX, SILU, Set.of(QKV_BIAS), Sliding.NONE, null, null, 0),
    QWEN3("qwen3", NEOX, SILU, Set.of(QK_NORM), Sliding.NONE, null, null, 0),
    // Phi-3 files carry attention.sliding_window, which llama.cpp ignores for this family.
    PHI3("phi3", NEOX, SILU, Set.of(FUSED_QKV, FUSED_GATE_UP), Sliding.NONE, null, null, 0),
    GEMMA2("gemma2", NEOX, GELU_TANH, Set.of(POST_NORMS, SCALED_EMBEDDINGS, ALWAYS_TIED),
            new Sliding(2, 4096, null), 50f, 30f, 46),
    // Without a window in the file Gemma 3 has no sliding layers (llama.cpp drops the pattern then).
    GEMMA3("gemma3", NEOX, GELU_TANH, Set.of(QK_NORM, POST_NORMS, SCALED_EMBEDDINGS, ALWAYS_TIED),
            new Sliding(6, 0, 10000f), null, 0f, 62);

    /** ggml's rope modes: NORMAL rotates {@code (x[2i], x[2i+1])}, NEOX {@code (x[i], x[i + ropeDim/2])}. */
    public enum RopeStyle { NORMAL, NEOX }

    /** The activation of the gate in the gated feed-forward: SiLU (SwiGLU) or tanh-form GELU (GeGLU). */
    public enum Activation { SILU, GELU_TANH }

    /** Optional steps and tensors of the block. */
    public enum Feature {
        /** {@code attn_{q,k,v}.bias} added to the projections. */
        QKV_BIAS,
        /** {@code attn_{q,k}_norm}: RMS norm of each head of Q and K, before rope. */
        QK_NORM,
        /** One {@code attn_qkv} matrix whose rows are Q, then K, then V. */
        FUSED_QKV,
        /** No {@code ffn_gate}: {@code ffn_up} holds the gate rows, then the up rows. */
        FUSED_GATE_UP,
        /** {@code post_attention_norm} / {@code post_ffw_norm} on each branch's output, before its residual add. */
        POST_NORMS,
        /** Token embeddings times √dim. */
        SCALED_EMBEDDINGS,
        /** The output matrix is the embedding table, whatever else a file holds. */
        ALWAYS_TIED
    }

    /**
     * Sliding-window layers: with a pattern of {@code n}, layer {@code l} slides when
     * {@code l % n < n - 1} and the others are global.
     *
     * @param pattern       0: no sliding layers
     * @param defaultWindow the window when {@code attention.sliding_window} is absent (0: none)
     * @param ropeBase      rope base of sliding layers, which then run without rope scaling
     *                      (null: the same rope as global layers)
     */
    public record Sliding(int pattern, int defaultWindow, Float ropeBase) {
        static final Sliding NONE = new Sliding(0, 0, null);
    }

    private final String ggufName;
    private final RopeStyle rope;
    private final Activation activation;
    private final Set<Feature> features;
    private final Sliding sliding;
    private final Float attnSoftcap;
    private final Float finalSoftcap;
    private final int wideScaleLayers;

    /**
     * @param attnSoftcap     default of {@code attn_logit_softcapping}: scores s → c·tanh(s/c) before
     *                        the mask (null: the family has no such step)
     * @param finalSoftcap    default of {@code final_logit_softcapping}, the same on the logits (null:
     *                        no such step; 0: off unless the file sets it)
     * @param wideScaleLayers at this layer count (the 27B Gemmas) queries are scaled by
     *                        1/√(dim/heads) instead of 1/√headDim (0: never)
     */
    Architecture(String ggufName, RopeStyle rope, Activation activation, Set<Feature> features, Sliding sliding,
                 Float attnSoftcap, Float finalSoftcap, int wideScaleLayers) {
        this.ggufName = ggufName;
        this.rope = rope;
        this.activation = activation;
        this.features = features;
        this.sliding = sliding;
        this.attnSoftcap = attnSoftcap;
        this.finalSoftcap = finalSoftcap;
        this.wideScaleLayers = wideScaleLayers;
    }

    public static Optional<Architecture> byName(String name) {
        return Arrays.stream(values()).filter(a -> a.ggufName.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(Architecture::ggufName).toList();
    }

    /** {@code general.architecture} in GGUF, also the prefix of the family's keys. */
    public String ggufName() {
        return ggufName;
    }

    public RopeStyle rope() {
        return rope;
    }

    public Activation activation() {
        return activation;
    }

    public boolean has(Feature f) {
        return features.contains(f);
    }

    public Sliding sliding() {
        return sliding;
    }

    public Optional<Float> attnSoftcap() {
        return Optional.ofNullable(attnSoftcap);
    }

    public Optional<Float> finalSoftcap() {
        return Optional.ofNullable(finalSoftcap);
    }

    public int wideScaleLayers() {
        return wideScaleLayers;
    }
}
