package dev.vela.tokenizer;

/** The type of a vocabulary entry, as stored in {@code tokenizer.ggml.token_type}. */
public enum TokenType {
    UNDEFINED(0),
    NORMAL(1),
    UNKNOWN(2),
    CONTROL(3),
    USER_DEFINED(4),
    UNUSED(5),
    BYTE(6);

    private final int code;

    TokenType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    /** Codes outside the table count as UNDEFINED, as llama.cpp does. */
    public static TokenType of(int code) {
        for (TokenType t : values()) {
            if (t.code == code) {
                return t;
            }
        }
        return UNDEFINED;
    }

    /** Tokens whose text is split out of the input before the tokenizer model runs. */
    boolean isSpecial() {
        return this == CONTROL || this == USER_DEFINED || this == UNKNOWN;
    }
}
