package dev.vela.tokenizer;

import dev.vela.VelaException;
import dev.vela.gguf.Metadata;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Text to token ids and back, exactly as llama.cpp does it for the same GGUF vocabulary.
 * Implementations are immutable apart from internal caches and safe to share between threads.
 */
public interface Tokenizer {
    /**
     * The token ids of {@code text}.
     *
     * @param addBos       add the model's BOS in front, if its vocabulary asks for one
     *                     ({@code add_bos_token}; also EOS at the end when {@code add_eos_token} is set),
     *                     as llama.cpp's {@code add_special}
     * @param parseSpecial turn control-token texts such as {@code <|im_start|>} into those tokens;
     *                     when false they are plain text (user-defined tokens are matched either way)
     */
    int[] encode(String text, boolean addBos, boolean parseSpecial);

    /** The raw bytes a token stands for; for control and unknown tokens, their text. */
    byte[] tokenBytes(int id);

    Vocabulary vocabulary();

    default boolean isControl(int id) {
        return vocabulary().isControl(id);
    }

    /**
     * The bytes to show for a token: {@link #tokenBytes}, except that control and unknown tokens
     * give nothing unless {@code renderSpecial} (llama.cpp's {@code token_to_piece}).
     */
    default byte[] pieceBytes(int id, boolean renderSpecial) {
        TokenType type = vocabulary().type(id);
        if (!renderSpecial && (type == TokenType.CONTROL || type == TokenType.UNKNOWN)) {
            return new byte[0];
        }
        return tokenBytes(id);
    }

    /**
     * The text of a whole sequence, as llama.cpp's {@code common_detokenize}: for SentencePiece the
     * space the encoder put in front of the text is removed from the first token again.
     */
    default String decode(int[] ids, boolean renderSpecial) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        boolean first = true;
        for (int id : ids) {
            byte[] piece = pieceBytes(id, renderSpecial);
            int skip = first && vocabulary().addSpacePrefix() && piece.length > 0 && piece[0] == ' ' ? 1 : 0;
            out.write(piece, skip, piece.length - skip);
            first = false;
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    /** The tokenizer a GGUF file's metadata describes. */
    static Tokenizer from(Metadata md) {
        return from(Vocabulary.from(md));
    }

    static Tokenizer from(Vocabulary vocabulary) {
        return switch (vocabulary.model()) {
            case Vocabulary.MODEL_SENTENCE_PIECE -> new SentencePieceTokenizer(vocabulary);
            case Vocabulary.MODEL_BYTE_PAIR -> new BytePairTokenizer(vocabulary);
            default -> throw new VelaException("tokenizer.ggml.model = '" + vocabulary.model()
                    + "' is a tokenizer Vela cannot run; supported: 'llama' (SentencePiece) and 'gpt2' (byte-level BPE)");
        };
    }
}
