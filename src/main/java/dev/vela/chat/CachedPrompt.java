package dev.vela.chat;

import dev.vela.generate.Generator;

import java.util.Arrays;

/**
 * The token ids whose keys and values are in a generator's cache, in order. Feeding a new prompt
 * keeps the longest prefix it shares with them and processes only the rest, so a chat turn costs
 * its new tokens, not the whole conversation again.
 */
final class CachedPrompt {
    private int[] tokens = new int[256];
    private int length;

    int length() {
        return length;
    }

    /**
     * Brings the cache to hold exactly {@code prompt}: rewinds to the common prefix and ingests the
     * rest (at least one token, so the generator has logits to sample from).
     *
     * @return how many tokens were processed
     */
    int feed(Generator generator, int[] prompt) {
        int keep = Math.min(commonPrefix(prompt), prompt.length - 1);
        generator.rewind(keep);
        length = keep;
        int[] rest = Arrays.copyOfRange(prompt, keep, prompt.length);
        generator.ingest(rest);
        for (int t : rest) {
            append(t);
        }
        return rest.length;
    }

    /** Records a generated token that went into the cache. */
    void append(int token) {
        if (length == tokens.length) {
            tokens = Arrays.copyOf(tokens, tokens.length * 2);
        }
        tokens[length++] = token;
    }

    int commonPrefix(int[] prompt) {
        int n = Math.min(length, prompt.length);
        int i = 0;
        while (i < n && tokens[i] == prompt[i]) {
            i++;
        }
        return i;
    }
}
