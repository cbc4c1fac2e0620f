package dev.vela.tokenizer;

import org.junit.jupiter.api.Test;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Tokenizing must stay linear: a megabyte of varied text (prose, code, numbers, whitespace runs,
 * several scripts, emoji) in well under a second. A backtracking regex or a quadratic merge loop
 * would take minutes here.
 */
class TokenizerSpeedTest {
    private static final int MEGABYTE = 1 << 20;

    @Test
    void llama3MegabyteUnderOneSecond() {
        assertFast(TokenizerVectorsTest.LLAMA3);
    }

    @Test
    void qwen2MegabyteUnderOneSecond() {
        assertFast(TokenizerVectorsTest.QWEN2);
    }

    @Test
    void sentencePieceMegabyteUnderOneSecond() {
        assertFast(TokenizerVectorsTest.LLAMA2);
    }

    /**
     * Measured in this thread's CPU time, best of three texts: the build machine is shared, and
     * wall time there says more about the neighbours than about the tokenizer.
     */
    /** SentencePiece has no pre-tokenizer: a megabyte without one space must not become one long merge. */
    @Test
    void sentencePieceTextWithoutSpacesUnderOneSecond() {
        assertFast(TokenizerVectorsTest.LLAMA2, TokenizerSpeedTest::unspacedText);
    }

    private static void assertFast(String model) {
        assertFast(model, TokenizerSpeedTest::variedText);
    }

    /** Makes a test text of about {@code chars} characters; each seed gives another. */
    private interface TextMaker {
        String make(int chars, long seed);
    }

    private static void assertFast(String model, TextMaker texts) {
        Tokenizer tokenizer = TokenizerVectors.tokenizer(model);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        tokenizer.encode(texts.make(MEGABYTE / 8, 1), true, false); // let the JIT compile the hot loops first
        double best = Double.MAX_VALUE;
        for (long seed = 2; seed < 5; seed++) {
            String text = texts.make(MEGABYTE, seed);
            long wall = System.nanoTime();
            long cpu = threads.getCurrentThreadCpuTime();
            int[] ids = tokenizer.encode(text, true, false);
            double seconds = (threads.getCurrentThreadCpuTime() - cpu) / 1e9;
            System.out.printf("%s: %d chars -> %d tokens in %.3f s CPU (%.3f s wall)%n",
                    model, text.length(), ids.length, seconds, (System.nanoTime() - wall) / 1e9);
            best = Math.min(best, seconds);
        }
        assertTrue(best < 1.0, model + ": 1 MB took " + best + " s of CPU time");
    }

    /** Random Chinese, Japanese and Korean characters with punctuation, and no spaces. */
    static String unspacedText(int chars, long seed) {
        String alphabet = "日本語のテキスト漢字とひらがな中文文本测试你好世界한국어문장입니다、。，！？「」";
        Random random = new Random(seed);
        StringBuilder s = new StringBuilder(chars);
        while (s.length() < chars) {
            s.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return s.toString();
    }

    /** Text of about {@code chars} characters drawn from pieces that exercise every pre-tokenizer branch. */
    static String variedText(int chars, long seed) {
        String[] pieces = {
            "Once upon a time, there was a little girl named Lily. ", "She liked to play outside.\n",
            "I'm sure you'll agree: it's the best we've done, isn't it? ", "DON'T SHOUT!!! ",
            "3.14159 ", "2718281828 ", "1,000,000 ", "x = foo(bar[0], baz)  # comment\n",
            "def main():\n    print(\"hi\")\n    return 0\n\n", "{\"key\": [1, 2, 3]} ",
            "naïve café ", "Москва — столица России. ", "日本語のテキスト、漢字とひらがな。", "中文文本测试，你好世界！",
            "한국어 문장입니다. ", "नमस्ते दुनिया ", "🙂 emoji 🚀🔥 ", "\u00a0non-breaking ", "   \n   \n", "\t\ttabs\t",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa", "!!!???...,,,;;; ", "https://example.com/path?q=1&o=two#f ",
            "                                        ", "\r\n\r\n",
        };
        Random random = new Random(seed);
        StringBuilder s = new StringBuilder(chars + 100);
        while (s.length() < chars) {
            s.append(pieces[random.nextInt(pieces.length)]);
            if (random.nextInt(4) == 0) {
                // fresh words and numbers, so that the word cache does not hide the cost of merging
                s.append(' ');
                for (int i = 3 + random.nextInt(10); i > 0; i--) {
                    s.append((char) ('a' + random.nextInt(26)));
                }
                s.append(' ').append(random.nextInt(1_000_000)).append(' ');
            }
        }
        return s.toString();
    }
}
