package dev.vela.tokenizer;

import dev.vela.VelaException;
import dev.vela.gguf.Metadata;

import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The tokenizer's vocabulary as a GGUF file stores it under {@code tokenizer.ggml.*}: pieces, scores,
 * types, merges, special ids and flags, completed with the defaults and fix-ups llama.cpp applies on
 * load, so that every tokenizer sees the same facts llama.cpp's does. Immutable.
 */
public final class Vocabulary {
    /** An id that is not set. */
    public static final int NONE = -1;

    static final String MODEL_SENTENCE_PIECE = "llama";
    static final String MODEL_BYTE_PAIR = "gpt2";

    /**
     * Texts that end a turn. llama.cpp finds these by text because converters do not always record
     * them in the metadata; a model emits one of them when it is done.
     */
    private static final List<String> END_OF_TURN_TEXTS = List.of(
            "<|eot_id|>", "<|im_end|>", "<|end|>", "<end_of_turn>", "<|endoftext|>", "<|end_of_text|>",
            "<EOT>", "_<EOT>", "<｜end▁of▁sentence｜>", "<end_of_utterance>");
    private static final String END_OF_MESSAGE_TEXT = "<|eom_id|>";
    /** Fill-in-the-middle padding, repository and file separators also stop generation in llama.cpp. */
    private static final List<String> FIM_STOP_TEXTS = List.of(
            "<|fim_pad|>", "<fim-pad>", "<fim_pad>", "<PAD>",
            "<|fim_repo|>", "<|repo_name|>", "<fim-repo>", "<REPO>", "<reponame>",
            "<|file_sep|>");
    /** Phi-3 special tokens that keep the whitespace after them (all others get rstrip). */
    private static final Set<String> PHI3_NO_RSTRIP = Set.of("<unk>", "<s>", "<|endoftext|>");

    private final String model;
    private final String pre;
    private final String[] tokens;
    private final float[] scores;
    private final TokenType[] types;
    private final Map<String, Integer> ids;
    private final String[] merges;
    private final int bos;
    private final int eos;
    private final int eot;
    private final int eom;
    private final int unk;
    private final int pad;
    private final boolean addBos;
    private final boolean addEos;
    private final boolean addSpacePrefix;
    private final Set<Integer> endOfGeneration;
    private final BitSet rstrip;

    private Vocabulary(Builder b) {
        this.model = b.model;
        this.pre = b.pre;
        this.tokens = b.tokens;
        this.scores = b.scores;
        this.types = b.types;
        this.ids = b.ids;
        this.merges = b.merges;
        this.bos = b.bos;
        this.eos = b.eos;
        this.eot = b.eot;
        this.eom = b.eom;
        this.unk = b.unk;
        this.pad = b.pad;
        this.addBos = b.addBos;
        this.addEos = b.addEos;
        this.addSpacePrefix = b.addSpacePrefix;
        this.endOfGeneration = Collections.unmodifiableSet(b.endOfGeneration);
        this.rstrip = b.rstrip;
    }

