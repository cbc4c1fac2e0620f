package dev.vela.chat;

/** A template that cannot be parsed; {@link ChatTemplate#parse} turns it into a VelaException. */
final class TemplateSyntaxError extends RuntimeException {
    final int line;

    TemplateSyntaxError(String message, int line) {
        super(message, null, false, false);
        this.line = line;
    }
}
