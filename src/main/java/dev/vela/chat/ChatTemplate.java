package dev.vela.chat;

import dev.vela.VelaException;

import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A chat template: the Jinja2 text a model publishes as {@code tokenizer.chat_template}, parsed
 * once and rendered for each conversation.
 *
 * <p>Rendering follows what Hugging Face transformers' {@code apply_chat_template} produces,
 * byte for byte: Jinja2 with {@code trim_blocks} and {@code lstrip_blocks}, Python value
 * semantics ({@code True}, {@code None}, whitespace as {@code str.isspace()}), transformers'
 * {@code tojson}, {@code raise_exception} and {@code strftime_now} (which formats the moment the
 * caller passes; by default {@link #REFERENCE_NOW}, 26 July 2024, so that prompts are
 * reproducible, as in the reference prompts). The interpreter implements the subset of
 * Jinja2 chat templates use; see the package documentation for the list.
 *
 * <p>Instances are immutable and safe to share between threads.
 */
public final class ChatTemplate {
    /** The moment {@code strftime_now} formats unless told otherwise: 26 July 2024, 12:00. */
    public static final LocalDateTime REFERENCE_NOW = Globals.FIXED_NOW;

    private final List<Node> body;

    private ChatTemplate(List<Node> body) {
        this.body = body;
    }

    /** Parses template source; a syntax error is a {@link VelaException} naming the line. */
    public static ChatTemplate parse(String source) {
        try {
            return new ChatTemplate(Parser.parse(source));
        } catch (TemplateSyntaxError e) {
            throw new VelaException("chat template syntax error" + (e.line > 0 ? " on line " + e.line : "")
                    + ": " + oneLine(e.getMessage()));
        } catch (StackOverflowError e) {
            throw new VelaException("chat template syntax error: expressions nested too deeply");
        }
    }

    /**
     * Renders a conversation into prompt text.
     *
     * @param messages            the conversation, as {@code messages}
     * @param addGenerationPrompt whether to end with the opening of an assistant turn
     * @param extraVariables      further template variables, typically {@code bos_token} and
     *                            {@code eos_token} (the text of the model's BOS and EOS tokens),
     *                            {@code tools} (a list of tool definitions) and template options such
     *                            as {@code enable_thinking}; values are String, Number, Boolean,
     *                            List, Map or null. {@code tools} and {@code documents} default to
     *                            None, as transformers passes them.
     * @throws VelaException when the template refuses the conversation ({@code raise_exception})
     *                       or fails (an undefined value used in arithmetic, a type error, ...)
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraVariables) {
        return render(messages, addGenerationPrompt, extraVariables, REFERENCE_NOW);
    }

    /**
     * Renders as {@link #render(List, boolean, Map)} does, with {@code strftime_now} formatting
     * {@code now}: a chat passes the real time, tests a fixed one.
     */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, Map<String, Object> extraVariables,
                         LocalDateTime now) {
        Scope root = new Scope(Globals.scope(now));
        root.set("tools", null);
        root.set("documents", null);
        if (extraVariables != null) {
            extraVariables.forEach((k, v) -> root.set(k, TemplateValues.from(v)));
        }
        List<Object> msgs = new ArrayList<>(messages.size());
        for (ChatMessage m : messages) {
            msgs.add(m.toTemplateValue());
        }
        root.set("messages", msgs);
        root.set("add_generation_prompt", addGenerationPrompt);
        Interpreter interpreter = new Interpreter();
        try {
            return interpreter.render(body, root);
        } catch (TemplateError e) {
            if (e.raised) {
                throw new VelaException("the chat template rejected the conversation: " + oneLine(e.getMessage()));
            }
            throw new VelaException("chat template error on line " + interpreter.line() + ": " + oneLine(e.getMessage()));
        } catch (StackOverflowError e) {
            throw new VelaException("chat template error on line " + interpreter.line() + ": nested too deeply");
        }
    }

    /** Renders with only {@code bos_token} and {@code eos_token} as extra variables. */
    public String render(List<ChatMessage> messages, boolean addGenerationPrompt, String bosToken, String eosToken) {
        Map<String, Object> vars = new java.util.HashMap<>();
        if (bosToken != null) {
            vars.put("bos_token", bosToken);
        }
        if (eosToken != null) {
            vars.put("eos_token", eosToken);
        }
        return render(messages, addGenerationPrompt, vars);
    }

    // Messages may quote template text; VelaException promises a single line.
    private static String oneLine(String message) {
        return message.replaceAll("\\s*[\\r\\n]+\\s*", " ");
    }
}
