package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.chat.BuiltinTemplates;
import dev.vela.chat.ChatFormat;
import dev.vela.chat.ChatSession;
import dev.vela.generate.Generator;
import dev.vela.gguf.Metadata;
import dev.vela.model.Model;
import dev.vela.sampling.Sampler;
import dev.vela.tensor.Parallel;
import dev.vela.tokenizer.Tokenizer;
import dev.vela.tokenizer.Vocabulary;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.Locale;

/**
 * {@code --chat}: talk with the model through its chat format, either in the terminal
 * ({@link ChatLoop}) or, with a message from {@code --prompt}/{@code --file}, for one answer
 * printed alone on stdout (for scripts).
 */
final class ChatCommand {
    static final String NOTES = """
            chat (--chat): type a message and press Enter; a line ending with \\ continues on the next line.
              /help             the commands
              /reset            start a new conversation (the system prompt stays)
              /system TEXT      set the system prompt (no TEXT: none)
              /stats            context used and speed
              /exit             quit; so does Ctrl-D. Ctrl-C stops the answer being written.
            The prompt format is the model's tokenizer.chat_template. A model without one gets a built-in
            format chosen from its special tokens and architecture: llama3 (<|start_header_id|> and <|eot_id|>),
            chatml (<|im_start|>, or a qwen architecture), gemma (gemma architecture or <start_of_turn>),
            phi3 (phi3 architecture, or <|end|> and <|user|>), otherwise llama2 ([INST]).
            --chat-template takes a Jinja file or one of those names (also zephyr).
            """;

    private ChatCommand() {}

    /** @param message the one message to answer, or null for the interactive chat */
    static int run(Options o, String message, InputStream in, PrintStream out, PrintStream err) {
        if (o.flag("--ignore-eos")) {
            throw new VelaException("--ignore-eos does not go with --chat: an answer ends at the end of its turn");
        }
        int nPredict = o.integer("--n-predict", -1, -1, Integer.MAX_VALUE);
        try (Model model = ModelOptions.load(o, err);
             Parallel pool = new Parallel(ModelOptions.threads(o))) {
            Metadata metadata = model.file().metadata();
            Tokenizer tokenizer = Tokenizer.from(metadata);
            ChatFormat format = format(o, metadata, tokenizer.vocabulary());
            Sampler sampler = new Sampler(SamplingOptions.config(o), model.config().vocabSize());
            Generator generator = new Generator(model.newTransformer(pool, ModelOptions.context(o, model.config())), sampler);
            ChatSession session = new ChatSession(generator, tokenizer, format, LocalDateTime::now);
            session.setSystem(o.string("--system", null));
            boolean verbosePrompt = o.flag("--verbose-prompt");
            if (message != null) {
                session.reply(message, nPredict, new AnswerPrinter(out, err, verbosePrompt, () -> false));
                out.println();
                out.flush();
                err.println(session.stats().report());
                return 0;
            }
            err.println("chat with " + model.file().path().getFileName() + " in " + format.origin()
                    + ", context " + session.contextLength() + " tokens");
            err.println("/help lists the commands; Ctrl-C stops an answer; Ctrl-D or /exit quits");
            return new ChatLoop(session, nPredict, verbosePrompt, in, out, err).run();
        }
    }

    /** --chat-template's file or built-in name, else the model's own template or the built-in fallback. */
    static ChatFormat format(Options o, Metadata metadata, Vocabulary vocabulary) {
        String value = o.string("--chat-template", null);
        if (value == null) {
            return ChatFormat.forModel(metadata, vocabulary);
        }
        Path path = Path.of(value);
        String name = value.toLowerCase(Locale.ROOT);
        if (!Files.exists(path) && BuiltinTemplates.names().contains(name)) {
            return ChatFormat.of(BuiltinTemplates.byName(name), "the built-in " + name + " format", vocabulary);
        }
        try {
            return ChatFormat.of(Files.readString(path, StandardCharsets.UTF_8), path.toString(), vocabulary);
        } catch (NoSuchFileException e) {
            throw new VelaException(path + ": no such file (--chat-template takes a Jinja template file or a built-in format: "
                    + String.join(", ", BuiltinTemplates.names()) + ")");
        } catch (CharacterCodingException e) {
            throw new VelaException(path + ": not UTF-8 text");
        } catch (IOException e) {
            throw new VelaException(path + ": cannot read: " + e.getMessage());
        }
    }
}
