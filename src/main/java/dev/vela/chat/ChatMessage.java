package dev.vela.chat;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * One message of a conversation as a chat template sees it: {@code message.role},
 * {@code message.content}, and any further fields in {@code extra} (for example
 * {@code tool_calls}, {@code tool_call_id} or {@code reasoning_content}), given as plain Java
 * values: String, Number, Boolean, List, Map or null.
 *
 * @param role    "system", "user", "assistant", "tool", ...
 * @param content the text, or null where the template expects None (an assistant turn that only
 *                calls tools)
 * @param extra   further fields, in the order the template should see them
 */
public record ChatMessage(String role, String content, Map<String, Object> extra) {

    public ChatMessage {
        Objects.requireNonNull(role, "role");
        // LinkedHashMap, not Map.copyOf: keeps the order and allows null (None) values
        extra = extra == null || extra.isEmpty() ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(extra));
    }

    public ChatMessage(String role, String content) {
        this(role, content, Map.of());
    }

    public static ChatMessage system(String content) {
        return new ChatMessage("system", content);
    }

    public static ChatMessage user(String content) {
        return new ChatMessage("user", content);
    }

    public static ChatMessage assistant(String content) {
        return new ChatMessage("assistant", content);
    }

    /** The dict the template reads: role, content, then the extra fields. */
    Map<Object, Object> toTemplateValue() {
        Map<Object, Object> m = new LinkedHashMap<>();
        m.put("role", role);
        m.put("content", content);
        extra.forEach((k, v) -> {
            if (!k.equals("role") && !k.equals("content")) {
                m.put(k, TemplateValues.from(v));
            }
        });
        return m;
    }
}
