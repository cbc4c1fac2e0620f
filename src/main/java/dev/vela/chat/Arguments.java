package dev.vela.chat;

import java.util.List;
import java.util.Map;

/** Binds positional and keyword arguments to a builtin's parameter names, as Python does. */
final class Arguments {
    static final Object MISSING = new Object();

    private final String function;
    private final Object[] values;

    private Arguments(String function, Object[] values) {
        this.function = function;
        this.values = values;
    }

    static Arguments bind(String function, List<Object> args, Map<String, Object> kwargs, String... names) {
        if (args.size() > names.length) {
            throw new TemplateError(function + "() takes at most " + names.length + " argument"
                    + (names.length == 1 ? "" : "s") + " (" + args.size() + " given)");
        }
        Object[] values = new Object[names.length];
        java.util.Arrays.fill(values, MISSING);
        for (int i = 0; i < args.size(); i++) {
            values[i] = args.get(i);
        }
        for (Map.Entry<String, Object> e : kwargs.entrySet()) {
            int i = List.of(names).indexOf(e.getKey());
            if (i < 0) {
                throw new TemplateError(function + "() got an unexpected keyword argument '" + e.getKey() + "'");
            }
            if (values[i] != MISSING) {
                throw new TemplateError(function + "() got multiple values for argument '" + e.getKey() + "'");
            }
            values[i] = e.getValue();
        }
        return new Arguments(function, values);
    }

    boolean has(int i) {
        return values[i] != MISSING;
    }

    Object get(int i, Object dflt) {
        return values[i] == MISSING ? dflt : values[i];
    }

    Object required(int i, String name) {
        if (values[i] == MISSING) {
            throw new TemplateError(function + "() missing required argument '" + name + "'");
        }
        return values[i];
    }

    /** A string argument; None and an omitted argument give {@code dflt}. */
    String string(int i, String dflt) {
        Object v = get(i, dflt);
        if (v == null || v == dflt) {
            return dflt;
        }
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateError(function + "() argument must be str, not " + PyValues.typeName(v));
    }

    long integer(int i, long dflt) {
        Object v = get(i, null);
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long || v instanceof Boolean) {
            return PyValues.toLong(v);
        }
        if (v instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateError(function + "() argument must be an integer, not " + PyValues.typeName(v));
    }

    boolean bool(int i, boolean dflt) {
        Object v = get(i, MISSING);
        return v == MISSING ? dflt : PyValues.truthy(v);
    }
}
