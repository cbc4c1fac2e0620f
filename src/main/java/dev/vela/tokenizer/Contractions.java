package dev.vela.tokenizer;

/** The English contractions every GPT-style pattern starts with: 's 't 're 've 'm 'll 'd. */
final class Contractions {
    private Contractions() {}

    /** The end of a contraction at {@code pos}, or {@code pos} when there is none. */
    static int matchEnd(int[] cps, int pos, int end, boolean ignoreCase) {
        if (cps[pos] != '\'' || pos + 1 >= end) {
            return pos;
        }
        int a = lower(cps[pos + 1], ignoreCase);
        if (a == 's' || a == 't' || a == 'm' || a == 'd') {
            return pos + 2;
        }
        if (pos + 2 < end) {
            int b = lower(cps[pos + 2], ignoreCase);
            if ((a == 'r' && b == 'e') || (a == 'v' && b == 'e') || (a == 'l' && b == 'l')) {
                return pos + 3;
            }
        }
        return pos;
    }

    private static int lower(int cp, boolean ignoreCase) {
        return ignoreCase ? Character.toLowerCase(cp) : cp;
    }
}
