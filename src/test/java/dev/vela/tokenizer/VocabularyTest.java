package dev.vela.tokenizer;

import dev.vela.VelaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class VocabularyTest {
    @TempDir
    Path dir;

    private static Vocabulary vocab(String model) {
        return TokenizerVectors.tokenizer(model).vocabulary();
    }

    @Test
    void storiesUsesSentencePieceDefaults() {
        Vocabulary v = vocab(TokenizerVectorsTest.STORIES);
        assertEquals("llama", v.model());
        assertEquals(512, v.size());
        assertEquals(1, v.bos());
        assertEquals(2, v.eos());
        assertEquals(0, v.unk());
        // The file stores the padding id as 2^32 - 1: out of range, so no padding, as in llama.cpp.
        assertEquals(Vocabulary.NONE, v.pad());
        assertTrue(v.addBos());
        assertTrue(v.addSpacePrefix());
        assertEquals(TokenType.UNKNOWN, v.type(0));
        assertEquals(TokenType.CONTROL, v.type(1));
        assertEquals(TokenType.BYTE, v.type(3));
        assertEquals("<0x00>", v.token(3));
        assertEquals(Set.of(2), v.endOfGeneration());
        assertTrue(v.merges().isEmpty());
    }

    @Test
    void llama3FindsEndOfTurnTokensByText() {
        Vocabulary v = vocab(TokenizerVectorsTest.LLAMA3);
        assertEquals("gpt2", v.model());
        assertEquals("llama-bpe", v.preTokenizer());
        assertEquals(128000, v.bos());
        assertEquals(128009, v.eos());
        assertEquals(128009, v.eot());
        assertEquals(128008, v.eom());
        assertEquals(Set.of(128001, 128008, 128009), v.endOfGeneration());
        assertTrue(v.addBos());
        assertFalse(v.addSpacePrefix());
        assertEquals(280147, v.merges().size());
        assertEquals("Ġ Ġ", v.merges().get(0));
        assertEquals(128006, v.id("<|start_header_id|>"));
        assertEquals(Vocabulary.NONE, v.id("no such token"));
    }

    @Test
    void qwen2AddsNoBosAndStopsAtImEnd() {
        Vocabulary v = vocab(TokenizerVectorsTest.QWEN2);
        assertEquals(151643, v.bos());
        assertEquals(151645, v.eos());
        assertFalse(v.addBos());
        assertTrue(v.isEndOfGeneration(151643)); // <|endoftext|>
        assertTrue(v.isEndOfGeneration(151645)); // <|im_end|>
        assertTrue(v.isEndOfGeneration(151662)); // <|fim_pad|>, as llama.cpp
        assertFalse(v.isEndOfGeneration(151644)); // <|im_start|>
        assertEquals(TokenType.USER_DEFINED, v.type(151657));
        assertEquals(TokenType.UNUSED, v.type(151665));
    }

    @Test
    void phi3SpecialTokensSwallowTheWhitespaceAfterThem() {
        Vocabulary v = vocab(TokenizerVectorsTest.PHI3);
        assertEquals(32000, v.eos());
        assertEquals(Set.of(32000, 32007), v.endOfGeneration());
        assertTrue(v.rstrip(v.id("<|user|>")));
        assertTrue(v.rstrip(v.id("<|end|>")));
        assertTrue(v.rstrip(v.id("</s>")));
        assertFalse(v.rstrip(v.id("<|endoftext|>")));
        assertFalse(v.rstrip(v.id("<s>")));
        assertFalse(v.rstrip(v.id("<unk>")));
        assertFalse(vocab(TokenizerVectorsTest.LLAMA2).rstrip(2));
    }

    @Test
    void madeUpVocabularyGetsDefaultsAndKeysOverrideThem() {
        Vocabulary v = Vocabulary.from(new TinyGguf()
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", new String[] {"<unk>", "<s>", "</s>", "▁a", "<|im_end|>"})
                .put("tokenizer.ggml.scores", new float[] {0, 0, 0, -1, 0})
                .put("tokenizer.ggml.token_type", new int[] {2, 3, 3, 1, 4})
                .put("tokenizer.ggml.add_space_prefix", false)
                .put("tokenizer.ggml.eot_token_id", 3)
                .metadata(dir));
        assertFalse(v.addSpacePrefix());
        assertEquals(3, v.eot());
        // Found by text: end of generation, and control whatever the file says, as in llama.cpp.
        assertTrue(v.isEndOfGeneration(4));
        assertEquals(TokenType.CONTROL, v.type(4));
        assertEquals(Set.of(2, 3, 4), v.endOfGeneration());
    }

    @Test
    void duplicateTokensAreRejected() {
        VelaException e = assertThrows(VelaException.class, () -> Vocabulary.from(new TinyGguf()
                .put("tokenizer.ggml.model", "llama")
                .put("tokenizer.ggml.tokens", new String[] {"<unk>", "<s>", "</s>", "a", "a"})
                .metadata(dir)));
        assertTrue(e.getMessage().contains("'a' has ids 3 and 4"), e.getMessage());
    }
}
