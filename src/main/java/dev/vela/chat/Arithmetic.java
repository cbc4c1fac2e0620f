package dev.vela.chat;

import java.util.ArrayList;
import java.util.List;

/** Python's binary and unary arithmetic operators, with Python's error messages. */
final class Arithmetic {
    private Arithmetic() {}

    // Keeps a template from building a string or list too large to hold.
    private static final long MAX_REPEAT_SIZE = 1L << 26;

    static Object binary(String op, Object a, Object b) {
        if (a instanceof Undefined u) {
            throw u.error();
        }
        if (b instanceof Undefined u) {
            throw u.error();
        }
        if (PyValues.isNumber(a) && PyValues.isNumber(b)) {
            return numeric(op, a, b);
        }
        switch (op) {
            case "+" -> {
                if (a instanceof String x && b instanceof String y) {
                    return x + y;
                }
                if (a instanceof List<?> x && b instanceof List<?> y) {
                    List<Object> r = new ArrayList<>(x);
                    r.addAll(y);
                    return r;
                }
                if (a instanceof Tuple x && b instanceof Tuple y) {
                    List<Object> r = new ArrayList<>(x.items());
                    r.addAll(y.items());
                    return new Tuple(r);
                }
                if (a instanceof String || a instanceof List || a instanceof Tuple) {
                    String t = PyValues.typeName(a);
                    throw new TemplateError("can only concatenate " + t + " (not \"" + PyValues.typeName(b)
                            + "\") to " + t);
                }
            }
            case "*" -> {
                if (b instanceof Long || b instanceof Boolean) {
                    Object r = repeat(a, PyValues.toLong(b));
                    if (r != null) {
                        return r;
                    }
                } else if (a instanceof Long || a instanceof Boolean) {
                    Object r = repeat(b, PyValues.toLong(a));
                    if (r != null) {
                        return r;
                    }
                }
            }
            case "%" -> {
                if (a instanceof String format) {
                    return PyFormat.percent(format, b);
                }
            }
            default -> { }
        }
        throw new TemplateError("unsupported operand type(s) for " + op + ": '" + PyValues.typeName(a) + "' and '"
                + PyValues.typeName(b) + "'");
    }

    private static Object repeat(Object seq, long times) {
        long n = Math.max(0, times);
        if (seq instanceof String s) {
            if (s.length() * n > MAX_REPEAT_SIZE) {
                throw new TemplateError("string repetition too large");
            }
            return s.repeat((int) n);
        }
        List<?> items = seq instanceof List<?> l ? l : seq instanceof Tuple t ? t.items() : null;
        if (items == null) {
            return null;
        }
        if (items.size() * n > MAX_REPEAT_SIZE) {
            throw new TemplateError("list repetition too large");
        }
        List<Object> r = new ArrayList<>();
        for (long i = 0; i < n; i++) {
            r.addAll(items);
        }
        return seq instanceof Tuple ? new Tuple(r) : r;
    }

    private static Object numeric(String op, Object a, Object b) {
        boolean floats = a instanceof Double || b instanceof Double;
        if (op.equals("/")) {
            double y = PyValues.toDouble(b);
            if (y == 0) {
                throw new TemplateError("division by zero");
            }
            return PyValues.toDouble(a) / y;
        }
        if (floats) {
            double x = PyValues.toDouble(a);
            double y = PyValues.toDouble(b);
            return switch (op) {
                case "+" -> x + y;
                case "-" -> x - y;
                case "*" -> x * y;
                case "**" -> Math.pow(x, y);
                case "//" -> {
                    if (y == 0) {
                        throw new TemplateError("float floor division by zero");
                    }
                    yield Math.floor(x / y);
                }
                case "%" -> {
                    if (y == 0) {
                        throw new TemplateError("float modulo");
                    }
                    double r = x % y;
                    yield (r != 0 && (r < 0) != (y < 0)) ? r + y : r;
                }
                default -> throw new TemplateError("unknown operator " + op);
            };
        }
        long x = PyValues.toLong(a);
        long y = PyValues.toLong(b);
        try {
            return switch (op) {
                case "+" -> Math.addExact(x, y);
                case "-" -> Math.subtractExact(x, y);
                case "*" -> Math.multiplyExact(x, y);
                case "//" -> {
                    if (y == 0) {
                        throw new TemplateError("integer division or modulo by zero");
                    }
                    yield Math.floorDiv(x, y);
                }
                case "%" -> {
                    if (y == 0) {
                        throw new TemplateError("integer modulo by zero");
                    }
                    yield Math.floorMod(x, y);
                }
                case "**" -> {
                    if (y < 0) {
                        yield Math.pow(x, y);
                    }
                    long r = 1;
                    for (long i = 0; i < y; i++) {
                        r = Math.multiplyExact(r, x);
                        if (r == 0 || r == 1 && x == 1) {
                            break;
                        }
                    }
                    yield r;
                }
                default -> throw new TemplateError("unknown operator " + op);
            };
        } catch (ArithmeticException e) {
            throw new TemplateError("integer overflow in '" + op + "'");
        }
    }

    static Object negate(Object v) {
        return switch (v) {
            case Long l -> {
                if (l == Long.MIN_VALUE) {
                    throw new TemplateError("integer overflow in unary '-'");
                }
                yield -l;
            }
            case Boolean b -> b ? -1L : 0L;
            case Double d -> -d;
            case Undefined u -> throw u.error();
            case null, default -> throw new TemplateError("bad operand type for unary -: '" + PyValues.typeName(v) + "'");
        };
    }

    static Object plus(Object v) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> d;
            case Undefined u -> throw u.error();
            case null, default -> throw new TemplateError("bad operand type for unary +: '" + PyValues.typeName(v) + "'");
        };
    }
}
