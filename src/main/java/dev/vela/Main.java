package dev.vela;

import dev.vela.cli.Command;
import dev.vela.cli.Commands;
import dev.vela.cli.Relauncher;

import java.io.InputStream;
import java.io.PrintStream;

/** Entry point: {@code java -jar vela.jar [COMMAND] [OPTIONS]}. */
public final class Main {
    private Main() {}

    public static void main(String[] args) {
        if (!Relauncher.vectorModuleLoaded()) {
            System.exit(Relauncher.relaunch(Main.class, args));
        }
        System.exit(run(args, System.in, System.out, System.err));
    }

    /** Runs one command and returns its exit status; user errors are one line on {@code err}. */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        return run(args, System.in, out, err);
    }

    /** As {@link #run(String[], PrintStream, PrintStream)}, with {@code in} as what a chat reads. */
    public static int run(String[] args, InputStream in, PrintStream out, PrintStream err) {
        boolean verbose = false;
        for (String a : args) {
            verbose |= a.equals("--verbose");
        }
        try {
            return Commands.dispatch(args, in, out, err);
        } catch (VelaException e) {
            err.println("error: " + e.getMessage());
            if (verbose) {
                e.printStackTrace(err);
            }
            return 1;
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory (" + e.getMessage() + "); try a smaller --context, or give Java more memory with -Xmx");
            return 1;
        } catch (RuntimeException | StackOverflowError e) {
            err.println("error: internal error: " + e + (verbose ? "" : " (run with --verbose for the stack trace)"));
            if (verbose) {
                e.printStackTrace(err);
            }
            return 2;
        }
    }
}
