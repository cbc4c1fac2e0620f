package dev.vela.chat;

/**
 * Jinja2's default {@code Undefined}: a missing variable, key or attribute. It prints as nothing,
 * is false, iterates as empty and has length 0, but using it in arithmetic, calling it or reading
 * an attribute of it is an error whose text is {@code message}.
 */
record Undefined(String message) {

    static Undefined variable(String name) {
        return new Undefined("'" + name + "' is undefined");
    }

    static Undefined attribute(Object owner, Object name) {
        if (name instanceof String s) {
            return new Undefined("'" + PyValues.objectTypeName(owner) + "' has no attribute " + PyValues.repr(s));
        }
        return new Undefined(PyValues.objectTypeName(owner) + " has no element " + PyValues.repr(name));
    }

    TemplateError error() {
        return new TemplateError(message);
    }
}
