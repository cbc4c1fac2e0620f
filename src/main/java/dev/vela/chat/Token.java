package dev.vela.chat;

/** One lexical unit of a template: literal text, a tag delimiter, or a piece of an expression. */
record Token(Type type, String text, int line) {

    enum Type {
        TEXT, VAR_BEGIN, VAR_END, BLOCK_BEGIN, BLOCK_END,
        NAME, STRING, INTEGER, FLOAT, OPERATOR, EOF
    }

    boolean is(Type t, String s) {
        return type == t && text.equals(s);
    }

    boolean isName(String s) {
        return is(Type.NAME, s);
    }

    boolean isOp(String s) {
        return is(Type.OPERATOR, s);
    }

    /** How the token reads in an error message. */
    String describe() {
        return switch (type) {
            case EOF -> "end of template";
            case VAR_END -> "'}}'";
            case BLOCK_END -> "'%}'";
            case VAR_BEGIN -> "'{{'";
            case BLOCK_BEGIN -> "'{%'";
            case TEXT -> "template text";
            case STRING -> "string literal";
            default -> "'" + text + "'";
        };
    }
}
