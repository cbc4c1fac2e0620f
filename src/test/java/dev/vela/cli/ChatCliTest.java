package dev.vela.cli;

import dev.vela.Main;
import dev.vela.TestData;
import dev.vela.chat.ChatFormat;
import dev.vela.chat.ChatMessage;
import dev.vela.chat.ChatTemplate;
import dev.vela.gguf.GGUFFile;
import dev.vela.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code --chat} run in-process: one answer for scripts, the exact prompt, templates, the loop's commands. */
class ChatCliTest {
    record Result(int exit, String out, String err) {}

    static Result vela(String input, String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int exit = Main.run(args, new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
                new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Result(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static String model(String name) {
        return TestData.model(name).toString();
    }

    /** What the model's own format renders for a system prompt and one message. */
    static String rendered(String modelName, String system, String message) {
        try (GGUFFile f = GGUFFile.open(TestData.model(modelName))) {
            ChatFormat format = ChatFormat.forModel(f.metadata(), Vocabulary.from(f.metadata()));
            return format.render(List.of(ChatMessage.system(system), ChatMessage.user(message)), true, ChatTemplate.REFERENCE_NOW);
        }
    }

    static String framed(String prompt) {
        return "--- prompt ---\n" + prompt + "\n--- end prompt ---\n";
    }

    @ParameterizedTest
    @ValueSource(strings = {"tiny-llama3vocab-f32.gguf", "tiny-qwen2vocab-q4_0.gguf", "tiny-phi3vocab-q8_0.gguf", "stories260K.gguf"})
    void oneMessagePrintsOnlyTheAnswerAndTheExactPrompt(String modelName) {
        String[] args = {"--model", model(modelName), "--chat", "--system", "Be brief.", "--prompt", "Hello there",
                "-n", "12", "--temp", "0", "--verbose-prompt"};
        Result r = vela("", args);
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith(framed(rendered(modelName, "Be brief.", "Hello there"))), r.err());
        assertTrue(r.err().matches("(?s).*generation: +\\d+ tokens.*"), r.err());
        assertTrue(r.out().endsWith("\n") && !r.out().strip().isEmpty(), r.out());
        assertFalse(r.out().contains(ChatLoop.PROMPT) || r.out().contains("Hello there"), "only the answer: " + r.out());
        assertEquals(r.out(), vela("", args).out(), "greedy answers repeat");
    }

    @Test
    void withoutVerbosePromptStderrHasNoPrompt() {
        Result r = vela("", "--model", model("stories260K.gguf"), "--chat", "-p", "Hi", "-n", "4", "--temp", "0");
        assertEquals(0, r.exit(), r.err());
        assertFalse(r.err().contains("--- prompt ---"), r.err());
    }

    @Test
    void aModelWithoutTemplateChatsInTheBuiltinLlama2Format() {
        Result r = vela("/exit\n", "--model", model("stories260K.gguf"), "--chat");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("in the built-in llama2 format (the model has no chat template)"), r.err());
        r = vela("", "--model", model("stories260K.gguf"), "--chat", "-p", "Hi", "-n", "2", "--verbose-prompt");
        assertTrue(r.err().startsWith(framed("<s>[INST] Hi [/INST]")), r.err());
    }

    @Test
    void chatTemplateFromAFileOrByName(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("mine.jinja");
        Files.writeString(file, "{% for m in messages %}<{{ m.role }}:{{ m.content }}>{% endfor %}"
                + "{{ strftime_now('%Y-%m-%d') }}{% if add_generation_prompt %}<assistant:{% endif %}");
        String before = LocalDate.now().toString();
        Result r = vela("", "--model", model("tiny-llama3vocab-f32.gguf"), "--chat", "--chat-template", file.toString(),
                "-p", "Hi", "-n", "2", "--verbose-prompt");
        String after = LocalDate.now().toString();
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().startsWith(framed("<user:Hi>" + before + "<assistant:"))
                || r.err().startsWith(framed("<user:Hi>" + after + "<assistant:")), "today's date, not a fixed one: " + r.err());

        r = vela("", "--model", model("tiny-llama3vocab-f32.gguf"), "--chat", "--chat-template", "chatml", "-p", "Hi", "-n", "2", "--verbose-prompt");
        assertTrue(r.err().startsWith(framed("<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n")), r.err());
    }

