package dev.vela.cli;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/** One subcommand of the {@code vela} program. */
public interface Command {
    String name();

    /** One line for the list of commands in {@code --help}. */
    String summary();

    /** Usage line(s) shown above the options. */
    String usage();

    List<OptionSpec> options();

    /** Runs the command; returns the process exit code. */
    int run(Options options, PrintStream out, PrintStream err);

    /** Runs the command reading {@code in} (only the chat reads its input). */
    default int run(Options options, InputStream in, PrintStream out, PrintStream err) {
        return run(options, out, err);
    }

    /** Text shown in {@code --help} after the options; empty for none. */
    default String notes() {
        return "";
    }
}
