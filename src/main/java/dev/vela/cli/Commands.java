package dev.vela.cli;

import dev.vela.VelaException;

import java.io.InputStream;
import java.io.PrintStream;
import java.util.List;

/** The table of commands and the top-level help. */
public final class Commands {
    public static final String VERSION = "0.1.0";

    private Commands() {}

    static List<Command> all() {
        return List.of(new GenerateCommand(), new InfoCommand(), new TokenizeCommand(), new BenchCommand(), new PerplexityCommand(), new PullCommand());
    }

    /** Picks the command named by the first argument (generation when there is none) and runs it. */
    public static int dispatch(String[] args, PrintStream out, PrintStream err) {
        return dispatch(args, System.in, out, err);
    }

    /** As {@link #dispatch(String[], PrintStream, PrintStream)}, with {@code in} as the input of a chat. */
    public static int dispatch(String[] args, InputStream in, PrintStream out, PrintStream err) {
        List<Command> commands = all();
        Command command = commands.getFirst();
        int start = 0;
        if (args.length > 0 && !args[0].startsWith("-")) {
            command = commands.stream().filter(c -> c.name().equals(args[0])).findFirst()
                    .orElseThrow(() -> new VelaException("unknown command '" + args[0] + "'; commands: "
                            + String.join(", ", commands.stream().map(Command::name).toList()) + " (see --help)"));
            start = 1;
        }
        for (int i = start; i < args.length; i++) {
            if (args[i].equals("--")) {
                break;
            }
            if (args[i].equals("-h") || args[i].equals("--help")) {
                out.print(help(command, start == 0));
                return 0;
            }
            if (args[i].equals("--version")) {
                out.println("vela " + VERSION + " (Java " + Runtime.version() + ", " + Simd.describe() + ")");
                return 0;
            }
        }
        return command.run(Options.parse(args, start, command.options()), in, out, err);
    }

    static String help(Command command, boolean top) {
        StringBuilder sb = new StringBuilder();
        if (top) {
            sb.append("vela ").append(VERSION).append(": run LLaMA-family models from GGUF files on the CPU\n\n");
        }
        sb.append("usage: ").append(command.usage()).append("\n\n");
        sb.append("options:\n").append(Options.help(command.options()));
        if (!command.notes().isEmpty()) {
            sb.append('\n').append(command.notes());
        }
        if (top) {
            sb.append("\ncommands (java -jar vela.jar COMMAND --help for their options):\n");
            for (Command c : all()) {
                sb.append("  ").append(String.format("%-12s", c.name())).append(c.summary()).append('\n');
            }
            sb.append("\n  --version    print the version and the SIMD width in use\n");
        }
        return sb.toString();
    }
}
