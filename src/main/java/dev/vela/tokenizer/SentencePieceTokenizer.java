package dev.vela.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HexFormat;

/**
 * LLaMA 1/2-style SentencePiece BPE as llama.cpp runs it ({@code llm_tokenizer_spm}): a space in
 * front of the text, spaces written as {@code ▁}, the text cut into characters, then the adjacent
 * pair whose merged piece has the best score merged again and again; characters no piece covers
 * fall back to {@code <0xXX>} byte tokens.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    static final char SPACE = '▁';

    private final Vocabulary vocab;
    private final SpecialTokenSplitter specials;
    private final byte[][] pieces;
    /** The {@code <0xXX>} token of each byte value, or {@link Vocabulary#NONE}. */
    private final int[] byteTokens = new int[256];
    /**
     * Whether no piece has a {@code ▁} after another character, as in LLaMA-style vocabularies. Then
     * no merge can cross the start of a word, so each word can be merged on its own (and cached) with
     * the same result as merging the whole text at once, which is far slower on long inputs.
     */
    private final boolean wordsIndependent;
    private final WordCache cache = new WordCache(1 << 14);

    public SentencePieceTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.specials = new SpecialTokenSplitter(vocab);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id("<0x" + HexFormat.of().withUpperCase().toHexDigits((byte) b) + ">");
            byteTokens[b] = id != Vocabulary.NONE ? id : vocab.id(String.valueOf((char) b));
        }
        boolean independent = true;
        for (int id = 0; id < vocab.size() && independent; id++) {
            String t = vocab.token(id);
            for (int i = t.indexOf(SPACE, 1); i > 0 && independent; i = t.indexOf(SPACE, i + 1)) {
                independent = t.charAt(i - 1) == SPACE;
            }
        }
        wordsIndependent = independent;
        pieces = new byte[vocab.size()][];
        for (int id = 0; id < vocab.size(); id++) {
            pieces[id] = piece(id);
        }
    }

    @Override
    public Vocabulary vocabulary() {
        return vocab;
    }

    @Override
    public int[] encode(String text, boolean addBos, boolean parseSpecial) {
        IntList out = new IntList(text.length() / 3 + 4);
        if (addBos && vocab.addBos()) {
            out.add(vocab.bos());
        }
        // The space prefix goes before the text and before every text that follows a special token.
        boolean afterSpecial = true;
        for (Fragment fragment : specials.split(text, parseSpecial)) {
            switch (fragment) {
                case Fragment.Text(String t) -> {
                    String prefixed = vocab.addSpacePrefix() && afterSpecial ? " " + t : t;
                    tokenizeWords(prefixed.replace(' ', SPACE), out);
                    afterSpecial = false;
                }
                case Fragment.Special(int id) -> {
                    out.add(id);
                    afterSpecial = true;
                }
            }
        }
        if (addBos && vocab.addEos()) {
            out.add(vocab.eos());
        }
        return out.toArray();
    }

    @Override
    public byte[] tokenBytes(int id) {
        return pieces[id].clone();
    }

    private byte[] piece(int id) {
        String text = vocab.token(id);
        return switch (vocab.type(id)) {
            case NORMAL -> text.replace(SPACE, ' ').getBytes(StandardCharsets.UTF_8);
            case BYTE -> {
                int b = Vocabulary.byteValue(text);
                yield b >= 0 ? new byte[] {(byte) b} : text.getBytes(StandardCharsets.UTF_8);
            }
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case UNUSED, UNDEFINED -> new byte[0];
        };
    }

    /** Cuts the text before each {@code ▁} that follows another character, when that is safe. */
    private void tokenizeWords(String text, IntList out) {
        if (!wordsIndependent) {
            tokenize(text, out);
            return;
        }
        int start = 0;
        for (int i = 1; i <= text.length(); i++) {
            if (i == text.length() || (text.charAt(i) == SPACE && text.charAt(i - 1) != SPACE)) {
                String word = text.substring(start, i);
                int[] ids = cache.get(word);
                if (ids == null) {
                    IntList wordIds = new IntList(word.length());
                    tokenize(word, wordIds);
                    ids = wordIds.toArray();
                    cache.put(word, ids);
                }
                out.addAll(ids);
                start = i;
            }
        }
    }

    private void tokenize(String text, IntList out) {
        int n = text.codePointCount(0, text.length());
        int[] start = new int[n];
        int[] length = new int[n]; // in chars; 0 once merged into the symbol on its left
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0, offset = 0; i < n; i++) {
            int len = Character.charCount(text.codePointAt(offset));
            start[i] = offset;
            length[i] = len;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
            offset += len;
        }

        // Best score first, leftmost on a tie. An entry is stale once either side has changed: the
        // left symbol only grows by swallowing its right neighbour, so a live entry still has its size.
        MergeQueue queue = new MergeQueue(n);
        for (int i = 1; i < n; i++) {
            offer(queue, text, start, length, i - 1, i);
        }
        while (!queue.isEmpty()) {
            int l = queue.topLeft();
            int size = queue.topSize();
            queue.pop();
            int r = next[l];
            if (length[l] == 0 || r < 0 || length[l] + length[r] != size) {
                continue;
            }
            length[l] += length[r];
            length[r] = 0;
            next[l] = next[r];
            if (next[r] >= 0) {
                prev[next[r]] = l;
            }
            if (prev[l] >= 0) {
                offer(queue, text, start, length, prev[l], l);
            }
            if (next[l] >= 0) {
                offer(queue, text, start, length, l, next[l]);
            }
        }

        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            String symbol = text.substring(start[i], start[i] + length[i]);
            int id = vocab.id(symbol);
            if (id != Vocabulary.NONE) {
                out.add(id);
                continue;
            }
            for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
                int byteId = byteTokens[b & 0xFF];
                out.add(byteId != Vocabulary.NONE ? byteId : vocab.unk());
            }
        }
    }

    private void offer(MergeQueue queue, String text, int[] start, int[] length, int left, int right) {
        int size = length[left] + length[right];
        int id = vocab.id(text.substring(start[left], start[left] + size));
        if (id != Vocabulary.NONE) {
            queue.add(MergeQueue.scorePriority(vocab.score(id)), left, size);
        }
    }
}
