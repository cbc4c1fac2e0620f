package dev.vela.tokenizer;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamDecoderTest {
    @Test
    void anEmojiSplitOverByteTokensComesOutWhole() {
        Tokenizer t = TokenizerVectors.tokenizer(TokenizerVectorsTest.LLAMA2);
        int[] ids = t.encode("a🙂b", false, false);
        List<String> parts = new ArrayList<>();
        StreamDecoder d = new StreamDecoder(t, false);
        for (int id : ids) {
            parts.add(d.push(id));
        }
        parts.add(d.flush());
        // ▁a, then four byte tokens of which only the last completes the emoji, then b
        assertEquals(List.of(" a", "", "", "", "🙂", "b", ""), parts);
    }

    @Test
    void byteLevelPiecesThatSplitACharacterWait() {
        Tokenizer t = TokenizerVectors.tokenizer(TokenizerVectorsTest.LLAMA3);
        String text = "👩‍👩‍👧 family 日本語";
        StringBuilder out = new StringBuilder();
        StreamDecoder d = new StreamDecoder(t, false);
        for (int id : t.encode(text, false, false)) {
            String part = d.push(id);
            assertTrue(part.indexOf('\uFFFD') < 0, "no half characters: " + part);
            out.append(part);
        }
        assertEquals(text, out.append(d.flush()).toString());
    }

    @Test
    void controlTokensShowOnlyWhenAsked() {
        Tokenizer t = TokenizerVectors.tokenizer(TokenizerVectorsTest.QWEN2);
        assertEquals("", new StreamDecoder(t, false).push(151645));
        assertEquals("<|im_end|>", new StreamDecoder(t, true).push(151645));
    }

    @Test
    void anUnfinishedCharacterIsReplacedAtTheEnd() {
        Tokenizer t = TokenizerVectors.tokenizer(TokenizerVectorsTest.LLAMA2);
        StreamDecoder d = new StreamDecoder(t, false);
        assertEquals("", d.push(t.vocabulary().id("<0xF0>")));
        assertEquals("", d.push(t.vocabulary().id("<0x9F>")));
        assertEquals("\uFFFD", d.flush());
        assertEquals("", d.flush());
    }

    @Test
    void incompleteTailCountsOnlyBytesThatCanStillComplete() {
        assertEquals(0, StreamDecoder.incompleteTail(new byte[] {'a'}));
        assertEquals(1, StreamDecoder.incompleteTail(new byte[] {'a', (byte) 0xC3}));
        assertEquals(0, StreamDecoder.incompleteTail(new byte[] {(byte) 0xC3, (byte) 0xA9}));
        assertEquals(2, StreamDecoder.incompleteTail(new byte[] {(byte) 0xE6, (byte) 0x97}));
        assertEquals(3, StreamDecoder.incompleteTail(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x99}));
        assertEquals(0, StreamDecoder.incompleteTail(new byte[] {(byte) 0xF0, (byte) 0x9F, (byte) 0x99, (byte) 0x82}));
        assertEquals(0, StreamDecoder.incompleteTail(new byte[] {(byte) 0xFF})); // never valid: do not wait
        assertEquals(0, StreamDecoder.incompleteTail(new byte[] {(byte) 0x80})); // stray continuation
    }
}
