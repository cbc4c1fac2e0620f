package dev.vela.tokenizer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Splits special-token texts out of the input before the tokenizer model sees it, as llama.cpp's
 * {@code tokenizer_st_partition} does: special tokens (CONTROL, USER_DEFINED, UNKNOWN) are taken
 * longest first, each one cutting every occurrence out of the text that is left. USER_DEFINED tokens
 * are always matched; CONTROL and UNKNOWN ones only when special tokens are parsed.
 */
final class SpecialTokenSplitter {
    private final Vocabulary vocab;
    /** Special token ids, longest text first (ties by id, so the order is reproducible). */
    private final int[] byLength;
    /** The position of each special id in {@link #byLength}. */
    private final Map<Integer, Integer> rank = new HashMap<>();
    private final TrieNode root = new TrieNode();

    SpecialTokenSplitter(Vocabulary vocab) {
        this.vocab = vocab;
        List<Integer> special = new ArrayList<>();
        for (int id = 0; id < vocab.size(); id++) {
            if (vocab.type(id).isSpecial()) {
                special.add(id);
            }
        }
        special.sort(Comparator.comparingInt((Integer id) -> -vocab.token(id).length()).thenComparingInt(id -> id));
        byLength = special.stream().mapToInt(Integer::intValue).toArray();
        for (int i = 0; i < byLength.length; i++) {
            rank.put(byLength[i], i);
            root.insert(vocab.token(byLength[i]), byLength[i]);
        }
    }

    List<Fragment> split(String text, boolean parseSpecial) {
        List<Fragment> fragments = new ArrayList<>();
        if (text.isEmpty()) {
            return fragments;
        }
        fragments.add(new Fragment.Text(text));
        // Only tokens that occur somewhere need the llama.cpp pass below; one scan with a trie finds
        // them, instead of searching the whole text once per special token (Llama 3 has 256).
        boolean[] present = tokensPresent(text, parseSpecial);
        for (int i = 0; i < byLength.length; i++) {
            if (present[i]) {
                fragments = cutOut(fragments, byLength[i]);
            }
        }
        return fragments;
    }

    private boolean[] tokensPresent(String text, boolean parseSpecial) {
        boolean[] present = new boolean[byLength.length];
        for (int i = 0; i < text.length(); i++) {
            TrieNode node = root.children.get(text.charAt(i));
            for (int j = i + 1; node != null; j++) {
                if (node.id != Vocabulary.NONE && (parseSpecial || vocab.type(node.id) == TokenType.USER_DEFINED)) {
                    present[rank.get(node.id)] = true;
                }
                node = j < text.length() ? node.children.get(text.charAt(j)) : null;
            }
        }
        return present;
    }

    private List<Fragment> cutOut(List<Fragment> fragments, int id) {
        String token = vocab.token(id);
        boolean rstrip = vocab.rstrip(id);
        List<Fragment> result = new ArrayList<>(fragments.size() + 2);
        for (Fragment fragment : fragments) {
            if (!(fragment instanceof Fragment.Text(String text))) {
                result.add(fragment);
                continue;
            }
            int from = 0;
            int match;
            while ((match = text.indexOf(token, from)) >= 0) {
                if (match > from) {
                    result.add(new Fragment.Text(text.substring(from, match)));
                }
                result.add(new Fragment.Special(id));
                from = match + token.length();
                if (rstrip) {
                    while (from < text.length() && isCSpace(text.charAt(from))) {
                        from++;
                    }
                }
            }
            if (from < text.length()) {
                result.add(from == 0 ? fragment : new Fragment.Text(text.substring(from)));
            }
        }
        return result;
    }

    /** C's isspace in the "C" locale, which llama.cpp uses for stripping. */
    private static boolean isCSpace(char c) {
        return c == ' ' || (c >= '\t' && c <= '\r');
    }

    private static final class TrieNode {
        final Map<Character, TrieNode> children = new HashMap<>();
        int id = Vocabulary.NONE;

        void insert(String text, int tokenId) {
            TrieNode node = this;
            for (int i = 0; i < text.length(); i++) {
                node = node.children.computeIfAbsent(text.charAt(i), c -> new TrieNode());
            }
            node.id = tokenId;
        }
    }
}
