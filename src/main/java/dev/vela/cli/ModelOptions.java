package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.model.Model;
import dev.vela.model.ModelConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** The options every command that runs a model shares: which file, how many threads, how much context. */
final class ModelOptions {
    static final int DEFAULT_CONTEXT = 4096;

    static final List<OptionSpec> SPECS = List.of(
            OptionSpec.value("--model", "FILE", "the GGUF model file", null, "-m"),
            OptionSpec.value("--threads", "N", "threads for matrix work", "all cores", "-t"),
            OptionSpec.value("--context", "N", "context length in tokens, 0 for the model's own", "4096 or the model's, if smaller", "-c", "--ctx-size"));

    private ModelOptions() {}

    static Path modelPath(Options o) {
        String m = o.string("--model", null);
        if (m == null) {
            throw new VelaException("no model given: use --model FILE.gguf (see --help)");
        }
        return Path.of(m);
    }

    static Model load(Options o, PrintStream err) {
        return Model.load(modelPath(o));
    }

    static int threads(Options o) {
        return o.integer("--threads", Runtime.getRuntime().availableProcessors(), 1, 1024);
    }

    static int context(Options o, ModelConfig c) {
        int requested = o.integer("--context", -1, 0, 1 << 24);
        if (requested == 0) {
            return c.contextLength();
        }
        if (requested < 0) {
            return Math.min(DEFAULT_CONTEXT, c.contextLength());
        }
        return requested;
    }
}
