package dev.vela.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * LLaMA 1/2-style SentencePiece BPE as llama.cpp runs it ({@code llm_tokenizer_spm}): a space in
 * front of the text, spaces written as {@code ▁}, the text cut into characters, then the adjacent
 * pair whose merged piece has the best score merged again and again; characters no piece covers
 * fall back to {@code <0xXX>} byte tokens.
 */
public final class SentencePieceTokenizer implements Tokenizer {
    static final char SPACE = '▁';
    private static final int MAX_CACHED_PART = 64;

    private final Vocabulary vocab;
    private final SpecialTokenSplitter specials;
    private final byte[][] pieces;
    /** The {@code <0xXX>} token of each byte value, or {@link Vocabulary#NONE}. */
    private final int[] byteTokens = new int[256];
    /**
     * Every pair of adjacent code points found inside some piece, packed into a long, sorted. Where
     * the text has a pair that is not here, no merge can ever cross, so the text is cut there and
     * each part merged on its own (and cached): the same ids as merging the whole text at once,
     * without a heap over the whole text, which is slow on long inputs.
     */
    private final long[] innerPairs;
    private final WordCache cache = new WordCache(1 << 14);

    public SentencePieceTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.specials = new SpecialTokenSplitter(vocab);
        for (int b = 0; b < 256; b++) {
            int id = vocab.id("<0x" + HexFormat.of().withUpperCase().toHexDigits((byte) b) + ">");
            byteTokens[b] = id != Vocabulary.NONE ? id : vocab.id(String.valueOf((char) b));
        }
        innerPairs = innerPairs(vocab);
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

    private static long[] innerPairs(Vocabulary vocab) {
        long[] pairs = new long[1024];
        int count = 0;
        for (int id = 0; id < vocab.size(); id++) {
            String t = vocab.token(id);
            int previous = -1;
            for (int i = 0; i < t.length(); ) {
                int cp = t.codePointAt(i);
                i += Character.charCount(cp);
                if (previous >= 0) {
                    if (count == pairs.length) {
                        pairs = Arrays.copyOf(pairs, count * 2);
                    }
                    pairs[count++] = pair(previous, cp);
                }
                previous = cp;
            }
        }
        return Arrays.stream(pairs, 0, count).sorted().distinct().toArray();
    }

    private static long pair(int left, int right) {
        return ((long) left << 32) | right;
    }

    /** The ids of a whole {@code ▁}-escaped text merged at once, without cutting it: for tests. */
    int[] mergeWhole(String escaped) {
        IntList out = new IntList();
        tokenize(escaped, out);
        return out.toArray();
    }

    /** Merges the text part by part, cutting between characters that no piece has side by side. */
    private void tokenizeWords(String text, IntList out) {
        int start = 0;
        int previous = -1;
        for (int i = 0; i <= text.length(); ) {
            int cp = i < text.length() ? text.codePointAt(i) : -1;
            if (i > start && (cp < 0 || Arrays.binarySearch(innerPairs, pair(previous, cp)) < 0)) {
                tokenizePart(text.substring(start, i), out);
                start = i;
            }
            previous = cp;
            i += cp < 0 ? 1 : Character.charCount(cp);
        }
    }

    private void tokenizePart(String part, IntList out) {
        if (part.codePointCount(0, part.length()) == 1) {
            emit(part, out); // nothing to merge
            return;
        }
        if (part.length() > MAX_CACHED_PART) {
            tokenize(part, out); // long runs rarely repeat, and would crowd the cache
            return;
        }
        int[] ids = cache.get(part);
        if (ids == null) {
            IntList partIds = new IntList(part.length());
            tokenize(part, partIds);
            ids = partIds.toArray();
            cache.put(part, ids);
        }
        out.addAll(ids);
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
            emit(text.substring(start[i], start[i] + length[i]), out);
        }
    }

    /** The token of a final symbol, or its bytes as byte tokens when no piece covers it. */
    private void emit(String symbol, IntList out) {
        int id = vocab.id(symbol);
        if (id != Vocabulary.NONE) {
            out.add(id);
            return;
        }
        for (byte b : symbol.getBytes(StandardCharsets.UTF_8)) {
            int byteId = byteTokens[b & 0xFF];
            out.add(byteId != Vocabulary.NONE ? byteId : vocab.unk());
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
