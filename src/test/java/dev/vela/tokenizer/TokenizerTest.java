package dev.vela.tokenizer;

import dev.vela.VelaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenizerTest {
    @TempDir
    Path dir;

    private static Tokenizer tokenizer(String model) {
        return TokenizerVectors.tokenizer(model);
    }

    @Test
    void theModelKeyChoosesTheTokenizer() {
        assertInstanceOf(SentencePieceTokenizer.class, tokenizer(TokenizerVectorsTest.STORIES));
        assertInstanceOf(SentencePieceTokenizer.class, tokenizer(TokenizerVectorsTest.PHI3));
        assertInstanceOf(BytePairTokenizer.class, tokenizer(TokenizerVectorsTest.LLAMA3));
        assertInstanceOf(BytePairTokenizer.class, tokenizer(TokenizerVectorsTest.QWEN2));
    }

    @Test
    void anUnsupportedModelIsNamedWithTheSupportedOnes() {
        VelaException e = assertThrows(VelaException.class, () -> Tokenizer.from(new TinyGguf()
                .put("tokenizer.ggml.model", "t5")
                .put("tokenizer.ggml.tokens", new String[] {"<pad>", "</s>", "<unk>"})
                .metadata(dir)));
        assertTrue(e.getMessage().contains("'t5'"), e.getMessage());
        assertTrue(e.getMessage().contains("'llama'") && e.getMessage().contains("'gpt2'"), e.getMessage());
    }

    @Test
    void anUnknownPreTokenizerIsNamedWithTheSupportedOnes() {
        VelaException e = assertThrows(VelaException.class, () -> Tokenizer.from(new TinyGguf()
                .put("tokenizer.ggml.model", "gpt2")
                .put("tokenizer.ggml.pre", "martian")
                .put("tokenizer.ggml.tokens", new String[] {"a", "b", "ab"})
                .put("tokenizer.ggml.merges", new String[] {"a b"})
                .metadata(dir)));
        assertTrue(e.getMessage().contains("'martian'"), e.getMessage());
        assertTrue(e.getMessage().contains("llama-bpe") && e.getMessage().contains("qwen2"), e.getMessage());
    }

    @Test
    void bosIsAddedOnlyWhenTheModelWantsIt() {
        assertArrayEquals(new int[] {1, 346, 306, 414, 263, 304, 341}, tokenizer(TokenizerVectorsTest.STORIES).encode("Hello world", true, false));
        assertArrayEquals(new int[] {128000, 9906, 1917}, tokenizer(TokenizerVectorsTest.LLAMA3).encode("Hello world", true, false));
        // Qwen2 sets add_bos_token false: the request follows the model, as llama.cpp's add_special.
        assertArrayEquals(tokenizer(TokenizerVectorsTest.QWEN2).encode("Hello world", false, false),
                tokenizer(TokenizerVectorsTest.QWEN2).encode("Hello world", true, false));
    }

    @Test
    void emptyTextHasNoTokensButBos() {
        Tokenizer spm = tokenizer(TokenizerVectorsTest.LLAMA2);
        assertArrayEquals(new int[0], spm.encode("", false, false));
        assertArrayEquals(new int[] {1}, spm.encode("", true, false));
    }

    @Test
    void controlTokenTextIsPlainTextUnlessParsed() {
        Tokenizer t = tokenizer(TokenizerVectorsTest.LLAMA3);
        assertArrayEquals(new int[] {128006, 882, 128007}, t.encode("<|start_header_id|>user<|end_header_id|>", false, true));
        int[] plain = t.encode("<|start_header_id|>", false, false);
        assertTrue(plain.length > 1, "parsed as plain text, the control token's text takes several tokens");
        for (int id : plain) {
            assertFalse(t.isControl(id));
        }
    }

    @Test
    void userDefinedTokensAreMatchedEvenInPlainText() {
        Tokenizer qwen = tokenizer(TokenizerVectorsTest.QWEN2);
        int[] ids = qwen.encode("<tool_call>x</tool_call>", false, false);
        assertEquals(151657, ids[0]);
        assertEquals(151658, ids[ids.length - 1]);
    }

    @Test
    void phi3DropsWhitespaceAfterSpecialTokensAndPrefixesTheNextText() {
        Tokenizer phi3 = tokenizer(TokenizerVectorsTest.PHI3);
        int hi = phi3.vocabulary().id("▁Hi");
        assertArrayEquals(new int[] {1, 32010, hi, 32007}, phi3.encode("<|user|>\nHi<|end|>", true, true));
    }

    @Test
    void longestSpecialTokenWins() {
        Tokenizer t = tokenizer(TokenizerVectorsTest.LLAMA3);
        // "<|reserved_special_token_10|>" contains no shorter token, but "...token_1" is a prefix of it.
        assertArrayEquals(new int[] {128018}, t.encode("<|reserved_special_token_10|>", false, true));
    }

    @Test
    void tokenBytesAreTheRawPiece() {
        Tokenizer spm = tokenizer(TokenizerVectorsTest.LLAMA2);
        assertArrayEquals(" Hello".getBytes(StandardCharsets.UTF_8), spm.tokenBytes(spm.vocabulary().id("▁Hello")));
        assertArrayEquals(new byte[] {(byte) 0xF0}, spm.tokenBytes(spm.vocabulary().id("<0xF0>")));
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), spm.tokenBytes(1));
        assertTrue(spm.isControl(1));
        assertArrayEquals(new byte[0], spm.pieceBytes(1, false));
        assertArrayEquals("<s>".getBytes(StandardCharsets.UTF_8), spm.pieceBytes(1, true));

        Tokenizer bpe = tokenizer(TokenizerVectorsTest.LLAMA3);
        assertArrayEquals(" world".getBytes(StandardCharsets.UTF_8), bpe.tokenBytes(1917));
        assertArrayEquals("\n".getBytes(StandardCharsets.UTF_8), bpe.tokenBytes(198));
        assertArrayEquals("<|eot_id|>".getBytes(StandardCharsets.UTF_8), bpe.tokenBytes(128009));
        assertArrayEquals(new byte[0], bpe.pieceBytes(128009, false));
    }

    @Test
    void decodeRemovesTheSentencePieceSpacePrefixAgain() {
        Tokenizer spm = tokenizer(TokenizerVectorsTest.LLAMA2);
        assertEquals("Hello world", spm.decode(spm.encode("Hello world", false, false), false));
        // After BOS the first piece is the BOS's empty text, so llama.cpp keeps the space.
        assertEquals(" Hello world", spm.decode(spm.encode("Hello world", true, false), false));
        assertEquals("<s> Hello world", spm.decode(spm.encode("Hello world", true, false), true));
    }

    @Test
    void llama3DecodeTidiesSpacesAsLlamaCppDoes() {
        Tokenizer t = tokenizer(TokenizerVectorsTest.LLAMA3);
        assertEquals("Hello, world! It's me.", t.decode(t.encode("Hello , world ! It 's me .", false, false), false));
        Tokenizer qwen = tokenizer(TokenizerVectorsTest.QWEN2);
        assertEquals("Hello , world !", qwen.decode(qwen.encode("Hello , world !", false, false), false));
    }

    @Test
    void sentencePieceCutsTextOnlyWhereNoMergeCanCross() {
        String[] alphabet = {"a", "b", "th", "e", " ", " ", "  ", "\n", "日", "本", "語", "🙂", "é", "ing", "▁", "<0x41>", "1", "."};
        for (String model : new String[] {TokenizerVectorsTest.LLAMA2, TokenizerVectorsTest.STORIES}) {
            SentencePieceTokenizer t = (SentencePieceTokenizer) tokenizer(model);
            java.util.Random random = new java.util.Random(3);
            for (int n = 0; n < 2000; n++) {
                StringBuilder s = new StringBuilder();
                for (int i = random.nextInt(30); i >= 0; i--) {
                    s.append(alphabet[random.nextInt(alphabet.length)]);
                }
                String text = s.toString();
                assertArrayEquals(t.mergeWhole((" " + text).replace(' ', '▁')), t.encode(text, false, false), text);
            }
        }
    }
}
