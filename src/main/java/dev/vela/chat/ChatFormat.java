package dev.vela.chat;

import dev.vela.VelaException;
import dev.vela.gguf.Metadata;
import dev.vela.tokenizer.Vocabulary;

import java.time.LocalDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * How a model's conversations become prompt text: a chat template, the text of the model's BOS and
 * EOS tokens (the {@code bos_token} and {@code eos_token} a template reads), and where the
 * template came from, for messages.
 *
 * @param origin "the model's chat template", "the built-in llama2 format", a file name, ...
 */
public record ChatFormat(ChatTemplate template, String bosToken, String eosToken, String origin) {
    public static final String TEMPLATE_KEY = "tokenizer.chat_template";

    /**
     * The model's own {@code tokenizer.chat_template}, or when it has none the built-in format
     * {@link BuiltinTemplates#choose} picks from its architecture and special tokens.
     */
    public static ChatFormat forModel(Metadata metadata, Vocabulary vocabulary) {
        String source = metadata.getString(TEMPLATE_KEY, null);
        if (source != null && !source.isBlank()) {
            return of(source, "the model's chat template", vocabulary);
        }
        String name = BuiltinTemplates.chooseName(metadata.getString("general.architecture", ""),
                text -> vocabulary.id(text) != Vocabulary.NONE);
        return of(BuiltinTemplates.byName(name), "the built-in " + name + " format (the model has no chat template)", vocabulary);
    }

    /** A template given as source text; a syntax error is a one-line error naming {@code origin}. */
    public static ChatFormat of(String source, String origin, Vocabulary vocabulary) {
        ChatTemplate template;
        try {
            template = ChatTemplate.parse(source);
        } catch (VelaException e) {
            throw new VelaException(origin + ": " + e.getMessage());
        }
        return new ChatFormat(template, tokenText(vocabulary, vocabulary.bos()), tokenText(vocabulary, vocabulary.eos()), origin);
    }

    // As llama.cpp: the template's bos_token is the text of the BOS id; an unset token is not passed.
    private static String tokenText(Vocabulary vocabulary, int id) {
        return id == Vocabulary.NONE || id >= vocabulary.size() ? null : vocabulary.token(id);
    }

    /** The prompt text of a conversation, with {@code strftime_now} formatting {@code now}. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, LocalDateTime now) {
        Map<String, Object> vars = new HashMap<>();
        if (bosToken != null) {
            vars.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            vars.put("eos_token", eosToken);
        }
        return template.render(messages, addGenerationPrompt, vars, now);
    }
}
