package dev.vela.chat;

import dev.vela.util.Json;
import dev.vela.TestData;
import dev.vela.VelaException;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every (template, conversation) pair of testdata/chat/expected/manifest.json, rendered and
 * compared byte for byte with what transformers produced, or checked to fail as it did.
 */
class ReferencePromptsTest {

    static String read(String relative) throws IOException {
        return Files.readString(TestData.file("testdata/chat/" + relative), StandardCharsets.UTF_8);
    }

    @SuppressWarnings("unchecked")
    static Stream<Arguments> renderings() throws IOException {
        List<Object> manifest = (List<Object>) Json.parse(read("expected/manifest.json"));
        List<Arguments> cases = new ArrayList<>();
        for (Object o : manifest) {
            Map<String, Object> entry = (Map<String, Object>) o;
            String name = entry.get("family") + " / " + entry.get("conversation")
                    + (Boolean.TRUE.equals(entry.get("add_generation_prompt")) ? "" : " (no generation prompt)");
            cases.add(Arguments.of(Named.of(name, entry)));
        }
        return cases.stream();
    }

    @SuppressWarnings("unchecked")
    @ParameterizedTest(name = "{0}")
    @MethodSource("renderings")
    void rendersLikeTransformers(Map<String, Object> entry) throws IOException {
        Map<String, Object> families = (Map<String, Object>) Json.parse(read("families.json"));
        Map<String, Object> family = (Map<String, Object>) families.get((String) entry.get("family"));
        Map<String, Object> conversation = null;
        for (Object c : (List<Object>) Json.parse(read("conversations.json"))) {
            if (((Map<String, Object>) c).get("id").equals(entry.get("conversation"))) {
                conversation = (Map<String, Object>) c;
            }
        }
        List<ChatMessage> messages = new ArrayList<>();
        for (Object m : (List<Object>) conversation.get("messages")) {
            Map<String, Object> fields = new HashMap<>((Map<String, Object>) m);
            String role = (String) fields.remove("role");
            String content = (String) fields.remove("content");
            messages.add(new ChatMessage(role, content, fields));
        }
        Map<String, Object> vars = new HashMap<>();
        // a token the model's config leaves null is not passed at all
        if (family.get("bos_token") != null) {
            vars.put("bos_token", family.get("bos_token"));
        }
        if (family.get("eos_token") != null) {
            vars.put("eos_token", family.get("eos_token"));
        }
        if (conversation.containsKey("tools")) {
            vars.put("tools", conversation.get("tools"));
        }
        ChatTemplate template = ChatTemplate.parse(read((String) family.get("template")));
        boolean addGenerationPrompt = (Boolean) entry.get("add_generation_prompt");
        String expected = read((String) entry.get("file"));

        if (entry.get("outcome").equals("error")) {
            VelaException e = assertThrows(VelaException.class,
                    () -> template.render(messages, addGenerationPrompt, vars));
            assertTrue(e.getMessage().contains(expected.strip()),
                    "the error should carry the template's message '" + expected.strip() + "', got: " + e.getMessage());
            assertTrue(e.getMessage().lines().count() == 1, "one-line message: " + e.getMessage());
        } else {
            assertEquals(expected, template.render(messages, addGenerationPrompt, vars));
        }
    }
}
