package dev.vela.tokenizer;

import dev.vela.VelaException;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * How byte-level BPE vocabularies cut text into words before merging, chosen by
 * {@code tokenizer.ggml.pre}: one entry per family, with the names llama.cpp's converter writes for
 * it and the flags llama.cpp sets with it.
 */
enum PreTokenizer {
    /** Llama 3: digits in groups of up to three; a word that is itself a token skips the merges. */
    LLAMA3(List.of("llama-bpe", "llama3", "llama-v3", "falcon3", "pixtral"), true, true, true,
            new Llama3WordSplitter(3)),
    /** Qwen2 / Qwen2.5 / Qwen3 and the DeepSeek-R1 distills of Qwen: the Llama 3 pattern, one digit at a time. */
    QWEN2(List.of("qwen2", "deepseek-r1-qwen"), false, false, false,
            new Llama3WordSplitter(1)),
    /** SmolLM: every digit on its own, then GPT-2's pattern. */
    SMOLLM(List.of("smollm", "command-r"), false, false, false,
            new RegexWordSplitter("\\p{N}"), new Gpt2WordSplitter()),
    /** GPT-2's own pattern. */
    GPT2(List.of("gpt-2", "gpt2", "phi-2", "mpt", "olmo"), false, false, true,
            new Gpt2WordSplitter()),
    /** llama.cpp's fallback for files without a pre-tokenizer name. */
    DEFAULT(List.of("default"), false, false, true,
            new RegexWordSplitter("[\\p{P}\\$\\+<=>\\^~\\|]+"),
            new Gpt2WordSplitter(),
            new RegexWordSplitter("\\p{N}+"),
            new RegexWordSplitter("[0-9][0-9][0-9]"));

    private final List<String> names;
    private final boolean ignoreMerges;
    private final boolean addsBos;
    private final boolean cleansSpaces;
    private final List<WordSplitter> stages;

    PreTokenizer(List<String> names, boolean ignoreMerges, boolean addsBos, boolean cleansSpaces, WordSplitter... stages) {
        this.names = names;
        this.ignoreMerges = ignoreMerges;
        this.addsBos = addsBos;
        this.cleansSpaces = cleansSpaces;
        this.stages = List.of(stages);
    }

    static Optional<PreTokenizer> find(String name) {
        if (name == null || name.isEmpty()) {
            return Optional.of(DEFAULT);
        }
        return Arrays.stream(values()).filter(p -> p.names.contains(name)).findFirst();
    }

    static PreTokenizer forName(String name) {
        return find(name).orElseThrow(() -> new VelaException(
                "tokenizer.ggml.pre = '" + name + "' is a pre-tokenizer Vela does not know yet; supported: "
                        + Arrays.stream(values()).flatMap(p -> p.names.stream()).collect(Collectors.joining(", "))));
    }

    /** Whether a word that is a whole token is taken as is, without running the merges. */
    boolean ignoreMerges() {
        return ignoreMerges;
    }

    /** The add_bos_token default for this family when the file does not say. */
    boolean addsBos() {
        return addsBos;
    }

    /** Whether llama.cpp tidies spaces before punctuation when it detokenizes ({@code clean_spaces}). */
    boolean cleansSpaces() {
        return cleansSpaces;
    }

    /** The words of {@code text}, in order; together they are the whole text. */
    List<String> split(String text) {
        int[] cps = text.codePoints().toArray();
        IntList pieces = new IntList();
        pieces.add(cps.length);
        for (WordSplitter stage : stages) {
            IntList next = new IntList(pieces.size() * 2);
            int start = 0;
            for (int i = 0; i < pieces.size(); i++) {
                int end = start + pieces.get(i);
                stage.split(cps, start, end, next);
                start = end;
            }
            pieces = next;
        }
        String[] words = new String[pieces.size()];
        int start = 0;
        for (int i = 0; i < pieces.size(); i++) {
            words[i] = new String(cps, start, pieces.get(i));
            start += pieces.get(i);
        }
        return Arrays.asList(words);
    }
}
