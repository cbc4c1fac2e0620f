package dev.vela.chat;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Jinja2's built-in filters, with transformers' {@code tojson}. */
final class Filters {
    private Filters() {}

    private static final java.util.Set<String> NAMES = java.util.Set.of(
            "trim", "tojson", "length", "count", "items", "join", "list", "string", "first", "last", "upper",
            "lower", "capitalize", "title", "replace", "default", "d", "int", "float", "abs", "round", "reverse",
            "sort", "unique", "sum", "min", "max", "map", "select", "reject", "selectattr", "rejectattr", "indent",
            "safe", "escape", "e", "forceescape", "attr", "format", "dictsort", "batch", "wordcount", "center",
            "truncate", "bool");

    static boolean exists(String name) {
        return NAMES.contains(name);
    }

    static Object apply(String name, Object v, List<Object> args, Map<String, Object> kwargs) {
        return switch (name) {
            case "trim" -> PyStrings.strip(PyValues.str(v), Arguments.bind(name, args, kwargs, "chars").string(0, null));
            case "tojson" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "ensure_ascii", "indent", "separators", "sort_keys");
                yield PyJson.dumps(v, a.bool(0, false), a.get(1, null), a.get(2, null), a.bool(3, false));
            }
            case "length", "count" -> PyValues.length(v);
            case "items" -> {
                if (v instanceof Undefined) {
                    yield List.of();
                }
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateError("Can only get item pairs from a mapping.");
                }
                List<Object> items = new ArrayList<>();
                m.forEach((k, x) -> items.add(new Tuple(java.util.Arrays.asList(k, x))));
                yield items;
            }
            case "join" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "d", "attribute");
                String sep = PyValues.str(a.get(0, ""));
                Object attribute = a.get(1, null);
                StringBuilder sb = new StringBuilder();
                boolean first = true;
                for (Object item : PyValues.iterate(v)) {
                    sb.append(first ? "" : sep).append(PyValues.str(attribute == null ? item : path(item, attribute)));
                    first = false;
                }
                yield sb.toString();
            }
            case "list" -> PyValues.iterate(v);
            case "string" -> PyValues.str(v);
            case "bool" -> PyValues.truthy(v);
            case "first" -> {
                List<Object> items = PyValues.iterate(v);
                yield items.isEmpty() ? new Undefined("No first item, sequence was empty.") : items.getFirst();
            }
            case "last" -> {
                List<Object> items = PyValues.iterate(v);
                yield items.isEmpty() ? new Undefined("No last item, sequence was empty.") : items.getLast();
            }
            case "upper" -> PyValues.str(v).toUpperCase(Locale.ROOT);
            case "lower" -> PyValues.str(v).toLowerCase(Locale.ROOT);
            case "capitalize" -> PyStrings.capitalize(PyValues.str(v));
            case "title" -> title(PyValues.str(v));
            case "replace" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "old", "new", "count");
                yield Methods.replace(PyValues.str(v), PyValues.str(a.required(0, "old")),
                        PyValues.str(a.required(1, "new")), a.integer(2, -1));
            }
            case "default", "d" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "default_value", "boolean");
                boolean useDefault = v instanceof Undefined || (a.bool(1, false) && !PyValues.truthy(v));
                yield useDefault ? a.get(0, "") : v;
            }
            case "int" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "default", "base");
                yield toInt(v, a.get(0, 0L), a.integer(1, 10));
            }
            case "float" -> {
                Object dflt = Arguments.bind(name, args, kwargs, "default").get(0, 0.0);
                yield toFloat(v, dflt);
            }
            case "abs" -> switch (v) {
                case Long l -> Math.abs(l);
                case Double x -> Math.abs(x);
                case Boolean b -> b ? 1L : 0L;
                case null, default -> throw new TemplateError("bad operand type for abs(): '" + PyValues.typeName(v) + "'");
            };
            case "round" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "precision", "method");
                long precision = a.integer(0, 0);
                String method = a.string(1, "common");
                double x = PyValues.toDouble(v);
                java.math.RoundingMode mode = switch (method) {
                    case "common" -> java.math.RoundingMode.HALF_UP;
                    case "ceil" -> java.math.RoundingMode.CEILING;
                    case "floor" -> java.math.RoundingMode.FLOOR;
                    default -> throw new TemplateError("method must be common, ceil or floor");
                };
                if (Double.isNaN(x) || Double.isInfinite(x)) {
                    yield x;
                }
                yield new java.math.BigDecimal(Double.toString(x)).setScale((int) precision, mode).doubleValue();
            }
            case "reverse" -> {
                if (v instanceof String s) {
                    yield new StringBuilder(s).reverse().toString();
                }
                List<Object> items = new ArrayList<>(PyValues.iterate(v));
                Collections.reverse(items);
                yield items;
            }
            case "sort" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "reverse", "case_sensitive", "attribute");
                List<Object> items = new ArrayList<>(PyValues.iterate(v));
                Comparator<Object> order = sortOrder(a.bool(1, false), a.get(2, null));
                items.sort(a.bool(0, false) ? order.reversed() : order);
                yield items;
            }
            case "unique" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "case_sensitive", "attribute");
                boolean caseSensitive = a.bool(0, false);
                Object attribute = a.get(1, null);
                List<Object> seen = new ArrayList<>();
                List<Object> out = new ArrayList<>();
                for (Object item : PyValues.iterate(v)) {
                    Object key = sortKey(attribute == null ? item : path(item, attribute), caseSensitive);
                    if (seen.stream().noneMatch(s -> PyValues.equal(s, key))) {
                        seen.add(key);
                        out.add(item);
                    }
                }
                yield out;
            }
            case "sum" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "attribute", "start");
                Object attribute = a.get(0, null);
                Object total = a.get(1, 0L);
                for (Object item : PyValues.iterate(v)) {
                    total = Arithmetic.binary("+", total, attribute == null ? item : path(item, attribute));
                }
                yield total;
            }
            case "min", "max" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "case_sensitive", "attribute");
                List<Object> items = PyValues.iterate(v);
                if (items.isEmpty()) {
                    yield new Undefined("No aggregated item, sequence was empty.");
                }
                Comparator<Object> order = sortOrder(a.bool(0, false), a.get(1, null));
                yield name.equals("min") ? Collections.min(items, order) : Collections.max(items, order);
            }
            case "map" -> map(v, args, kwargs);
            case "select", "reject" -> {
                List<Object> out = new ArrayList<>();
                for (Object item : PyValues.iterate(v)) {
                    if (selectTest(item, args, 0) == name.equals("select")) {
                        out.add(item);
                    }
                }
                yield out;
            }
            case "selectattr", "rejectattr" -> {
                if (args.isEmpty()) {
                    throw new TemplateError(name + " needs an attribute name");
                }
                List<Object> out = new ArrayList<>();
                for (Object item : PyValues.iterate(v)) {
                    if (selectTest(path(item, args.getFirst()), args, 1) == name.equals("selectattr")) {
                        out.add(item);
                    }
                }
                yield out;
            }
            case "indent" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "width", "first", "blank");
                Object width = a.get(0, 4L);
                String pad = width instanceof String s ? s : " ".repeat((int) PyValues.toLong(width));
                yield indent(PyValues.str(v), pad, a.bool(1, false), a.bool(2, false));
            }
            case "safe" -> v;
            case "escape", "e", "forceescape" -> escape(PyValues.str(v));
            case "attr" -> Access.attribute(v, PyValues.str(Arguments.bind(name, args, kwargs, "name").required(0, "name")));
            case "format" -> PyFormat.percent(PyValues.str(v), args.size() == 1 && kwargs.isEmpty()
                    ? args.getFirst() : kwargs.isEmpty() ? new Tuple(args) : new LinkedHashMap<>(kwargs));
            case "dictsort" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "case_sensitive", "by", "reverse");
                if (!(v instanceof Map<?, ?> m)) {
                    throw new TemplateError("dictsort: expected a mapping");
                }
                int by = "value".equals(a.string(1, "key")) ? 1 : 0;
                boolean cs = a.bool(0, false);
                List<Object> items = new ArrayList<>();
                m.forEach((k, x) -> items.add(new Tuple(java.util.Arrays.asList(k, x))));
                Comparator<Object> order = (x, y) -> PyValues.compare(
                        sortKey(((Tuple) x).items().get(by), cs), sortKey(((Tuple) y).items().get(by), cs), "<");
                items.sort(a.bool(2, false) ? order.reversed() : order);
                yield items;
            }
            case "batch" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "linecount", "fill_with");
                long size = a.integer(0, 1);
                if (size <= 0) {
                    throw new TemplateError("batch size must be positive");
                }
                List<Object> out = new ArrayList<>();
                List<Object> current = new ArrayList<>();
                for (Object item : PyValues.iterate(v)) {
                    current.add(item);
                    if (current.size() == size) {
                        out.add(current);
                        current = new ArrayList<>();
                    }
                }
                if (!current.isEmpty()) {
                    if (a.has(1)) {
                        while (current.size() < size) {
                            current.add(a.get(1, null));
                        }
                    }
                    out.add(current);
                }
                yield out;
            }
            case "wordcount" -> (long) PyStrings.split(PyValues.str(v), null, -1).size();
            case "center" -> Methods.call(PyValues.str(v), "center",
                    List.of(Arguments.bind(name, args, kwargs, "width").get(0, 80L)), Map.of());
            case "truncate" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "length", "killwords", "end", "leeway");
                String s = PyValues.str(v);
                long length = a.integer(0, 255);
                String end = a.string(2, "...");
                long leeway = a.integer(3, 5);
                int n = PyStrings.length(s);
                if (n <= length + leeway) {
                    yield s;
                }
                int[] cps = PyStrings.codePoints(s);
                int cut = (int) Math.max(0, length - PyStrings.length(end));
                String head = PyStrings.fromCodePoints(cps, 0, cut);
                if (!a.bool(1, false)) {
                    int space = head.lastIndexOf(' ');
                    if (space >= 0) {
                        head = head.substring(0, space);
                    }
                }
                yield head + end;
            }
            default -> throw new TemplateError("no filter named '" + name + "'");
        };
    }

    /** Looks up a dotted attribute path such as {@code "function.name"}, item first. */
    static Object path(Object item, Object attribute) {
        if (!(attribute instanceof String s)) {
            return Access.item(item, attribute);
        }
        Object v = item;
        for (String part : s.split("\\.", -1)) {
            Object key = part.chars().allMatch(Character::isDigit) && !part.isEmpty() ? (Object) Long.parseLong(part) : part;
            v = Access.item(v, key);
        }
        return v;
    }

    private static boolean selectTest(Object value, List<Object> args, int testAt) {
        if (args.size() <= testAt) {
            return PyValues.truthy(value);
        }
        if (!(args.get(testAt) instanceof String test)) {
            throw new TemplateError("the test name must be a string");
        }
        return Tests.apply(test, value, args.subList(testAt + 1, args.size()));
    }

    private static Object map(Object v, List<Object> args, Map<String, Object> kwargs) {
        List<Object> out = new ArrayList<>();
        if (kwargs.containsKey("attribute")) {
            Object attribute = kwargs.get("attribute");
            boolean hasDefault = kwargs.containsKey("default");
            for (Object item : PyValues.iterate(v)) {
                Object x = path(item, attribute);
                out.add(hasDefault && x instanceof Undefined ? kwargs.get("default") : x);
            }
            return out;
        }
        if (args.isEmpty() || !(args.getFirst() instanceof String filter)) {
            throw new TemplateError("map needs a filter name or attribute=");
        }
        for (Object item : PyValues.iterate(v)) {
            out.add(apply(filter, item, args.subList(1, args.size()), kwargs));
        }
        return out;
    }

    private static Object sortKey(Object v, boolean caseSensitive) {
        return !caseSensitive && v instanceof String s ? s.toLowerCase(Locale.ROOT) : v;
    }

    private static Comparator<Object> sortOrder(boolean caseSensitive, Object attribute) {
        return (x, y) -> {
            Object a = sortKey(attribute == null ? x : path(x, attribute), caseSensitive);
            Object b = sortKey(attribute == null ? y : path(y, attribute), caseSensitive);
            return PyValues.compare(a, b, "<");
        };
    }

    private static Object toInt(Object v, Object dflt, long base) {
        return switch (v) {
            case Long l -> l;
            case Boolean b -> b ? 1L : 0L;
            case Double d -> Double.isFinite(d) ? (Object) (long) (double) d : dflt;
            case String s -> {
                String t = PyStrings.strip(s, null).replace("_", "");
                try {
                    yield Long.parseLong(t, (int) base);
                } catch (NumberFormatException e) {
                    try {
                        yield (long) Double.parseDouble(t);
                    } catch (NumberFormatException e2) {
                        yield dflt;
                    }
                }
            }
            case null, default -> dflt;
        };
    }

    private static Object toFloat(Object v, Object dflt) {
        return switch (v) {
            case Long l -> (double) l;
            case Boolean b -> b ? 1.0 : 0.0;
            case Double d -> d;
            case String s -> {
                try {
                    yield Double.parseDouble(PyStrings.strip(s, null));
                } catch (NumberFormatException e) {
                    yield dflt;
                }
            }
            case null, default -> dflt;
        };
    }

    /** Jinja2's {@code title}: each word starts upper case after a space, dash or opening bracket. */
    private static String title(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        boolean wordStart = true;
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            boolean boundary = PyStrings.isSpace(cp) || "-({[<".indexOf(cp) >= 0;
            if (boundary) {
                sb.appendCodePoint(cp);
                wordStart = true;
            } else {
                sb.append(wordStart ? Character.toString(cp).toUpperCase(Locale.ROOT)
                        : Character.toString(cp).toLowerCase(Locale.ROOT));
                wordStart = false;
            }
        }
        return sb.toString();
    }

    private static String indent(String s, String pad, boolean first, boolean blank) {
        String[] lines = s.split("\n", -1);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < lines.length; i++) {
            if (i > 0) {
                sb.append('\n');
            }
            boolean indentThis = (i > 0 || first) && (blank || !PyStrings.strip(lines[i], null).isEmpty());
            sb.append(indentThis ? pad : "").append(lines[i]);
        }
        return sb.toString();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&#34;");
                case '\'' -> sb.append("&#39;");
                default -> sb.append(c);
            }
        }
        return sb.toString();
    }
}
