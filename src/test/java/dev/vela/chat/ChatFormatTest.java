package dev.vela.chat;

import dev.vela.TestData;
import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.tokenizer.Vocabulary;
import org.junit.jupiter.api.Test;

import java.time.LocalDateTime;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ChatFormatTest {
    private static final List<ChatMessage> HELLO = List.of(ChatMessage.system("Be brief."), ChatMessage.user("Hello"));

    @Test
    void usesTheTemplateInTheFileWithItsBosAndEosText() {
        try (GGUFFile f = GGUFFile.open(TestData.model("tiny-llama3vocab-f32.gguf"))) {
            Vocabulary v = Vocabulary.from(f.metadata());
            ChatFormat format = ChatFormat.forModel(f.metadata(), v);
            assertEquals("the model's chat template", format.origin());
            assertEquals("<|begin_of_text|>", format.bosToken());
            assertEquals("<|eot_id|>", format.eosToken());
            String expected = ChatTemplate.parse(f.metadata().getString(ChatFormat.TEMPLATE_KEY))
                    .render(HELLO, true, Map.of("bos_token", "<|begin_of_text|>", "eos_token", "<|eot_id|>"));
            assertEquals(expected, format.render(HELLO, true, ChatTemplate.REFERENCE_NOW));
            assertTrue(expected.startsWith("<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|>"), expected);
        }
    }

    @Test
    void aModelWithoutTemplateGetsTheBuiltinFormatItsVocabularySuggests() {
        try (GGUFFile f = GGUFFile.open(TestData.model("stories260K.gguf"))) {
            ChatFormat format = ChatFormat.forModel(f.metadata(), Vocabulary.from(f.metadata()));
            assertEquals("the built-in llama2 format (the model has no chat template)", format.origin());
            assertEquals("<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHello [/INST]", format.render(HELLO, true, ChatTemplate.REFERENCE_NOW));
        }
    }

    @Test
    void strftimeNowFormatsTheMomentGivenAndTheReferenceDateByDefault() throws Exception {
        String source = java.nio.file.Files.readString(TestData.file("testdata/chat/llama3.2-instruct.jinja"));
        ChatTemplate template = ChatTemplate.parse(source);
        List<ChatMessage> messages = List.of(ChatMessage.user("Hi"));
        Map<String, Object> vars = Map.of("bos_token", "<|begin_of_text|>");
        assertTrue(template.render(messages, true, vars).contains("Today Date: 26 Jul 2024"));
        String rendered = template.render(messages, true, vars, LocalDateTime.of(2031, 3, 5, 9, 30));
        assertTrue(rendered.contains("Today Date: 05 Mar 2031"), rendered);
    }

    @Test
    void aBrokenTemplateIsAOneLineErrorNamingItsOrigin() {
        try (GGUFFile f = GGUFFile.open(TestData.model("stories260K.gguf"))) {
            VelaException e = assertThrows(VelaException.class,
                    () -> ChatFormat.of("{% for m in messages %}\n{{ m }", "mine.jinja", Vocabulary.from(f.metadata())));
            assertTrue(e.getMessage().startsWith("mine.jinja: chat template syntax error"), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }
}
