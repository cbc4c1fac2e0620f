package dev.vela.tokenizer;

import static dev.vela.tokenizer.CodepointClass.isLetter;
import static dev.vela.tokenizer.CodepointClass.isNumber;
import static dev.vela.tokenizer.CodepointClass.isWhitespace;

/**
 * GPT-2's pre-tokenizer pattern, scanned by hand in one linear pass as llama.cpp does:
 * <pre>
 * 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+
 * </pre>
 */
final class Gpt2WordSplitter implements WordSplitter {
    private static final int OUTSIDE = -1;

    @Override
    public void split(int[] cps, int start, int end, IntList lengths) {
        int pos = start;
        while (pos < end) {
            int next = matchEnd(cps, pos, end);
            lengths.add(next - pos);
            pos = next;
        }
    }

    private int matchEnd(int[] cps, int pos, int end) {
        int contraction = Contractions.matchEnd(cps, pos, end, false);
        if (contraction > pos) {
            return contraction;
        }
        int first = cps[pos] == ' ' ? pos + 1 : pos;
        int c = at(cps, first, end);
        if (c != OUTSIDE) {
            if (isLetter(c)) {
                return runEnd(cps, first, end, Kind.LETTER);
            }
            if (isNumber(c)) {
                return runEnd(cps, first, end, Kind.NUMBER);
            }
            if (!isWhitespace(c)) {
                return runEnd(cps, first, end, Kind.OTHER);
            }
        }
        int p = pos;
        while (p < end && isWhitespace(cps[p])) {
            p++;
        }
        if (p - pos > 1 && p < end) {
            return p - 1; // \s+(?!\S): the last space goes with the next word
        }
        return p > pos ? p : pos + 1;
    }

    private enum Kind { LETTER, NUMBER, OTHER }

    private static int runEnd(int[] cps, int p, int end, Kind kind) {
        while (p < end && kindOf(cps[p]) == kind) {
            p++;
        }
        return p;
    }

    private static Kind kindOf(int cp) {
        if (isLetter(cp)) {
            return Kind.LETTER;
        }
        if (isNumber(cp)) {
            return Kind.NUMBER;
        }
        return isWhitespace(cp) ? null : Kind.OTHER;
    }

    private static int at(int[] cps, int pos, int end) {
        return pos < end ? cps[pos] : OUTSIDE;
    }
}
