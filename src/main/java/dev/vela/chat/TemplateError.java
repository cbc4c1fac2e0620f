package dev.vela.chat;

/**
 * A failure while rendering. {@code raised} marks the template's own {@code raise_exception(...)},
 * whose message is the template author's text and is shown as is.
 */
final class TemplateError extends RuntimeException {
    final boolean raised;

    TemplateError(String message) {
        this(message, false);
    }

    TemplateError(String message, boolean raised) {
        super(message, null, false, false);
        this.raised = raised;
    }
}
