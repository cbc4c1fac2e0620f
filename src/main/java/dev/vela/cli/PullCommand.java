package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.hub.HubClient;
import dev.vela.hub.HubRef;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;

/** {@code vela pull OWNER/REPO[:QUANT]}: download a model into the cache and print its path. */
final class PullCommand implements Command {
    @Override
    public String name() {
        return "pull";
    }

    @Override
    public String summary() {
        return "download a GGUF model from Hugging Face into the cache, like ollama pull";
    }

    @Override
    public String usage() {
        return "java -jar vela.jar pull OWNER/REPO[:QUANT] [--hf-endpoint URL]";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                ModelOptions.SOURCE.get(2),
                OptionSpec.flag("--verbose", "print stack traces on errors"));
    }

    @Override
    public int run(Options o, PrintStream out, PrintStream err) {
        if (o.positionals().size() != 1) {
            throw new VelaException("pull needs one model: OWNER/REPO[:QUANT], e.g. bartowski/Llama-3.2-1B-Instruct-GGUF:Q8_0");
        }
        Path p = HubClient.fromEnvironment(o.string("--hf-endpoint", null)).resolve(HubRef.parse(o.positionals().getFirst()));
        out.println(p);
        return 0;
    }
}
