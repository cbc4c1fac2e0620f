package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.tokenizer.Tokenizer;

import java.io.PrintStream;
import java.util.List;
import java.util.StringJoiner;

/** {@code vela tokenize --model M.gguf TEXT}: the token ids, like llama-tokenize. */
final class TokenizeCommand implements Command {
    @Override
    public String name() {
        return "tokenize";
    }

    @Override
    public String summary() {
        return "print the token ids of a text";
    }

    @Override
    public String usage() {
        return "java -jar vela.jar tokenize --model M.gguf [--bos] [--parse-special] TEXT";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                ModelOptions.SOURCE.get(0), ModelOptions.SOURCE.get(1), ModelOptions.SOURCE.get(2),
                OptionSpec.value("--prompt", "TEXT", "the text (or give it as the last argument)", null, "-p"),
                OptionSpec.flag("--bos", "add the beginning-of-sequence token, if the model uses one"),
                OptionSpec.flag("--parse-special", "read special-token text such as <|eot_id|> as those tokens"),
                OptionSpec.flag("--verbose", "print stack traces on errors"));
    }

    @Override
    public int run(Options o, PrintStream out, PrintStream err) {
        String text;
        if (o.has("--prompt")) {
            text = o.string("--prompt", "");
        } else if (o.positionals().size() == 1) {
            text = o.positionals().getFirst();
        } else {
            throw new VelaException(o.positionals().isEmpty() ? "no text to tokenize: give it as the last argument"
                    : "give the text as one argument (quote it)");
        }
        try (GGUFFile f = GGUFFile.open(ModelOptions.modelPath(o))) {
            Tokenizer tokenizer = Tokenizer.from(f.metadata());
            int[] ids = tokenizer.encode(text, o.flag("--bos"), o.flag("--parse-special"));
            StringJoiner j = new StringJoiner(" ");
            for (int id : ids) {
                j.add(Integer.toString(id));
            }
            out.println(j);
        }
        return 0;
    }
}
