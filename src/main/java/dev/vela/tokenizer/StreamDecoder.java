package dev.vela.tokenizer;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Turns generated tokens into text as they come, never splitting a UTF-8 character: bytes of a
 * character that is not complete yet (an emoji spread over several byte tokens) wait for the next
 * token. Like llama.cpp's streaming output ({@code common_token_to_piece}), it prints each piece as
 * is, leading space included. Not thread-safe: one decoder per stream.
 */
public final class StreamDecoder {
    private final Tokenizer tokenizer;
    private final boolean renderSpecial;
    private final ByteArrayOutputStream pending = new ByteArrayOutputStream();

    public StreamDecoder(Tokenizer tokenizer, boolean renderSpecial) {
        this.tokenizer = tokenizer;
        this.renderSpecial = renderSpecial;
    }

    /** The text that token {@code id} completes; empty while a character is still incomplete. */
    public String push(int id) {
        pending.writeBytes(tokenizer.pieceBytes(id, renderSpecial));
        byte[] bytes = pending.toByteArray();
        int complete = bytes.length - incompleteTail(bytes);
        pending.reset();
        pending.write(bytes, complete, bytes.length - complete);
        return new String(bytes, 0, complete, StandardCharsets.UTF_8);
    }

    /** Whatever is left, with U+FFFD for a character that never completed. */
    public String flush() {
        String rest = pending.toString(StandardCharsets.UTF_8);
        pending.reset();
        return rest;
    }

    /**
     * How many bytes at the end start a UTF-8 character whose remaining bytes have not arrived.
     * A malformed tail is not held back: it could never complete.
     */
    static int incompleteTail(byte[] b) {
        int n = b.length;
        for (int back = 1; back <= Math.min(3, n); back++) {
            int c = b[n - back] & 0xFF;
            if ((c & 0xC0) == 0x80) {
                continue; // continuation byte: look further back for the lead byte
            }
            int need = c >= 0xF0 && c <= 0xF4 ? 4 : c >= 0xE0 ? (c < 0xF0 ? 3 : 1) : c >= 0xC2 ? 2 : 1;
            return need > back ? back : 0;
        }
        return 0;
    }
}
