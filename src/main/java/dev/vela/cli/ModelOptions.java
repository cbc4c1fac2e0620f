package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.hub.HubClient;
import dev.vela.hub.HubRef;
import dev.vela.model.Model;
import dev.vela.model.ModelConfig;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** The options every command that runs a model shares: which file, how many threads, how much context. */
final class ModelOptions {
    static final int DEFAULT_CONTEXT = 4096;

    /** Where the model comes from: a file, or a Hugging Face repository. */
    static final List<OptionSpec> SOURCE = List.of(
            OptionSpec.value("--model", "FILE", "the GGUF model file", null, "-m"),
            OptionSpec.value("--hf", "OWNER/REPO[:QUANT]", "download a GGUF from Hugging Face (cached) and use it", null, "-hf"),
            OptionSpec.value("--hf-endpoint", "URL", "Hugging Face endpoint (or $HF_ENDPOINT)", "https://huggingface.co"));

    static final List<OptionSpec> SPECS = java.util.stream.Stream.concat(SOURCE.stream(), java.util.stream.Stream.of(
            OptionSpec.value("--threads", "N", "threads for matrix work", "all cores", "-t"),
            OptionSpec.value("--context", "N", "context length in tokens, 0 for the model's own", "4096 or the model's, if smaller", "-c", "--ctx-size")))
            .toList();

    private ModelOptions() {}

    /** The model file: {@code --model}, or the cached (downloaded if needed) file of {@code --hf}. */
    static Path modelPath(Options o) {
        String m = o.string("--model", null);
        String hf = o.string("--hf", null);
        if (m != null && hf != null) {
            throw new VelaException("give either --model or --hf, not both");
        }
        if (hf != null) {
            return HubClient.fromEnvironment(o.string("--hf-endpoint", null)).resolve(HubRef.parse(hf));
        }
        if (m == null) {
            throw new VelaException("no model given: use --model FILE.gguf or --hf OWNER/REPO[:QUANT] (see --help)");
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
