package dev.vela.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The hand-written scanners against the patterns they stand for, run by java.util.regex on random
 * strings from an alphabet of the characters each branch cares about.
 */
class PreTokenizerTest {
    /** Unicode White_Space, spelled out so that the reference regex and the scanners agree on it. */
    private static final String WS = "[\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}]";
    private static final String NOT_WS_L_N = "[^\\t\\n\\x0B\\f\\r \\x{85}\\x{A0}\\x{1680}\\x{2000}-\\x{200A}\\x{2028}\\x{2029}\\x{202F}\\x{205F}\\x{3000}\\p{L}\\p{N}]";

    private static String llama3Pattern(String digits) {
        return "(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}" + digits
                + "| ?" + NOT_WS_L_N + "+[\\r\\n]*|" + WS + "*[\\r\\n]+|" + WS + "+(?!" + nonSpace() + ")|" + WS + "+";
    }

    private static final String GPT2 = "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?" + NOT_WS_L_N + "+|" + WS + "+(?!" + nonSpace() + ")|" + WS + "+";

    private static String nonSpace() {
        return "[^" + WS.substring(1);
    }

    private static final String[] ALPHABET = {
        "a", "b", "Z", "s", "t", "S", "e", "l", "L", "'", " ", " ", " ", "\n", "\r", "\t", "1", "2", "٣", "Ⅻ", "½",
        ".", ",", "!", "-", "_", "$", "\u00A0", "\u3000", "é", "\u0301", "日", "本", "🙂", "\u200B", "Ω", "ß", "\u0085",
    };

    @Test
    void llama3ScannerMatchesItsRegex() {
        compare(new Llama3WordSplitter(3), Pattern.compile(llama3Pattern("{1,3}")));
    }

    @Test
    void qwen2ScannerMatchesItsRegex() {
        compare(new Llama3WordSplitter(1), Pattern.compile(llama3Pattern("")));
    }

    @Test
    void gpt2ScannerMatchesItsRegex() {
        compare(new Gpt2WordSplitter(), Pattern.compile(GPT2));
    }

    @Test
    void familiesSplitAsTheirPatternsSay() {
        // Digits take no leading space in Llama 3's pattern: the space stands alone.
        assertEquals(List.of("Hello", " world", ",", " I", "'m", " ", "123", "4", "  ", " x", "\n\n"),
                PreTokenizer.LLAMA3.split("Hello world, I'm 1234   x\n\n"));
        assertEquals(List.of("Hello", " world", ",", " I", "'m", " ", "1", "2", "3", "4", "  ", " x", "\n\n"),
                PreTokenizer.QWEN2.split("Hello world, I'm 1234   x\n\n"));
        assertEquals(List.of("Hello", " world", ",", " I", "'m", " ", "1", "2", "3", "4", "  ", " x", "\n\n"),
                PreTokenizer.SMOLLM.split("Hello world, I'm 1234   x\n\n"));
        assertEquals(List.of("Hello", " world", ",", " I", "'m", " 1234", "  ", " x", "\n\n"),
                PreTokenizer.GPT2.split("Hello world, I'm 1234   x\n\n"));
        assertEquals(List.of("Hello", " world", ",", " I", "'", "m", " ", "123", "4", "  ", " x", "\n\n"),
                PreTokenizer.DEFAULT.split("Hello world, I'm 1234   x\n\n"));
    }

    @Test
    void namesMapToFamilies() {
        assertEquals(PreTokenizer.LLAMA3, PreTokenizer.forName("llama-bpe"));
        assertEquals(PreTokenizer.QWEN2, PreTokenizer.forName("deepseek-r1-qwen"));
        assertEquals(PreTokenizer.SMOLLM, PreTokenizer.forName("smollm"));
        assertEquals(PreTokenizer.GPT2, PreTokenizer.forName("gpt-2"));
        assertEquals(PreTokenizer.DEFAULT, PreTokenizer.forName("default"));
        assertEquals(PreTokenizer.DEFAULT, PreTokenizer.forName(""));
    }

    private static void compare(WordSplitter splitter, Pattern reference) {
        Random random = new Random(42);
        for (int n = 0; n < 5000; n++) {
            StringBuilder s = new StringBuilder();
            for (int i = random.nextInt(24); i >= 0; i--) {
                s.append(ALPHABET[random.nextInt(ALPHABET.length)]);
            }
            String text = s.toString();
            assertEquals(regexSplit(reference, text), scannerSplit(splitter, text), () -> "text: " + escape(text));
        }
    }

    private static List<String> regexSplit(Pattern p, String text) {
        List<String> words = new ArrayList<>();
        Matcher m = p.matcher(text);
        int done = 0;
        while (m.find()) {
            if (m.start() > done) {
                words.add(text.substring(done, m.start()));
            }
            words.add(m.group());
            done = m.end();
        }
        if (done < text.length()) {
            words.add(text.substring(done));
        }
        return words;
    }

    private static List<String> scannerSplit(WordSplitter splitter, String text) {
        int[] cps = text.codePoints().toArray();
        IntList lengths = new IntList();
        splitter.split(cps, 0, cps.length, lengths);
        List<String> words = new ArrayList<>();
        int start = 0;
        for (int i = 0; i < lengths.size(); i++) {
            words.add(new String(cps, start, lengths.get(i)));
            start += lengths.get(i);
        }
        return words;
    }

    private static String escape(String s) {
        StringBuilder out = new StringBuilder();
        s.codePoints().forEach(cp -> out.append(cp >= 0x20 && cp < 0x7F ? String.valueOf((char) cp) : String.format("\\u{%X}", cp)));
        return out.toString();
    }
}
