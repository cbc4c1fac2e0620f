package dev.vela;

/**
 * A failure the user can act on: a bad path, a corrupt or unsupported file, a bad option.
 * The message is one line, complete on its own; the CLI prints it and exits non-zero,
 * with a stack trace only under {@code --verbose}.
 */
public class VelaException extends RuntimeException {
    public VelaException(String message) {
        super(message);
    }

    public VelaException(String message, Throwable cause) {
        super(message, cause);
    }
}
