package dev.vela.tokenizer;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Every case of every shared vector file, each reported on its own. */
class TokenizerVectorsTest {
    static final String STORIES = "stories260K.gguf";
    static final String LLAMA2 = "tiny-llama2vocab-f32.gguf";
    static final String LLAMA3 = "tiny-llama3vocab-f32.gguf";
    static final String QWEN2 = "tiny-qwen2vocab-q4_0.gguf";
    static final String PHI3 = "tiny-phi3vocab-q8_0.gguf";

    static List<TokenizerVectors.Case> stories() {
        return TokenizerVectors.cases("stories260K-public.tsv");
    }

    static List<TokenizerVectors.Case> llamaSpm() {
        return TokenizerVectors.cases("llama-spm-public.tsv");
    }

    static List<TokenizerVectors.Case> phi3Spm() {
        return TokenizerVectors.cases("phi3-spm-public.tsv");
    }

    static List<TokenizerVectors.Case> phi3SpmChat() {
        return TokenizerVectors.cases("phi3-spm-chat-public.tsv");
    }

    static List<TokenizerVectors.Case> llama3Bpe() {
        return TokenizerVectors.cases("llama3-bpe-public.tsv");
    }

    static List<TokenizerVectors.Case> llama3BpeSpecial() {
        return TokenizerVectors.cases("llama3-bpe-special-public.tsv");
    }

    static List<TokenizerVectors.Case> qwen2Bpe() {
        return TokenizerVectors.cases("qwen2-bpe-public.tsv");
    }

    static List<TokenizerVectors.Case> qwen2BpeChat() {
        return TokenizerVectors.cases("qwen2-bpe-chat-public.tsv");
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void stories260K(TokenizerVectors.Case c) {
        check(STORIES, c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llamaSpm")
    void llamaSentencePiece(TokenizerVectors.Case c) {
        check(LLAMA2, c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("phi3Spm")
    void phi3SentencePiece(TokenizerVectors.Case c) {
        check(PHI3, c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("phi3SpmChat")
    void phi3ChatWithSpecialTokens(TokenizerVectors.Case c) {
        check(PHI3, c, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama3Bpe")
    void llama3BytePair(TokenizerVectors.Case c) {
        check(LLAMA3, c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama3BpeSpecial")
    void llama3WithSpecialTokens(TokenizerVectors.Case c) {
        check(LLAMA3, c, true);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("qwen2Bpe")
    void qwen2BytePair(TokenizerVectors.Case c) {
        check(QWEN2, c, false);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("qwen2BpeChat")
    void qwen2ChatWithSpecialTokens(TokenizerVectors.Case c) {
        check(QWEN2, c, true);
    }

    private static void check(String model, TokenizerVectors.Case c, boolean parseSpecial) {
        Tokenizer tokenizer = TokenizerVectors.tokenizer(model);
        int[] actual = tokenizer.encode(c.text(), false, parseSpecial);
        assertArrayEquals(c.ids(), actual, () -> model + " " + c + "\n expected " + Arrays.toString(c.ids())
                + "\n   actual " + Arrays.toString(actual));
    }

    // Round trips: decoding llama.cpp's ids gives the text back (vectors without special-token parsing,
    // where nothing is stripped or tidied).

    @ParameterizedTest(name = "{0}")
    @MethodSource("llamaSpm")
    void llamaSentencePieceRoundTrip(TokenizerVectors.Case c) {
        roundTrip(LLAMA2, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("stories")
    void stories260KRoundTrip(TokenizerVectors.Case c) {
        roundTrip(STORIES, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("llama3Bpe")
    void llama3BytePairRoundTrip(TokenizerVectors.Case c) {
        roundTrip(LLAMA3, c);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("qwen2Bpe")
    void qwen2BytePairRoundTrip(TokenizerVectors.Case c) {
        roundTrip(QWEN2, c);
    }

    private static void roundTrip(String model, TokenizerVectors.Case c) {
        Tokenizer tokenizer = TokenizerVectors.tokenizer(model);
        StreamDecoder stream = new StreamDecoder(tokenizer, true);
        StringBuilder streamed = new StringBuilder();
        for (int id : c.ids()) {
            streamed.append(stream.push(id));
        }
        streamed.append(stream.flush());
        String expected = tokenizer.vocabulary().addSpacePrefix() && !c.text().isEmpty() ? " " + c.text() : c.text();
        assertEquals(expected, streamed.toString(), () -> model + " " + c + " (streamed)");
        assertEquals(c.text(), rawDecode(tokenizer, c.ids()), () -> model + " " + c + " (decode)");
    }

    /** decode() without llama.cpp's space tidying, which Llama 3 applies and which is not a round trip. */
    private static String rawDecode(Tokenizer tokenizer, int[] ids) {
        if (tokenizer instanceof BytePairTokenizer) {
            StringBuilder s = new StringBuilder();
            StreamDecoder d = new StreamDecoder(tokenizer, true);
            for (int id : ids) {
                s.append(d.push(id));
            }
            return s.append(d.flush()).toString();
        }
        return tokenizer.decode(ids, true);
    }
}