    @Test
    void aMissingOrBrokenTemplateFileIsAOneLineError(@TempDir Path tmp) throws Exception {
        Result r = vela("", "--model", model("stories260K.gguf"), "--chat", "--chat-template", tmp.resolve("none.jinja").toString(), "-p", "Hi");
        assertEquals(1, r.exit());
        assertEquals("error: " + tmp.resolve("none.jinja") + ": no such file (--chat-template takes a Jinja template file or a built-in format: "
                + "llama2, llama3, chatml, zephyr, gemma, phi3)", r.err().strip());
        Path broken = tmp.resolve("broken.jinja");
        Files.writeString(broken, "{% for m in messages %}\n{{ m.content }\n");
        r = vela("", "--model", model("stories260K.gguf"), "--chat", "--chat-template", broken.toString(), "-p", "Hi");
        assertEquals(1, r.exit());
        assertTrue(r.err().startsWith("error: " + broken + ": chat template syntax error on line 2"), r.err());
        assertEquals(1, r.err().strip().lines().count(), r.err());
    }

    @Test
    void aConversationTheTemplateRejectsIsAnErrorLineAndTheChatGoesOn(@TempDir Path tmp) throws Exception {
        Path file = tmp.resolve("picky.jinja");
        Files.writeString(file, "{% if messages[-1].content == 'bad' %}{{ raise_exception('no bad words') }}{% endif %}"
                + "{% for m in messages %}{{ m.content }}{% endfor %}");
        Result r = vela("bad\nfine\n/stats\n", "--model", model("stories260K.gguf"), "--chat", "--chat-template", file.toString(), "-n", "3");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.err().contains("error: the chat template rejected the conversation: no bad words\n"), r.err());
        assertTrue(r.out().contains("context: ") && r.out().contains(" 2 messages"), "the rejected message is not kept: " + r.out());
    }

    @Test
    void chatOptionsNeedChat() {
        Result r = vela("", "--model", model("stories260K.gguf"), "--system", "x", "-p", "Hi");
        assertEquals(1, r.exit());
        assertEquals("error: --system needs --chat", r.err().strip());
    }

    @Test
    void theLoopAnswersRunsCommandsAndQuitsAtTheEndOfInput() {
        String input = String.join("\n", "Hello", "/stats", "Tell me \\", "more", "/system Be nice.", "/help", "/bogus",
                "/reset", "/stats", "");
        Result r = vela(input, "--model", model("tiny-llama3vocab-f32.gguf"), "--chat", "-n", "6", "--temp", "0", "--verbose-prompt");
        assertEquals(0, r.exit(), r.err());
        assertTrue(r.out().startsWith(ChatLoop.PROMPT), r.out());
        assertTrue(r.out().contains("last answer: "), r.out());
        assertTrue(r.out().contains(ChatLoop.CONTINUED), "a continued line: " + r.out());
        assertTrue(r.err().contains("<|start_header_id|>user<|end_header_id|>\n\nTell me \nmore<|eot_id|>"), "joined lines: " + r.err());
        assertTrue(r.out().contains("[system prompt set]") && r.out().contains("/reset ") && r.out().contains("[new conversation]"), r.out());
        assertTrue(r.err().contains("unknown command /bogus; /help lists them"), r.err());
        assertTrue(r.out().contains("1 messages"), "after /reset only the system prompt: " + r.out());
        assertTrue(r.out().endsWith(ChatLoop.PROMPT + "\n"), "end of input ends the chat: " + r.out());
    }

    @Test
    void secondTurnProcessesOnlyItsNewTokens() {
        Result r = vela("Hello\n/stats\nAgain\n/stats\n/exit\n", "--model", model("tiny-llama3vocab-f32.gguf"), "--chat", "-n", "6", "--temp", "0");
        assertEquals(0, r.exit(), r.err());
        List<String> lines = r.out().lines().filter(l -> l.startsWith("last answer:")).toList();
        assertEquals(2, lines.size(), r.out());
        assertTrue(lines.get(0).matches("last answer: \\d+ prompt tokens processed, 0 reused from the cache, 6 generated"), lines.get(0));
        int firstPrompt = Integer.parseInt(lines.get(0).split(" ")[2]);
        assertTrue(lines.get(1).matches("last answer: \\d+ prompt tokens processed, " + (firstPrompt + 6) + " reused from the cache, 6 generated"), lines.get(1));
    }

    @Test
    void helpDocumentsTheChat() {
        Result r = vela("", "--help");
        for (String s : List.of("--chat", "--system", "--chat-template", "--verbose-prompt", "/reset", "/system TEXT", "/stats", "/exit", "llama2")) {
            assertTrue(r.out().contains(s), "help mentions " + s);
        }
    }
}
