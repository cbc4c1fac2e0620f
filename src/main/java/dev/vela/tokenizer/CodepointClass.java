package dev.vela.tokenizer;

/**
 * The Unicode classes the pre-tokenizer patterns use: {@code \p{L}}, {@code \p{N}} and {@code \s}.
 * {@code \s} is the Unicode White_Space property, as in llama.cpp's tables (Java's own
 * {@code Character.isWhitespace} leaves out the no-break spaces, which tokenizers count).
 */
final class CodepointClass {
    private CodepointClass() {}

    static boolean isLetter(int cp) {
        return Character.isLetter(cp);
    }

    static boolean isNumber(int cp) {
        int type = Character.getType(cp);
        return type == Character.DECIMAL_DIGIT_NUMBER || type == Character.LETTER_NUMBER || type == Character.OTHER_NUMBER;
    }

    static boolean isWhitespace(int cp) {
        return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680
                || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F
                || cp == 0x205F || cp == 0x3000;
    }
}
