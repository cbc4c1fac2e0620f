package dev.vela.chat;

import dev.vela.util.Json;
import dev.vela.VelaException;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class BuiltinTemplatesTest {

    @Test
    void choosesByVocabularyAndArchitecture() {
        assertEquals("llama3", BuiltinTemplates.chooseName("llama",
                Set.of("<|start_header_id|>", "<|eot_id|>", "<|begin_of_text|>")::contains));
        assertEquals("chatml", BuiltinTemplates.chooseName("llama", Set.of("<|im_start|>", "<|im_end|>")::contains));
        assertEquals("chatml", BuiltinTemplates.chooseName("qwen2", t -> false));
        assertEquals("gemma", BuiltinTemplates.chooseName("gemma2", t -> false));
        assertEquals("gemma", BuiltinTemplates.chooseName("llama", Set.of("<start_of_turn>")::contains));
        assertEquals("phi3", BuiltinTemplates.chooseName("phi3", t -> false));
        assertEquals("phi3", BuiltinTemplates.chooseName("llama", Set.of("<|end|>", "<|user|>")::contains));
        assertEquals("llama2", BuiltinTemplates.chooseName("llama", Set.of("<|user|>")::contains));
        assertEquals("llama2", BuiltinTemplates.chooseName(null, t -> false));
        assertEquals(BuiltinTemplates.LLAMA3, BuiltinTemplates.choose("llama",
                Set.of("<|start_header_id|>", "<|eot_id|>")::contains));
    }

    @Test
    void everyBuiltinParsesAndUnknownNamesAreRefused() {
        for (String name : BuiltinTemplates.names()) {
            ChatTemplate.parse(BuiltinTemplates.byName(name));
        }
        VelaException e = assertThrows(VelaException.class, () -> BuiltinTemplates.byName("vicuna"));
        assertTrue(e.getMessage().contains("chatml"), e.getMessage());
    }

    @Test
    void builtinsDoNotRefuseOddConversations() {
        List<ChatMessage> odd = List.of(ChatMessage.system("S"), ChatMessage.user("a"), ChatMessage.user("b"),
                new ChatMessage("tool", "42"));
        for (String name : BuiltinTemplates.names()) {
            ChatTemplate.parse(BuiltinTemplates.byName(name)).render(odd, true, "<s>", "</s>");
        }
    }

    /**
     * Each built-in renders what the published template of its family renders, for every
     * reference conversation that template accepts (ChatML: those that start with a system
     * message and have no tools, since Qwen and SmolLM add a default system prompt).
     */
    @Test
    @SuppressWarnings("unchecked")
    void matchesThePublishedTemplates() throws IOException {
        Map<String, String> familyOf = Map.of(
                "llama2", "llama2-chat", "llama3", "llama3-instruct", "chatml", "qwen2.5-instruct",
                "zephyr", "tinyllama-chat", "gemma", "gemma3-it", "phi3", "phi3-mini");
        Set<String> chatmlConversations = Set.of("system-user", "multi-turn", "empty-system");
        Map<String, Object> families = (Map<String, Object>) Json.parse(ReferencePromptsTest.read("families.json"));
        Map<String, Map<String, Object>> conversations = new HashMap<>();
        for (Object c : (List<Object>) Json.parse(ReferencePromptsTest.read("conversations.json"))) {
            conversations.put((String) ((Map<String, Object>) c).get("id"), (Map<String, Object>) c);
        }
        int compared = 0;
        for (Object o : (List<Object>) Json.parse(ReferencePromptsTest.read("expected/manifest.json"))) {
            Map<String, Object> entry = (Map<String, Object>) o;
            for (String builtin : BuiltinTemplates.names()) {
                String conversationId = (String) entry.get("conversation");
                if (!familyOf.get(builtin).equals(entry.get("family")) || !entry.get("outcome").equals("text")
                        || (builtin.equals("chatml") && !chatmlConversations.contains(conversationId))) {
                    continue;
                }
                Map<String, Object> family = (Map<String, Object>) families.get(familyOf.get(builtin));
                List<ChatMessage> messages = new ArrayList<>();
                for (Object m : (List<Object>) conversations.get(conversationId).get("messages")) {
                    Map<String, Object> fields = (Map<String, Object>) m;
                    messages.add(new ChatMessage((String) fields.get("role"), (String) fields.get("content")));
                }
                String rendered = ChatTemplate.parse(BuiltinTemplates.byName(builtin)).render(messages,
                        (Boolean) entry.get("add_generation_prompt"),
                        (String) family.get("bos_token"), (String) family.get("eos_token"));
                assertEquals(ReferencePromptsTest.read((String) entry.get("file")), rendered,
                        builtin + " on " + entry.get("file"));
                compared++;
            }
        }
        assertEquals(9 * 5 + 4, compared, "renderings compared");
    }
}
