package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.generate.Perplexity;
import dev.vela.model.Model;
import dev.vela.model.Transformer;
import dev.vela.tensor.Parallel;
import dev.vela.tokenizer.Tokenizer;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

/** {@code vela perplexity --model M --file TEXT [--context 256]}: how well the model predicts a text, like llama-perplexity. */
final class PerplexityCommand implements Command {
    @Override
    public String name() {
        return "perplexity";
    }

    @Override
    public String summary() {
        return "perplexity of the model on a text file, as llama-perplexity computes it";
    }

    @Override
    public String usage() {
        return "java -jar vela.jar perplexity --model M.gguf --file TEXT.txt [--context 256]";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                ModelOptions.SOURCE.get(0), ModelOptions.SOURCE.get(1), ModelOptions.SOURCE.get(2),
                OptionSpec.value("--file", "FILE", "the text to score", null, "-f"),
                OptionSpec.value("--context", "N", "window length in tokens; each window's second half is scored", "256", "-c", "--ctx-size"),
                OptionSpec.value("--threads", "N", "threads for matrix work", "all cores", "-t"),
                OptionSpec.flag("--verbose", "print stack traces on errors"));
    }

    @Override
    public int run(Options o, PrintStream out, PrintStream err) {
        Path file = Path.of(o.required("--file", "the text file to score"));
        int context = o.integer("--context", 256, 4, 1 << 20);
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            throw new VelaException(file + ": no such file");
        } catch (IOException e) {
            throw new VelaException(file + ": cannot read: " + e.getMessage());
        }
        try (Model model = Model.load(ModelOptions.modelPath(o)); Parallel pool = new Parallel(ModelOptions.threads(o))) {
            Tokenizer tokenizer = Tokenizer.from(model.file().metadata());
            int[] tokens = tokenizer.encode(text, true, false);
            int windows = Perplexity.windows(tokens.length, context);
            if (windows == 0) {
                throw new VelaException(file + " is " + tokens.length + " tokens long, shorter than one window of --context "
                        + context + "; use a smaller --context or a longer text");
            }
            err.printf("perplexity: %d tokens, %d windows of %d, scoring %d tokens per window%n",
                    tokens.length, windows, context, context - 1 - context / 2);
            Transformer t = model.newTransformer(pool, context);
            boolean addsBos = tokenizer.vocabulary().addBos() && tokenizer.vocabulary().bos() >= 0;
            double ppl = Perplexity.compute(t, tokens, context, addsBos ? tokenizer.vocabulary().bos() : -1,
                    (done, total, soFar) -> err.printf("[%d/%d] %.4f%n", done, total, soFar));
            out.printf("PPL = %.4f%n", ppl);
        }
        return 0;
    }
}
