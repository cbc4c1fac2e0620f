package dev.vela.chat;

import java.util.HashMap;
import java.util.Map;

/**
 * Variables visible at one point of a render. A for-loop iteration, a macro call and a with
 * block each get a child scope, so a {@code set} inside them is gone when they end; an
 * {@code if} does not, as in Jinja2.
 */
final class Scope {
    private final Scope parent;
    private final Map<String, Object> vars = new HashMap<>();

    Scope(Scope parent) {
        this.parent = parent;
    }

    Object lookup(String name) {
        for (Scope s = this; s != null; s = s.parent) {
            if (s.vars.containsKey(name)) {
                return s.vars.get(name);
            }
        }
        return Undefined.variable(name);
    }

    void set(String name, Object value) {
        vars.put(name, value);
    }
}
