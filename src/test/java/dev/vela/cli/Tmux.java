package dev.vela.cli;

import dev.vela.TestData;
import org.junit.jupiter.api.Assumptions;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * A program running in a real terminal: a detached tmux session on a server of its own, driven
 * with send-keys and read with capture-pane.
 */
final class Tmux implements AutoCloseable {
    private final String socket = "vela-test-" + ProcessHandle.current().pid() + "-" + System.nanoTime();

    /** Starts {@code shellCommand} in a 160x50 terminal; skips the test when tmux is missing (fails under VELA_REQUIRE_TESTDATA). */
    static Tmux start(String shellCommand) throws Exception {
        if (!available()) {
            if (TestData.required()) {
                fail("tmux is needed for the terminal tests (apt-get install -y tmux)");
            }
            Assumptions.abort("tmux not found: skipping the terminal test (apt-get install -y tmux to run it)");
        }
        Tmux t = new Tmux();
        t.tmux("new-session", "-d", "-x", "160", "-y", "50", "-s", "main", shellCommand);
        return t;
    }

    private static boolean available() {
        try {
            Process p = new ProcessBuilder("tmux", "-V").redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Types text as keys; names such as Enter and C-c are keys too. */
    void send(String... keys) throws Exception {
        List<String> args = new ArrayList<>(List.of("send-keys", "-t", "main"));
        args.addAll(List.of(keys));
        tmux(args.toArray(String[]::new));
    }

    /** Types a line literally (no key names) and presses Enter. */
    void typeLine(String text) throws Exception {
        tmux("send-keys", "-t", "main", "-l", text);
        tmux("send-keys", "-t", "main", "Enter");
    }

    /** What the terminal shows, lines joined as wrapped (-J), trailing blank lines removed. */
    String screen() throws Exception {
        return tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "main").stripTrailing();
    }

    /** Waits until the screen satisfies {@code condition}; fails with the screen after {@code seconds}. */
    String await(String what, int seconds, Predicate<String> condition) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        String screen = screen();
        while (!condition.test(screen)) {
            if (System.nanoTime() > deadline) {
                fail("waited " + seconds + " s for " + what + "; the screen shows:\n" + screen);
            }
            Thread.sleep(200);
            screen = screen();
        }
        return screen;
    }

    private String tmux(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("tmux", "-L", socket));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(20, TimeUnit.SECONDS) || p.exitValue() != 0) {
            fail(String.join(" ", cmd) + " failed: " + out);
        }
        return out;
    }

    @Override
    public void close() throws Exception {
        new ProcessBuilder("tmux", "-L", socket, "kill-server").redirectErrorStream(true).start().waitFor(20, TimeUnit.SECONDS);
    }
}
