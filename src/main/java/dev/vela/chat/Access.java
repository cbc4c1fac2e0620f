package dev.vela.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code a.b} and {@code a[b]} as Jinja2's immutable sandbox resolves them: a dict's keys are
 * reachable as attributes, a string's and a dict's safe methods as bound methods, and a missing
 * key, index or attribute gives {@link Undefined} rather than an error.
 */
final class Access {
    private Access() {}

    private static final Set<String> STRING_METHODS = Set.of(
            "strip", "lstrip", "rstrip", "split", "rsplit", "splitlines", "startswith", "endswith",
            "upper", "lower", "title", "capitalize", "swapcase", "replace", "find", "rfind", "index", "rindex",
            "count", "join", "isdigit", "isnumeric", "isdecimal", "isalpha", "isalnum", "isspace", "isupper",
            "islower", "istitle", "zfill", "center", "ljust", "rjust", "removeprefix", "removesuffix",
            "partition", "rpartition", "format");
    private static final Set<String> DICT_METHODS = Set.of("get", "keys", "values", "items", "copy");
    private static final Set<String> LIST_METHODS = Set.of("index", "count", "copy");
    // The immutable sandbox refuses methods that would change the template's inputs.
    private static final Set<String> MUTATING = Set.of(
            "append", "extend", "insert", "pop", "remove", "clear", "sort", "reverse",
            "update", "setdefault", "popitem", "add", "discard");

    /** {@code obj.name}: an attribute first, then a key. */
    static Object attribute(Object obj, String name) {
        switch (obj) {
            case Undefined u -> throw u.error();
            case Map<?, ?> m -> {
                if (DICT_METHODS.contains(name)) {
                    return method(obj, name);
                }
                if (MUTATING.contains(name)) {
                    return unsafe(obj, name);
                }
                Object key = PyValues.findKey(m, name);
                return key == PyValues.NO_KEY ? Undefined.attribute(obj, name) : m.get(key);
            }
            case String s -> {
                return STRING_METHODS.contains(name) ? method(obj, name) : Undefined.attribute(obj, name);
            }
            case List<?> l -> {
                if (LIST_METHODS.contains(name)) {
                    return method(obj, name);
                }
                return MUTATING.contains(name) ? unsafe(obj, name) : Undefined.attribute(obj, name);
            }
            case Namespace ns -> {
                return ns.attrs.containsKey(name) ? ns.attrs.get(name) : Undefined.attribute(obj, name);
            }
            case LoopInfo loop -> {
                return loop.attribute(name);
            }
            case null, default -> {
                return Undefined.attribute(obj, name);
            }
        }
    }

    private static Undefined unsafe(Object obj, String name) {
        return new Undefined("access to attribute '" + name + "' of '" + PyValues.typeName(obj)
                + "' object is unsafe");
    }

    private static JinjaCallable method(Object self, String name) {
        return (args, kwargs) -> Methods.call(self, name, args, kwargs);
    }

    /** {@code obj[key]}: an item first, then (for a string key) an attribute. */
    static Object item(Object obj, Object key) {
        if (obj instanceof Undefined u) {
            throw u.error();
        }
        if (key instanceof SliceKey slice) {
            return slice(obj, slice);
        }
        switch (obj) {
            case Map<?, ?> m -> {
                Object k = PyValues.findKey(m, key);
                if (k != PyValues.NO_KEY) {
                    return m.get(k);
                }
            }
            case List<?> l -> {
                Integer i = index(key, l.size());
                if (i != null) {
                    return l.get(i);
                }
            }
            case Tuple t -> {
                Integer i = index(key, t.items().size());
                if (i != null) {
                    return t.items().get(i);
                }
            }
            case String s -> {
                int[] cps = PyStrings.codePoints(s);
                Integer i = index(key, cps.length);
                if (i != null) {
                    return Character.toString(cps[i]);
                }
            }
            case null, default -> { }
        }
        if (key instanceof String name) {
            return attribute(obj, name);
        }
        return Undefined.attribute(obj, key);
    }

    private static Integer index(Object key, int size) {
        if (!(key instanceof Long) && !(key instanceof Boolean)) {
            return null;
        }
        long i = PyValues.toLong(key);
        if (i < 0) {
            i += size;
        }
        return i >= 0 && i < size ? (int) i : null;
    }

    /** The evaluated {@code start:stop:step} of a subscript; nulls are omitted parts. */
    record SliceKey(Object start, Object stop, Object step) {}

    private static Object slice(Object obj, SliceKey key) {
        return switch (obj) {
            case List<?> l -> sliceList(l, key);
            case Tuple t -> new Tuple(sliceList(t.items(), key));
            case String s -> {
                int[] cps = PyStrings.codePoints(s);
                int[] r = sliceIndices(cps.length, key);
                StringBuilder sb = new StringBuilder();
                for (int i = r[0]; r[2] > 0 ? i < r[1] : i > r[1]; i += r[2]) {
                    sb.appendCodePoint(cps[i]);
                }
                yield sb.toString();
            }
            case null, default -> throw new TemplateError("'" + PyValues.typeName(obj) + "' object is not subscriptable");
        };
    }

    private static List<Object> sliceList(List<?> l, SliceKey key) {
        int[] r = sliceIndices(l.size(), key);
        List<Object> out = new ArrayList<>();
        for (int i = r[0]; r[2] > 0 ? i < r[1] : i > r[1]; i += r[2]) {
            out.add(l.get(i));
        }
        return out;
    }

    /** Python's {@code slice.indices(len)}: start, stop, step clamped to the sequence. */
    private static int[] sliceIndices(int len, SliceKey key) {
        long step = part(key.step(), 1);
        if (step == 0) {
            throw new TemplateError("slice step cannot be zero");
        }
        long start;
        long stop;
        if (step > 0) {
            start = clamp(part(key.start(), 0), len, 0, len);
            stop = clamp(part(key.stop(), len), len, 0, len);
        } else {
            start = clamp(part(key.start(), len - 1), len, -1, len - 1);
            stop = key.stop() == null ? -1 : clamp(part(key.stop(), -1), len, -1, len - 1);
        }
        return new int[] {(int) start, (int) stop, (int) Math.max(Integer.MIN_VALUE + 1, Math.min(step, Integer.MAX_VALUE))};
    }

    private static long part(Object v, long dflt) {
        if (v == null) {
            return dflt;
        }
        if (v instanceof Long || v instanceof Boolean) {
            return PyValues.toLong(v);
        }
        if (v instanceof Undefined u) {
            throw u.error();
        }
        throw new TemplateError("slice indices must be integers or None");
    }

    private static long clamp(long i, int len, long lo, long hi) {
        if (i < 0) {
            i += len;
            if (i < lo) {
                i = lo;
            }
        } else if (i > hi) {
            i = hi;
        }
        return i;
    }
}
