package dev.vela.tokenizer;

import static dev.vela.tokenizer.CodepointClass.isLetter;
import static dev.vela.tokenizer.CodepointClass.isNumber;
import static dev.vela.tokenizer.CodepointClass.isWhitespace;

/**
 * The Llama 3 / Qwen2 pre-tokenizer pattern, scanned by hand in one pass instead of run through a
 * backtracking regex engine (same result, linear time, as llama.cpp's custom splitter):
 * <pre>
 * (?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,maxDigits}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+
 * </pre>
 * Llama 3 groups up to three digits; Qwen2 takes digits one at a time.
 */
final class Llama3WordSplitter implements WordSplitter {
    private static final int OUTSIDE = -1;
    private final int maxDigits;

    Llama3WordSplitter(int maxDigits) {
        this.maxDigits = maxDigits;
    }

    @Override
    public void split(int[] cps, int start, int end, IntList lengths) {
        int pos = start;
        while (pos < end) {
            int next = matchEnd(cps, pos, end);
            lengths.add(next - pos);
            pos = next;
        }
    }

    /** Where the piece that starts at {@code pos} ends. */
    private int matchEnd(int[] cps, int pos, int end) {
        int cp = cps[pos];

        int contraction = Contractions.matchEnd(cps, pos, end, true);
        if (contraction > pos) {
            return contraction;
        }

        // [^\r\n\p{L}\p{N}]?\p{L}+
        if (cp != '\r' && cp != '\n' && !isNumber(cp)) {
            if (isLetter(cp) || isLetter(at(cps, pos + 1, end))) {
                int p = pos + 1;
                while (isLetter(at(cps, p, end))) {
                    p++;
                }
                return p;
            }
        }

        // \p{N}{1,maxDigits}
        if (isNumber(cp)) {
            int p = pos + 1;
            while (p - pos < maxDigits && isNumber(at(cps, p, end))) {
                p++;
            }
            return p;
        }

        // ' ?[^\s\p{L}\p{N}]+[\r\n]*'
        int first = cp == ' ' ? pos + 1 : pos;
        if (isSymbol(at(cps, first, end))) {
            int p = first + 1;
            while (isSymbol(at(cps, p, end))) {
                p++;
            }
            while (at(cps, p, end) == '\r' || at(cps, p, end) == '\n') {
                p++;
            }
            return p;
        }

        // The rest is whitespace: \s*[\r\n]+ ends after the last line break of the run; otherwise
        // \s+(?!\S) leaves the last space of a run to start the next word, and \s+ takes a run that ends the text.
        int p = pos;
        int afterLastBreak = OUTSIDE;
        while (p < end && isWhitespace(cps[p])) {
            if (cps[p] == '\r' || cps[p] == '\n') {
                afterLastBreak = p + 1;
            }
            p++;
        }
        if (afterLastBreak != OUTSIDE) {
            return afterLastBreak;
        }
        if (p - pos > 1 && p < end) {
            return p - 1;
        }
        return p > pos ? p : pos + 1;
    }

    /** [^\s\p{L}\p{N}], never true outside the span. */
    private static boolean isSymbol(int cp) {
        return cp != OUTSIDE && !isWhitespace(cp) && !isLetter(cp) && !isNumber(cp);
    }

    private static int at(int[] cps, int pos, int end) {
        return pos < end ? cps[pos] : OUTSIDE;
    }
}
