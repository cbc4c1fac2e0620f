package dev.vela.cli;

import dev.vela.VelaException;
import dev.vela.chat.ChatSession;
import dev.vela.generate.Generator;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * The chat in the terminal: reads a message (a line ending with {@code \} goes on), answers it
 * while streaming, and runs the slash commands. Ctrl-D or {@code /exit} ends it; Ctrl-C only
 * stops the answer being written.
 */
final class ChatLoop {
    static final String PROMPT = "> ";
    static final String CONTINUED = "... ";
    static final String HELP = """
            /help          this list
            /reset         start a new conversation (the system prompt stays)
            /system TEXT   set the system prompt; /system alone removes it
            /stats         context used and speed
            /exit          quit (Ctrl-D too); Ctrl-C stops an answer
            A line ending with \\ continues on the next line; start a message with // to begin it with /.""";

    private final ChatSession session;
    private final int maxTokens;
    private final boolean verbosePrompt;
    private final BufferedReader in;
    private final PrintStream out;
    private final PrintStream err;
    private ChatSession.Reply last;

    ChatLoop(ChatSession session, int maxTokens, boolean verbosePrompt, InputStream in, PrintStream out, PrintStream err) {
        this.session = session;
        this.maxTokens = maxTokens;
        this.verbosePrompt = verbosePrompt;
        this.in = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
        this.out = out;
        this.err = err;
    }

    /** Runs until the input ends or /exit; returns the exit status. */
    int run() {
        try (CtrlC ctrlC = CtrlC.install(this::hintAtPrompt)) {
            while (true) {
                String input = read();
                if (input == null) {
                    out.println();
                    return 0;
                }
                if (input.startsWith("/") && !input.startsWith("//")) {
                    if (!command(input.strip())) {
                        return 0;
                    }
                } else if (!input.isBlank()) {
                    answer(input.startsWith("//") ? input.substring(1) : input, ctrlC);
                }
            }
        }
    }

    private void hintAtPrompt() {
        out.print("\n(Ctrl-D or /exit quits)\n" + PROMPT);
        out.flush();
    }

    /** One message, lines ending with a backslash joined with newlines; null at the end of the input. */
    private String read() {
        out.print(PROMPT);
        out.flush();
        StringBuilder message = new StringBuilder();
        try {
            while (true) {
                String line = in.readLine();
                if (line == null) {
                    return message.isEmpty() ? null : message.toString();
                }
                if (!line.endsWith("\\")) {
                    return message.append(line).toString();
                }
                message.append(line, 0, line.length() - 1).append('\n');
                out.print(CONTINUED);
                out.flush();
            }
        } catch (IOException e) {
            throw new VelaException("cannot read the input: " + e.getMessage());
        }
    }

    private void answer(String message, CtrlC ctrlC) {
        ctrlC.answering(true);
        try {
            last = session.reply(message, maxTokens, new AnswerPrinter(out, err, verbosePrompt, ctrlC::pressed));
            out.println();
            out.flush();
            if (last.stop() == Generator.Stop.CANCELLED) {
                err.println("[answer stopped]");
            }
        } catch (VelaException e) {
            out.flush();
            err.println("error: " + e.getMessage());
        } finally {
            ctrlC.answering(false);
        }
    }

    /** Runs a slash command; false for /exit. */
    private boolean command(String line) {
        String name = line.split("\\s+", 2)[0];
        String argument = line.substring(name.length()).strip();
        switch (name) {
            case "/exit", "/quit" -> {
                return false;
            }
            case "/help" -> out.println(HELP);
            case "/reset" -> {
                session.reset();
                out.println("[new conversation]");
            }
            case "/system" -> {
                session.setSystem(argument);
                out.println(argument.isEmpty() ? "[no system prompt]" : "[system prompt set]");
            }
            case "/stats" -> out.println(stats());
            default -> err.println("unknown command " + name + "; /help lists them");
        }
        return true;
    }

    private String stats() {
        String s = "context: " + session.contextUsed() + " of " + session.contextLength() + " tokens in the cache, "
                + session.conversation().size() + " messages\n";
        if (last != null) {
            s += "last answer: " + last.processedTokens() + " prompt tokens processed, " + last.reusedTokens()
                    + " reused from the cache, " + last.generatedTokens() + " generated\n";
        }
        return s + session.stats().report();
    }
}
