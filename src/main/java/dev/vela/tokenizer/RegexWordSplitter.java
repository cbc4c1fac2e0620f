package dev.vela.tokenizer;

import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A stage given as a regular expression: each match is a piece, and so is each stretch of text
 * between matches. Only for simple patterns (character classes and counts) that cannot backtrack
 * far; the big GPT-style patterns have hand-written scanners.
 */
final class RegexWordSplitter implements WordSplitter {
    private final Pattern pattern;

    RegexWordSplitter(String regex) {
        this.pattern = Pattern.compile(regex);
    }

    @Override
    public void split(int[] cps, int start, int end, IntList lengths) {
        String text = new String(cps, start, end - start);
        Matcher m = pattern.matcher(text);
        int done = 0; // chars of text already given to pieces
        while (m.find()) {
            if (m.end() == m.start()) {
                continue;
            }
            if (m.start() > done) {
                lengths.add(text.codePointCount(done, m.start()));
            }
            lengths.add(text.codePointCount(m.start(), m.end()));
            done = m.end();
        }
        if (done < text.length()) {
            lengths.add(text.codePointCount(done, text.length()));
        }
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }
}
