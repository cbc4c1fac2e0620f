package dev.vela.chat;

import dev.vela.VelaException;

import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;

/**
 * Chat formats for GGUF files that carry no {@code tokenizer.chat_template}. Each is written to
 * render exactly what the family's published template renders for a well-formed conversation
 * (alternating user and assistant turns after an optional system message), but none refuses a
 * conversation: roles a format has no place for are skipped rather than raised as errors.
 *
 * <p>{@link #choose} picks a format from the model's architecture and the special tokens its
 * vocabulary holds, first rule that matches:
 * <ol>
 *   <li>{@code llama3}: the vocabulary has {@code <|start_header_id|>} and {@code <|eot_id|>}
 *       (Llama 3.x and its fine-tunes).</li>
 *   <li>{@code chatml}: the vocabulary has {@code <|im_start|>}, or the architecture is a Qwen
 *       one ({@code qwen2}, {@code qwen3}, ...).</li>
 *   <li>{@code gemma}: the architecture starts with {@code gemma}, or the vocabulary has
 *       {@code <start_of_turn>}.</li>
 *   <li>{@code phi3}: the architecture is {@code phi3}, or the vocabulary has both
 *       {@code <|end|>} and {@code <|user|>}.</li>
 *   <li>{@code llama2} ({@code [INST]}) otherwise: the most common format among LLaMA-family
 *       models of the SentencePiece era.</li>
 * </ol>
 * {@code zephyr} (TinyLlama, Zephyr) is never chosen automatically: its markers are plain text in
 * the LLaMA 2 vocabulary, so nothing distinguishes such a model from a LLaMA 2 one; ask for it by
 * name.
 */
public final class BuiltinTemplates {
    private BuiltinTemplates() {}

    /** LLaMA 2 chat: {@code <s>[INST] <<SYS>>...<</SYS>> user [/INST] assistant </s>}. */
    public static final String LLAMA2 = """
            {%- if messages and messages[0]['role'] == 'system' -%}
                {%- set system = messages[0]['content'] -%}
                {%- set loop_messages = messages[1:] -%}
            {%- else -%}
                {%- set system = none -%}
                {%- set loop_messages = messages -%}
            {%- endif -%}
            {%- for message in loop_messages -%}
                {%- if message['role'] == 'user' -%}
                    {%- set content = message['content'] -%}
                    {%- if loop.first and system is not none -%}
                        {%- set content = '<<SYS>>\\n' + system + '\\n<</SYS>>\\n\\n' + content -%}
                    {%- endif -%}
                    {{- bos_token + '[INST] ' + content | trim + ' [/INST]' -}}
                {%- elif message['role'] == 'assistant' -%}
                    {{- ' ' + message['content'] | trim + ' ' + eos_token -}}
                {%- endif -%}
            {%- endfor -%}
            """;

    /** Llama 3: {@code <|start_header_id|>role<|end_header_id|>\n\ncontent<|eot_id|>}. */
    public static final String LLAMA3 = """
            {{- bos_token -}}
            {%- for message in messages -%}
                {{- '<|start_header_id|>' + message['role'] + '<|end_header_id|>\\n\\n' + message['content'] | trim + '<|eot_id|>' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<|start_header_id|>assistant<|end_header_id|>\\n\\n' -}}
            {%- endif -%}
            """;

    /** ChatML (Qwen, SmolLM, many fine-tunes): {@code <|im_start|>role\ncontent<|im_end|>\n}. */
    public static final String CHATML = """
            {%- for message in messages -%}
                {{- '<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<|im_start|>assistant\\n' -}}
            {%- endif -%}
            """;

    /** Zephyr / TinyLlama chat: {@code <|role|>\ncontent</s>\n}. */
    public static final String ZEPHYR = """
            {%- for message in messages -%}
                {{- '<|' + message['role'] + '|>\\n' + message['content'] + eos_token + '\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<|assistant|>\\n' -}}
            {%- endif -%}
            """;

    /**
     * Gemma: {@code <start_of_turn>user\ncontent<end_of_turn>\n}, the assistant called
     * {@code model}; a system message is put in front of the first turn, as Gemma 3 does.
     */
    public static final String GEMMA = """
            {{- bos_token -}}
            {%- if messages and messages[0]['role'] == 'system' -%}
                {%- set prefix = messages[0]['content'] + '\\n\\n' -%}
                {%- set loop_messages = messages[1:] -%}
            {%- else -%}
                {%- set prefix = '' -%}
                {%- set loop_messages = messages -%}
            {%- endif -%}
            {%- for message in loop_messages -%}
                {%- set role = 'model' if message['role'] == 'assistant' else message['role'] -%}
                {{- '<start_of_turn>' + role + '\\n' + (prefix if loop.first else '') + message['content'] | trim + '<end_of_turn>\\n' -}}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<start_of_turn>model\\n' -}}
            {%- endif -%}
            """;

    /** Phi-3: {@code <|role|>\ncontent<|end|>\n}, ending with EOS when no reply is asked for. */
    public static final String PHI3 = """
            {%- for message in messages -%}
                {%- if message['role'] in ['system', 'user', 'assistant'] -%}
                    {{- '<|' + message['role'] + '|>\\n' + message['content'] + '<|end|>\\n' -}}
                {%- endif -%}
            {%- endfor -%}
            {%- if add_generation_prompt -%}
                {{- '<|assistant|>\\n' -}}
            {%- else -%}
                {{- eos_token -}}
            {%- endif -%}
            """;

    /** The names {@link #byName} accepts. */
    public static List<String> names() {
        return List.of("llama2", "llama3", "chatml", "zephyr", "gemma", "phi3");
    }

    public static String byName(String name) {
        return switch (name.toLowerCase(Locale.ROOT)) {
            case "llama2" -> LLAMA2;
            case "llama3" -> LLAMA3;
            case "chatml" -> CHATML;
            case "zephyr" -> ZEPHYR;
            case "gemma" -> GEMMA;
            case "phi3" -> PHI3;
            default -> throw new VelaException("unknown built-in chat format '" + name + "'; known: "
                    + String.join(", ", names()));
        };
    }

    /** The name of the format {@link #choose} picks; the rule is in the class documentation. */
    public static String chooseName(String architecture, Predicate<String> vocabHasToken) {
        String arch = architecture == null ? "" : architecture.toLowerCase(Locale.ROOT);
        if (vocabHasToken.test("<|start_header_id|>") && vocabHasToken.test("<|eot_id|>")) {
            return "llama3";
        }
        if (vocabHasToken.test("<|im_start|>") || arch.startsWith("qwen")) {
            return "chatml";
        }
        if (arch.startsWith("gemma") || vocabHasToken.test("<start_of_turn>")) {
            return "gemma";
        }
        if (arch.equals("phi3") || (vocabHasToken.test("<|end|>") && vocabHasToken.test("<|user|>"))) {
            return "phi3";
        }
        return "llama2";
    }

    /** The template source of the format for a model without a chat template of its own. */
    public static String choose(String architecture, Predicate<String> vocabHasToken) {
        return byName(chooseName(architecture, vocabHasToken));
    }
}
