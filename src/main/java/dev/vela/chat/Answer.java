package dev.vela.chat;

import dev.vela.generate.Generator;
import dev.vela.tokenizer.StreamDecoder;
import dev.vela.tokenizer.Tokenizer;
import dev.vela.tokenizer.Vocabulary;

import java.util.Arrays;

/**
 * An answer as it is generated: its token ids (end-of-turn token included) and its text, streamed
 * to the listener. The text leaves out end-of-turn tokens and the whitespace a model often puts
 * first (a SentencePiece word's leading space), so what the user sees is what the conversation keeps.
 */
final class Answer implements Generator.TokenSink {
    private final StreamDecoder decoder;
    private final Vocabulary vocabulary;
    private final ChatSession.Listener listener;
    private final StringBuilder text = new StringBuilder();
    private int[] tokens = new int[64];
    private int size;

    Answer(Tokenizer tokenizer, ChatSession.Listener listener) {
        this.decoder = new StreamDecoder(tokenizer, false);
        this.vocabulary = tokenizer.vocabulary();
        this.listener = listener;
    }

    @Override
    public boolean accept(int token) {
        if (size == tokens.length) {
            tokens = Arrays.copyOf(tokens, size * 2);
        }
        tokens[size++] = token;
        return show(vocabulary.isEndOfGeneration(token) ? "" : decoder.push(token));
    }

    private boolean show(String piece) {
        if (text.isEmpty()) {
            piece = piece.stripLeading();
        }
        text.append(piece);
        return listener.text(piece);
    }

    int size() {
        return size;
    }

    int token(int i) {
        return tokens[i];
    }

    int[] tokens() {
        return Arrays.copyOf(tokens, size);
    }

    /** The whole text, once generation is over (a character left incomplete shows as U+FFFD). */
    String finish() {
        show(decoder.flush());
        return text.toString();
    }
}
