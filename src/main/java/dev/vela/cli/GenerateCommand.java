package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.generate.Generator;
import dev.vela.model.Model;
import dev.vela.sampling.Sampler;
import dev.vela.sampling.SamplerConfig;
import dev.vela.tensor.Parallel;
import dev.vela.tokenizer.StreamDecoder;
import dev.vela.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The default command: continue a prompt, streaming the text as it is generated. */
final class GenerateCommand implements Command {

    @Override
    public String name() {
        return "generate";
    }

    @Override
    public String summary() {
        return "generate text from a prompt (the default command)";
    }

    @Override
    public String usage() {
        return "java -jar vela.jar [generate] --model M.gguf --prompt TEXT [options]\n"
                + "       java -jar vela.jar --model M.gguf --chat [--system TEXT] [--prompt TEXT] [options]";
    }

    @Override
    public List<OptionSpec> options() {
        List<OptionSpec> o = new ArrayList<>(ModelOptions.SPECS);
        o.add(OptionSpec.value("--prompt", "TEXT", "the prompt to continue (with --chat: the one message to answer)", null, "-p"));
        o.add(OptionSpec.value("--file", "FILE", "read the prompt from a file", null, "-f"));
        o.add(OptionSpec.value("--n-predict", "N", "number of tokens to generate, -1 until end of text or full context", "256; chat: -1", "-n"));
        o.add(OptionSpec.flag("--chat", "chat with the model in its chat format, in the terminal, or for one --prompt"));
        o.add(OptionSpec.value("--system", "TEXT", "the system prompt of the chat", "none"));
        o.add(OptionSpec.value("--chat-template", "FILE", "a Jinja chat template file or built-in format name to use instead of the model's", null));
        o.add(OptionSpec.flag("--verbose-prompt", "write the exact prompt to stderr before generating"));
        o.add(OptionSpec.flag("--no-display-prompt", "print only the generated text, not the prompt"));
        o.add(OptionSpec.flag("--ignore-eos", "keep generating past end-of-sequence tokens"));
        o.addAll(SamplingOptions.SPECS);
        o.add(OptionSpec.flag("--verbose", "print stack traces on errors"));
        return o;
    }

    @Override
    public String notes() {
        return ChatCommand.NOTES;
    }

    @Override
    public int run(Options o, PrintStream out, PrintStream err) {
        return run(o, System.in, out, err);
    }

    @Override
    public int run(Options o, InputStream in, PrintStream out, PrintStream err) {
        if (o.flag("--chat")) {
            return ChatCommand.run(o, o.has("--prompt") || o.has("--file") ? prompt(o) : null, in, out, err);
        }
        for (String chatOnly : List.of("--system", "--chat-template")) {
            if (o.has(chatOnly)) {
                throw new VelaException(chatOnly + " needs --chat");
            }
        }
        String prompt = prompt(o);
        int nPredict = o.integer("--n-predict", 256, -1, Integer.MAX_VALUE);
        SamplerConfig samplerConfig = SamplingOptions.config(o);
        boolean ignoreEos = o.flag("--ignore-eos");
        try (Model model = ModelOptions.load(o, err);
             Parallel pool = new Parallel(ModelOptions.threads(o))) {
            Tokenizer tokenizer = Tokenizer.from(model.file().metadata());
            int[] ids = tokenizer.encode(prompt, true, false);
            if (ids.length == 0) {
                throw new VelaException("the prompt is empty and the model adds no BOS token; give a --prompt");
            }
            int context = ModelOptions.context(o, model.config());
            if (ids.length >= context) {
                throw new VelaException("the prompt is " + ids.length + " tokens, which does not fit in a context of "
                        + context + "; use a larger --context or a shorter prompt");
            }
            Generator gen = new Generator(model.newTransformer(pool, context),
                    new Sampler(samplerConfig, model.config().vocabSize()));
            if (o.flag("--verbose-prompt")) {
                err.print("--- prompt ---\n" + prompt + "\n--- end prompt ---\n");
                err.flush();
            }
            if (!o.flag("--no-display-prompt")) {
                out.print(prompt);
                out.flush();
            }
            gen.ingest(ids);
            StreamDecoder decoder = new StreamDecoder(tokenizer, false);
            Generator.Stop stop = gen.generate(nPredict, t -> !ignoreEos && tokenizer.vocabulary().isEndOfGeneration(t), token -> {
                if (ignoreEos || !tokenizer.vocabulary().isEndOfGeneration(token)) {
                    out.print(decoder.push(token));
                    out.flush();
                }
                return true;
            });
            out.print(decoder.flush());
            out.println();
            out.flush();
            if (stop == Generator.Stop.CONTEXT_FULL) {
                err.println("[context full: " + context + " tokens; use a larger --context to generate more]");
            }
            err.println(gen.stats().report());
        }
        return 0;
    }

    private static String prompt(Options o) {
        if (o.has("--prompt") && o.has("--file")) {
            throw new VelaException("give either --prompt or --file, not both");
        }
        if (o.has("--file")) {
            Path p = Path.of(o.string("--file", null));
            try {
                return Files.readString(p, StandardCharsets.UTF_8);
            } catch (java.nio.file.NoSuchFileException e) {
                throw new VelaException(p + ": no such file");
            } catch (IOException e) {
                throw new VelaException(p + ": cannot read: " + e.getMessage());
            }
        }
        if (o.has("--prompt")) {
            return o.string("--prompt", "");
        }
        if (!o.positionals().isEmpty()) {
            throw new VelaException("unexpected argument '" + o.positionals().getFirst() + "' (the prompt goes after --prompt)");
        }
        return "";
    }
}
