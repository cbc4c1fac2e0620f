package dev.vela.tokenizer;

import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * GPT-2-style byte-level BPE as llama.cpp runs it ({@code llm_tokenizer_bpe}): the text is cut into
 * words by the pre-tokenizer, each word's UTF-8 bytes written as GPT-2's byte characters, then the
 * adjacent pair with the best (lowest) merge rank merged until no rule applies.
 */
public final class BytePairTokenizer implements Tokenizer {
    private static final int CACHE_WORDS = 1 << 14;
    private static final int MAX_CACHED_WORD = 64;

    private final Vocabulary vocab;
    private final PreTokenizer pre;
    private final SpecialTokenSplitter specials;
    /** "left right" → rank. */
    private final Map<String, Integer> ranks;
    private final byte[][] pieces;
    private final WordCache cache = new WordCache(CACHE_WORDS);

    public BytePairTokenizer(Vocabulary vocab) {
        this.vocab = vocab;
        this.pre = PreTokenizer.forName(vocab.preTokenizer());
        this.specials = new SpecialTokenSplitter(vocab);
        List<String> merges = vocab.merges();
        this.ranks = new HashMap<>(merges.size() * 2);
        for (int i = 0; i < merges.size(); i++) {
            ranks.putIfAbsent(merges.get(i), i);
        }
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
        for (Fragment fragment : specials.split(text, parseSpecial)) {
            switch (fragment) {
                case Fragment.Text(String t) -> {
                    for (String word : pre.split(t)) {
                        out.addAll(word(word));
                    }
                }
                case Fragment.Special(int id) -> out.add(id);
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

    /** llama.cpp's detokenizer also tidies spaces before punctuation for some families. */
    @Override
    public String decode(int[] ids, boolean renderSpecial) {
        String text = Tokenizer.super.decode(ids, renderSpecial);
        return pre.cleansSpaces() ? SpaceCleanup.apply(text) : text;
    }

    private byte[] piece(int id) {
        String text = vocab.token(id);
        return switch (vocab.type(id)) {
            case NORMAL -> ByteLevel.decode(text);
            case BYTE -> {
                int b = Vocabulary.byteValue(text);
                yield b >= 0 ? new byte[] {(byte) b} : text.getBytes(StandardCharsets.UTF_8);
            }
            case CONTROL, UNKNOWN, USER_DEFINED -> text.getBytes(StandardCharsets.UTF_8);
            case UNUSED, UNDEFINED -> new byte[0];
        };
    }

    private int[] word(String word) {
        if (word.length() > MAX_CACHED_WORD) {
            return merge(ByteLevel.encode(word)); // long runs rarely repeat, and would crowd the cache
        }
        int[] ids = cache.get(word);
        if (ids == null) {
            ids = merge(ByteLevel.encode(word));
            cache.put(word, ids);
        }
        return ids;
    }

    /** BPE over one byte-mapped word, where every char is one byte and so one starting symbol. */
    private int[] merge(String word) {
        if (pre.ignoreMerges()) {
            int id = vocab.id(word);
            if (id != Vocabulary.NONE) {
                return new int[] {id};
            }
        }
        int n = word.length();
        int[] length = new int[n];
        int[] prev = new int[n];
        int[] next = new int[n];
        for (int i = 0; i < n; i++) {
            length[i] = 1;
            prev[i] = i - 1;
            next[i] = i + 1 < n ? i + 1 : -1;
        }
        // Lowest rank first, leftmost on a tie. Symbols only grow by swallowing their right
        // neighbour, so an entry whose size still adds up is still the same pair of texts.
        MergeQueue queue = new MergeQueue(n);
        for (int i = 1; i < n; i++) {
            offer(queue, word, length, i - 1, i);
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
                offer(queue, word, length, prev[l], l);
            }
            if (next[l] >= 0) {
                offer(queue, word, length, l, next[l]);
            }
        }
        IntList out = new IntList(n);
        for (int i = 0; i != -1 && n > 0; i = next[i]) {
            int id = vocab.id(word.substring(i, i + length[i]));
            if (id != Vocabulary.NONE) {
                out.add(id);
                continue;
            }
            // A symbol no token covers: its bytes one by one, skipping any the vocabulary lacks (as llama.cpp).
            for (int j = i; j < i + length[i]; j++) {
                int byteId = vocab.id(String.valueOf(word.charAt(j)));
                if (byteId != Vocabulary.NONE) {
                    out.add(byteId);
                }
            }
        }
        return out.toArray();
    }

    private void offer(MergeQueue queue, String word, int[] length, int left, int right) {
        int leftEnd = left + length[left];
        String key = word.substring(left, leftEnd) + ' ' + word.substring(right, right + length[right]);
        Integer rank = ranks.get(key);
        if (rank != null) {
            queue.add(rank, left, length[left] + length[right]);
        }
    }
}
