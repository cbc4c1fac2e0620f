package dev.vela.cli;

import dev.vela.TestData;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code java -jar target/vela.jar --chat} in a real terminal (tmux), typed at as a person would. */
class ChatTerminalIT {
    private static final String EXIT_MARK = "VELA-EXIT=";

    /** The chat command in a shell that reports its exit status and keeps the screen open. */
    static String chat(String model, String... options) {
        Path jar = Path.of("target", "vela.jar").toAbsolutePath();
        assertTrue(Files.exists(jar), "target/vela.jar must exist (run mvn verify)");
        StringBuilder sb = new StringBuilder();
        sb.append(quote(Path.of(System.getProperty("java.home"), "bin", "java").toString())).append(" -jar ").append(quote(jar.toString()))
                .append(" --model ").append(quote(TestData.model(model).toString())).append(" --chat");
        for (String o : options) {
            sb.append(' ').append(quote(o));
        }
        return sb.append("; echo ").append(EXIT_MARK).append("$?; sleep 600").toString();
    }

    private static String quote(String s) {
        return "'" + s.replace("'", "'\\''") + "'";
    }

    /** Lines that are the chat's prompt marker, with or without what was typed after it. */
    static long prompts(String screen) {
        return screen.lines().filter(l -> l.startsWith(">")).count();
    }

    static boolean waitingForInput(String screen, long promptsBefore) {
        List<String> lines = screen.lines().toList();
        return prompts(screen) > promptsBefore && !lines.isEmpty() && lines.getLast().equals(">");
    }

    @Test
    void twoTurnsThenResetThenExit() throws Exception {
        try (Tmux t = Tmux.start(chat("tiny-llama3vocab-f32.gguf", "-n", "8", "--temp", "0"))) {
            String screen = t.await("the first prompt", 60, s -> waitingForInput(s, 0));
            assertTrue(screen.contains("chat with tiny-llama3vocab-f32.gguf in the model's chat template"), screen);

            t.typeLine("Hello there");
            screen = t.await("the first answer", 60, s -> waitingForInput(s, 1));
            assertTrue(answerAfter(screen, "> Hello there"), screen);

            t.typeLine("What next?");
            screen = t.await("the second answer", 60, s -> waitingForInput(s, 2));
            assertTrue(answerAfter(screen, "> What next?"), screen);

            t.typeLine("/reset");
            screen = t.await("the reset notice", 30, s -> s.contains("[new conversation]") && waitingForInput(s, 3));

            t.typeLine("/stats");
            screen = t.await("the stats", 30, s -> s.contains("0 messages") && waitingForInput(s, 4));

            t.typeLine("/exit");
            screen = t.await("the exit", 30, s -> s.contains(EXIT_MARK));
            assertTrue(screen.contains(EXIT_MARK + "0"), screen);
            assertFalse(screen.contains("error"), screen);
        }
    }

    @Test
    void ctrlCStopsTheAnswerAndCtrlDQuits() throws Exception {
        try (Tmux t = Tmux.start(chat("tiny-llama3vocab-f32.gguf", "-n", "-1", "--temp", "0"))) {
            t.await("the first prompt", 60, s -> waitingForInput(s, 0));
            t.typeLine("Write a long story");
            // An answer without a limit runs for the whole context (about a minute here): stop it early.
            t.await("the answer to start", 60, s -> s.lines().dropWhile(l -> !l.startsWith("> Write")).skip(1)
                    .anyMatch(l -> !l.isBlank()));
            t.send("C-c");
            String screen = t.await("the stopped answer", 30, s -> s.contains("[answer stopped]") && waitingForInput(s, 1));

            t.send("C-c");
            screen = t.await("the hint at the prompt", 30, s -> s.contains("(Ctrl-D or /exit quits)"));
            t.send("C-d");
            screen = t.await("the exit", 30, s -> s.contains(EXIT_MARK));
            assertTrue(screen.contains(EXIT_MARK + "0"), screen);
            assertEquals(1, screen.lines().filter(l -> l.contains("[answer stopped]")).count(), screen);
        }
    }

    /** Whether the line typed is followed by an answer: some text before the next prompt. */
    static boolean answerAfter(String screen, String typed) {
        List<String> lines = screen.lines().toList();
        int at = lines.indexOf(typed);
        return at >= 0 && at + 1 < lines.size() && !lines.get(at + 1).startsWith(">") && !lines.get(at + 1).isBlank();
    }
}