    /** Reads the vocabulary of a GGUF file's metadata. */
    public static Vocabulary from(Metadata md) {
        Builder b = new Builder();
        b.model = md.getString("tokenizer.ggml.model");
        b.pre = md.getString("tokenizer.ggml.pre", "");
        boolean sentencePiece = b.model.equals(MODEL_SENTENCE_PIECE);
        boolean bytePair = b.model.equals(MODEL_BYTE_PAIR);

        b.tokens = md.getStringArray("tokenizer.ggml.tokens");
        int n = b.tokens.length;
        if (n == 0) {
            throw new VelaException("the vocabulary 'tokenizer.ggml.tokens' is empty");
        }
        b.scores = readScores(md, n);
        b.types = readTypes(md, n);
        b.ids = new HashMap<>(n * 2);
        for (int i = 0; i < n; i++) {
            if (b.tokens[i].isEmpty()) {
                b.tokens[i] = "[EMPTY_" + i + "]"; // llama.cpp's name, so that every id has a distinct text
            }
            Integer previous = b.ids.putIfAbsent(b.tokens[i], i);
            if (previous != null) {
                throw new VelaException("duplicate token in vocabulary: '" + b.tokens[i] + "' has ids " + previous + " and " + i);
            }
        }
        b.merges = bytePair && md.has("tokenizer.ggml.merges") ? md.getStringArray("tokenizer.ggml.merges") : new String[0];

        // llama.cpp's defaults per tokenizer model, before the metadata overrides them.
        b.bos = sentencePiece ? 1 : NONE;
        b.eos = sentencePiece ? 2 : NONE;
        b.unk = sentencePiece ? 0 : NONE;
        b.pad = NONE;
        b.addSpacePrefix = sentencePiece;
        b.addBos = sentencePiece || (bytePair && PreTokenizer.find(b.pre).map(PreTokenizer::addsBos).orElse(false));
        b.addEos = false;

        b.bos = specialId(md, "tokenizer.ggml.bos_token_id", b.bos, n);
        b.eos = specialId(md, "tokenizer.ggml.eos_token_id", b.eos, n);
        b.unk = specialId(md, "tokenizer.ggml.unknown_token_id", b.unk, n);
        b.pad = specialId(md, "tokenizer.ggml.padding_token_id", b.pad, n);
        b.eot = specialId(md, "tokenizer.ggml.eot_token_id", NONE, n);
        b.eom = specialId(md, "tokenizer.ggml.eom_token_id", NONE, n);
        b.addBos = md.getBoolean("tokenizer.ggml.add_bos_token", b.addBos);
        b.addEos = md.getBoolean("tokenizer.ggml.add_eos_token", b.addEos);
        b.addSpacePrefix = md.getBoolean("tokenizer.ggml.add_space_prefix", b.addSpacePrefix);
        if (b.addBos && b.bos == NONE) {
            throw new VelaException("tokenizer.ggml.add_bos_token is true, but tokenizer.ggml.bos_token_id is not set");
        }

        findEndOfGeneration(b);
        b.rstrip = new BitSet(n);
        String name = md.getString("general.name", "").toLowerCase(Locale.ROOT);
        if (name.contains("phi3") || name.contains("phi-3")) {
            markPhi3Rstrip(b);
        }
        return new Vocabulary(b);
    }

    private static float[] readScores(Metadata md, int n) {
        String key = "tokenizer.ggml.scores";
        if (!md.has(key)) {
            return new float[n];
        }
        float[] scores;
        if (md.get(key).orElseThrow() instanceof float[] f) {
            scores = f;
        } else {
            int[] ints = md.getIntArray(key);
            scores = new float[ints.length];
            for (int i = 0; i < ints.length; i++) {
                scores[i] = ints[i];
            }
        }
        if (scores.length < n) {
            throw new VelaException(key + " has " + scores.length + " entries for " + n + " tokens");
        }
        return scores;
    }

    private static TokenType[] readTypes(Metadata md, int n) {
        TokenType[] types = new TokenType[n];
        String key = "tokenizer.ggml.token_type";
        if (!md.has(key)) {
            Arrays.fill(types, TokenType.NORMAL);
            return types;
        }
        int[] codes = md.getIntArray(key);
        if (codes.length < n) {
            throw new VelaException(key + " has " + codes.length + " entries for " + n + " tokens");
        }
        for (int i = 0; i < n; i++) {
            types[i] = TokenType.of(codes[i]);
        }
        return types;
    }

    /** An id from the metadata; like llama.cpp, an id outside the vocabulary keeps the default. */
    private static int specialId(Metadata md, String key, int fallback, int n) {
        if (!md.has(key)) {
            return fallback;
        }
        long id = md.getLong(key);
        return id >= 0 && id < n ? (int) id : fallback;
    }

    private static void findEndOfGeneration(Builder b) {
        TreeSet<Integer> eog = new TreeSet<>();
        for (String text : END_OF_TURN_TEXTS) {
            Integer id = b.ids.get(text);
            if (id != null) {
                eog.add(id);
                if (b.eot == NONE) {
                    b.eot = id;
                }
            }
        }
        Integer eom = b.ids.get(END_OF_MESSAGE_TEXT);
        if (eom != null) {
            eog.add(eom);
            if (b.eom == NONE) {
                b.eom = eom;
            }
        }
        for (String text : FIM_STOP_TEXTS) {
            Integer id = b.ids.get(text);
            if (id != null) {
                eog.add(id);
            }
        }
        // A token that ends generation is control, whatever the converter wrote: llama.cpp overrides the
        // type the same way, which keeps it out of plain-text matching and out of decoded text.
        for (int id : eog) {
            b.types[id] = TokenType.CONTROL;
        }
        for (int id : new int[] {b.eos, b.eot, b.eom}) {
            if (id != NONE) {
                eog.add(id);
            }
        }
        b.endOfGeneration = eog;
    }

