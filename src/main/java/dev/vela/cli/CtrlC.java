package dev.vela.cli;

import sun.misc.Signal;
import sun.misc.SignalHandler;

import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Ctrl-C (SIGINT) in a chat: while an answer is written it stops that answer; at the prompt it
 * says how to quit. The program goes on either way. Closing puts the previous handler back.
 */
final class CtrlC implements AutoCloseable {
    private static final Signal INT = new Signal("INT");

    private final AtomicBoolean pressed = new AtomicBoolean();
    private final Runnable atPrompt;
    private final SignalHandler previous;
    private volatile boolean answering;

    private CtrlC(Runnable atPrompt) {
        this.atPrompt = atPrompt;
        this.previous = install(this::handle);
    }

    /** @param atPrompt what to do on Ctrl-C while no answer is being written */
    static CtrlC install(Runnable atPrompt) {
        return new CtrlC(atPrompt);
    }

    private static SignalHandler install(SignalHandler handler) {
        try {
            return Signal.handle(INT, handler);
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            return null; // no SIGINT here (or the JVM keeps it): Ctrl-C keeps its default meaning
        }
    }

    private void handle(Signal signal) {
        if (answering) {
            pressed.set(true);
        } else {
            atPrompt.run();
        }
    }

    /** Marks the start or end of an answer; a Ctrl-C before it does not count. */
    void answering(boolean on) {
        pressed.set(false);
        answering = on;
    }

    /** Whether Ctrl-C was pressed during the current answer. */
    boolean pressed() {
        return pressed.get();
    }

    @Override
    public void close() {
        answering = false;
        if (previous != null) {
            install(previous);
        }
    }
}
