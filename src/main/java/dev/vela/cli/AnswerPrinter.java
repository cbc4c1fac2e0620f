package dev.vela.cli;

import dev.vela.chat.ChatSession;

import java.io.PrintStream;
import java.util.function.BooleanSupplier;

/**
 * Shows a chat answer as it comes: its text on stdout, token by token; notices and, with
 * {@code --verbose-prompt}, the exact prompt on stderr.
 */
final class AnswerPrinter implements ChatSession.Listener {
    private final PrintStream out;
    private final PrintStream err;
    private final boolean verbosePrompt;
    private final BooleanSupplier stopRequested;

    AnswerPrinter(PrintStream out, PrintStream err, boolean verbosePrompt, BooleanSupplier stopRequested) {
        this.out = out;
        this.err = err;
        this.verbosePrompt = verbosePrompt;
        this.stopRequested = stopRequested;
    }

    @Override
    public boolean text(String piece) {
        out.print(piece);
        out.flush();
        return !stopRequested.getAsBoolean();
    }

    @Override
    public void notice(String line) {
        out.flush();
        err.println(line);
        err.flush();
    }

    /** As llama.cpp's --verbose-prompt: the prompt byte for byte between two marker lines. */
    @Override
    public void prompt(String text) {
        if (verbosePrompt) {
            err.print("--- prompt ---\n" + text + "\n--- end prompt ---\n");
            err.flush();
        }
    }
}
