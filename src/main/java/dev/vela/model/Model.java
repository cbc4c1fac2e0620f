package dev.vela.model;

import dev.vela.gguf.GGUFFile;
import dev.vela.tensor.Parallel;

import java.nio.file.Path;

/** A loaded model: the mapped file, its config and weights. Closing it unmaps the file. */
public final class Model implements AutoCloseable {
    private final GGUFFile file;
    private final ModelConfig config;
    private final Weights weights;

    private Model(GGUFFile file, ModelConfig config, Weights weights) {
        this.file = file;
        this.config = config;
        this.weights = weights;
    }

    public static Model load(Path path) {
        GGUFFile file = GGUFFile.open(path);
        try {
            ModelConfig config = ModelConfig.from(file);
            return new Model(file, config, Weights.load(file, config));
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public GGUFFile file() {
        return file;
    }

    public ModelConfig config() {
        return config;
    }

    public Weights weights() {
        return weights;
    }

    /** A fresh inference state (KV cache and buffers) for {@code contextLength} tokens. */
    public Transformer newTransformer(Parallel pool, int contextLength) {
        return new Transformer(config, weights, pool, contextLength);
    }

    @Override
    public void close() {
        file.close();
    }
}
