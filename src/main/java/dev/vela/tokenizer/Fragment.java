package dev.vela.tokenizer;

/** A piece of input after special tokens are split out: plain text for the tokenizer model, or a token. */
sealed interface Fragment {
    record Text(String text) implements Fragment {}

    record Special(int id) implements Fragment {}
}