    /**
     * llama.cpp's rule for Phi-3 (recognized by name): special tokens swallow the whitespace after
     * them, except the ones that begin or end a whole text.
     */
    private static void markPhi3Rstrip(Builder b) {
        for (int id = 0; id < b.tokens.length; id++) {
            if (b.types[id].isSpecial() || b.tokens[id].equals("</s>")) {
                b.rstrip.set(id);
            }
        }
        for (String text : PHI3_NO_RSTRIP) {
            Integer id = b.ids.get(text);
            if (id != null) {
                b.rstrip.clear(id);
            }
        }
    }

    private static final class Builder {
        String model;
        String pre;
        String[] tokens;
        float[] scores;
        TokenType[] types;
        Map<String, Integer> ids;
        String[] merges;
        int bos;
        int eos;
        int eot = NONE;
        int eom = NONE;
        int unk;
        int pad;
        boolean addBos;
        boolean addEos;
        boolean addSpacePrefix;
        Set<Integer> endOfGeneration;
        BitSet rstrip;
    }

    /** {@code tokenizer.ggml.model}: "llama" (SentencePiece) or "gpt2" (byte-level BPE). */
    public String model() {
        return model;
    }

    /** {@code tokenizer.ggml.pre}, or "" when the file has none. */
    public String preTokenizer() {
        return pre;
    }

    public int size() {
        return tokens.length;
    }

    /** The stored text of a token (a piece with {@code ▁} for SentencePiece, byte-mapped for BPE). */
    public String token(int id) {
        return tokens[id];
    }

    public float score(int id) {
        return scores[id];
    }

    public TokenType type(int id) {
        return types[id];
    }

    public boolean isControl(int id) {
        return types[id] == TokenType.CONTROL;
    }

    /** The id of a token text, or {@link #NONE}. */
    public int id(String text) {
        Integer id = ids.get(text);
        return id == null ? NONE : id;
    }

    /** The merge rules, best first ("left right"); empty for SentencePiece. */
    public List<String> merges() {
        return Collections.unmodifiableList(Arrays.asList(merges));
    }

    public int bos() {
        return bos;
    }

    public int eos() {
        return eos;
    }

    /** End of turn, or {@link #NONE}. */
    public int eot() {
        return eot;
    }

    /** End of message (Llama 3.1 tool calls), or {@link #NONE}. */
    public int eom() {
        return eom;
    }

    public int unk() {
        return unk;
    }

    public int pad() {
        return pad;
    }

    public boolean addBos() {
        return addBos;
    }

    public boolean addEos() {
        return addEos;
    }

    public boolean addSpacePrefix() {
        return addSpacePrefix;
    }

    /** Every token that ends generation: EOS, EOT, EOM and the end-of-turn tokens found by text. */
    public Set<Integer> endOfGeneration() {
        return endOfGeneration;
    }

    public boolean isEndOfGeneration(int id) {
        return endOfGeneration.contains(id);
    }

    /**
     * The byte a {@code <0xXX>} piece stands for, or -1 when the text is not one. BYTE-type tokens
     * normally have this form; a converter that wrote something else gets its text back instead.
     */
    static int byteValue(String text) {
        if (text.length() == 6 && text.startsWith("<0x") && text.charAt(5) == '>'
                && Character.digit(text.charAt(3), 16) >= 0 && Character.digit(text.charAt(4), 16) >= 0) {
            return Character.digit(text.charAt(3), 16) * 16 + Character.digit(text.charAt(4), 16);
        }
        return -1;
    }

    /** Whether whitespace after this special token is dropped from the input. */
    boolean rstrip(int id) {
        return rstrip.get(id);
    }
}
