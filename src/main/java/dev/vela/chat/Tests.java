package dev.vela.chat;

import java.util.List;
import java.util.Map;

/** Jinja2's tests, the right-hand side of {@code x is name(args)}. */
final class Tests {
    private Tests() {}

    static boolean exists(String name) {
        return switch (name) {
            case "defined", "undefined", "none", "string", "number", "integer", "float", "boolean", "true",
                 "false", "mapping", "iterable", "sequence", "callable", "odd", "even", "divisibleby",
                 "equalto", "eq", "==", "ne", "!=", "lt", "<", "le", "<=", "gt", ">", "ge", ">=",
                 "lessthan", "greaterthan", "in", "sameas", "lower", "upper", "escaped", "filter", "test" -> true;
            default -> false;
        };
    }

    static boolean apply(String name, Object v, List<Object> args) {
        return switch (name) {
            case "defined" -> !(v instanceof Undefined);
            case "undefined" -> v instanceof Undefined;
            case "none" -> v == null;
            case "string" -> v instanceof String;
            case "number" -> PyValues.isNumber(v);
            case "integer" -> v instanceof Long;
            case "float" -> v instanceof Double;
            case "boolean" -> v instanceof Boolean;
            case "true" -> Boolean.TRUE.equals(v);
            case "false" -> Boolean.FALSE.equals(v);
            case "mapping" -> v instanceof Map;
            case "iterable" -> PyValues.isIterable(v);
            case "sequence" -> v instanceof List || v instanceof Tuple || v instanceof String || v instanceof Map
                    || v instanceof Undefined;
            case "callable" -> v instanceof JinjaCallable;
            case "odd" -> Math.floorMod(integer(v), 2) == 1;
            case "even" -> Math.floorMod(integer(v), 2) == 0;
            case "divisibleby" -> {
                long d = integer(arg(name, args));
                if (d == 0) {
                    throw new TemplateError("integer modulo by zero");
                }
                yield Math.floorMod(integer(v), d) == 0;
            }
            case "equalto", "eq", "==" -> PyValues.equal(v, arg(name, args));
            case "ne", "!=" -> !PyValues.equal(v, arg(name, args));
            case "lt", "<", "lessthan" -> PyValues.compare(v, arg(name, args), "<") < 0;
            case "le", "<=" -> PyValues.compare(v, arg(name, args), "<=") <= 0;
            case "gt", ">", "greaterthan" -> PyValues.compare(v, arg(name, args), ">") > 0;
            case "ge", ">=" -> PyValues.compare(v, arg(name, args), ">=") >= 0;
            case "in" -> PyValues.contains(arg(name, args), v);
            case "sameas" -> {
                Object other = arg(name, args);
                yield v == other || (v instanceof Boolean || v == null) && PyValues.equal(v, other)
                        && (other instanceof Boolean || other == null);
            }
            case "lower" -> v instanceof String s && s.equals(s.toLowerCase(java.util.Locale.ROOT));
            case "upper" -> v instanceof String s && s.equals(s.toUpperCase(java.util.Locale.ROOT));
            case "escaped" -> false;
            case "filter" -> v instanceof String s && Filters.exists(s);
            case "test" -> v instanceof String s && exists(s);
            default -> throw new TemplateError("no test named '" + name + "'");
        };
    }

    private static Object arg(String test, List<Object> args) {
        if (args.isEmpty()) {
            throw new TemplateError("test '" + test + "' needs an argument");
        }
        return args.getFirst();
    }

    private static long integer(Object v) {
        if (v instanceof Undefined u) {
            throw u.error();
        }
        if (!PyValues.isNumber(v)) {
            throw new TemplateError("expected a number, got " + PyValues.typeName(v));
        }
        return PyValues.toLong(v);
    }
}
