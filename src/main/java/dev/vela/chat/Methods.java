package dev.vela.chat;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** Python methods of str, dict and list that templates call, such as {@code content.strip()}. */
final class Methods {
    private Methods() {}

    static Object call(Object self, String name, List<Object> args, Map<String, Object> kwargs) {
        return switch (self) {
            case String s -> string(s, name, args, kwargs);
            case Map<?, ?> m -> dict(m, name, args, kwargs);
            case List<?> l -> list(l, name, args, kwargs);
            default -> throw new TemplateError("'" + PyValues.typeName(self) + "' object has no method '" + name + "'");
        };
    }

    private static Object string(String s, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "strip", "lstrip", "rstrip" -> {
                String chars = Arguments.bind(name, args, kwargs, "chars").string(0, null);
                return switch (name) {
                    case "strip" -> PyStrings.strip(s, chars);
                    case "lstrip" -> PyStrings.lstrip(s, chars);
                    default -> PyStrings.rstrip(s, chars);
                };
            }
            case "split", "rsplit" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "sep", "maxsplit");
                String sep = a.string(0, null);
                long max = a.integer(1, -1);
                return name.equals("split") ? PyStrings.split(s, sep, max) : PyStrings.rsplit(s, sep, max);
            }
            case "splitlines" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "keepends");
                boolean keep = a.bool(0, false);
                List<Object> lines = new ArrayList<>();
                int start = 0;
                for (int i = 0; i < s.length(); i++) {
                    char c = s.charAt(i);
                    if (c == '\n' || c == '\r') {
                        int end = i;
                        if (c == '\r' && i + 1 < s.length() && s.charAt(i + 1) == '\n') {
                            i++;
                        }
                        lines.add(s.substring(start, keep ? i + 1 : end));
                        start = i + 1;
                    }
                }
                if (start < s.length()) {
                    lines.add(s.substring(start));
                }
                return lines;
            }
            case "startswith", "endswith" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "prefix");
                Object p = a.required(0, "prefix");
                List<Object> options = p instanceof Tuple t ? t.items() : List.of(p);
                for (Object o : options) {
                    if (!(o instanceof String str)) {
                        throw new TemplateError(name + " first arg must be str or a tuple of str, not "
                                + PyValues.typeName(o));
                    }
                    if (name.equals("startswith") ? s.startsWith(str) : s.endsWith(str)) {
                        return true;
                    }
                }
                return false;
            }
            case "upper" -> {
                return s.toUpperCase(Locale.ROOT);
            }
            case "lower" -> {
                return s.toLowerCase(Locale.ROOT);
            }
            case "title" -> {
                return PyStrings.title(s);
            }
            case "capitalize" -> {
                return PyStrings.capitalize(s);
            }
            case "swapcase" -> {
                StringBuilder sb = new StringBuilder();
                s.codePoints().forEach(cp -> sb.appendCodePoint(Character.isUpperCase(cp)
                        ? Character.toLowerCase(cp) : Character.toUpperCase(cp)));
                return sb.toString();
            }
            case "replace" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "old", "new", "count");
                return replace(s, a.string(0, ""), a.string(1, ""), a.integer(2, -1));
            }
            case "find", "rfind", "index", "rindex" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "sub");
                String sub = a.string(0, "");
                int at = name.startsWith("r") ? s.lastIndexOf(sub) : s.indexOf(sub);
                if (at < 0 && name.contains("index")) {
                    throw new TemplateError("substring not found");
                }
                return at < 0 ? -1L : (long) s.codePointCount(0, at);
            }
            case "count" -> {
                String sub = Arguments.bind(name, args, kwargs, "sub").string(0, "");
                if (sub.isEmpty()) {
                    return (long) PyStrings.length(s) + 1;
                }
                long n = 0;
                for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
                    n++;
                }
                return n;
            }
            case "join" -> {
                Object items = Arguments.bind(name, args, kwargs, "iterable").required(0, "iterable");
                StringBuilder sb = new StringBuilder();
                List<Object> list = PyValues.iterate(items);
                for (int i = 0; i < list.size(); i++) {
                    if (!(list.get(i) instanceof String part)) {
                        throw new TemplateError("sequence item " + i + ": expected str instance, "
                                + PyValues.typeName(list.get(i)) + " found");
                    }
                    sb.append(i > 0 ? s : "").append(part);
                }
                return sb.toString();
            }
            case "isdigit", "isnumeric", "isdecimal" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isDigit);
            }
            case "isalpha" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetter);
            }
            case "isalnum" -> {
                return !s.isEmpty() && s.codePoints().allMatch(Character::isLetterOrDigit);
            }
            case "isspace" -> {
                return !s.isEmpty() && s.codePoints().allMatch(PyStrings::isSpace);
            }
            case "isupper" -> {
                return s.codePoints().anyMatch(Character::isUpperCase) && s.codePoints().noneMatch(Character::isLowerCase);
            }
            case "islower" -> {
                return s.codePoints().anyMatch(Character::isLowerCase) && s.codePoints().noneMatch(Character::isUpperCase);
            }
            case "istitle" -> {
                return !s.isEmpty() && s.equals(PyStrings.title(s)) && s.codePoints().anyMatch(Character::isLetter);
            }
            case "zfill" -> {
                long width = Arguments.bind(name, args, kwargs, "width").integer(0, 0);
                int n = PyStrings.length(s);
                if (n >= width) {
                    return s;
                }
                boolean sign = s.startsWith("+") || s.startsWith("-");
                String zeros = "0".repeat((int) (width - n));
                return sign ? s.charAt(0) + zeros + s.substring(1) : zeros + s;
            }
            case "center", "ljust", "rjust" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "width", "fillchar");
                long width = a.integer(0, 0);
                String fill = a.string(1, " ");
                int n = PyStrings.length(s);
                if (n >= width) {
                    return s;
                }
                int total = (int) (width - n);
                int left = switch (name) {
                    case "ljust" -> 0;
                    case "rjust" -> total;
                    default -> total / 2 + (total & (int) width & 1);
                };
                return fill.repeat(left) + s + fill.repeat(total - left);
            }
            case "removeprefix" -> {
                String p = Arguments.bind(name, args, kwargs, "prefix").string(0, "");
                return s.startsWith(p) ? s.substring(p.length()) : s;
            }
            case "removesuffix" -> {
                String p = Arguments.bind(name, args, kwargs, "suffix").string(0, "");
                return !p.isEmpty() && s.endsWith(p) ? s.substring(0, s.length() - p.length()) : s;
            }
            case "partition", "rpartition" -> {
                String sep = Arguments.bind(name, args, kwargs, "sep").string(0, "");
                if (sep.isEmpty()) {
                    throw new TemplateError("empty separator");
                }
                int at = name.equals("partition") ? s.indexOf(sep) : s.lastIndexOf(sep);
                if (at < 0) {
                    return name.equals("partition") ? new Tuple(List.of(s, "", "")) : new Tuple(List.of("", "", s));
                }
                return new Tuple(List.of(s.substring(0, at), sep, s.substring(at + sep.length())));
            }
            case "format" -> {
                return format(s, args, kwargs);
            }
            default -> throw new TemplateError("'str' object has no attribute '" + name + "'");
        }
    }

    static String replace(String s, String old, String replacement, long count) {
        if (count < 0) {
            if (old.isEmpty()) {
                StringBuilder sb = new StringBuilder(replacement);
                s.codePoints().forEach(cp -> sb.appendCodePoint(cp).append(replacement));
                return sb.toString();
            }
            return s.replace(old, replacement);
        }
        StringBuilder sb = new StringBuilder();
        int start = 0;
        for (long n = 0; n < count; n++) {
            int at = s.indexOf(old, start);
            if (at < 0 || old.isEmpty()) {
                break;
            }
            sb.append(s, start, at).append(replacement);
            start = at + old.length();
        }
        return sb.append(s.substring(start)).toString();
    }

    /** {@code str.format} with {@code {}}, {@code {0}} and {@code {name}} fields (no format specs). */
    private static String format(String s, List<Object> args, Map<String, Object> kwargs) {
        StringBuilder sb = new StringBuilder();
        int auto = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '{' && i + 1 < s.length() && s.charAt(i + 1) == '{') {
                sb.append('{');
                i++;
            } else if (c == '}' && i + 1 < s.length() && s.charAt(i + 1) == '}') {
                sb.append('}');
                i++;
            } else if (c == '{') {
                int close = s.indexOf('}', i);
                if (close < 0) {
                    throw new TemplateError("Single '{' encountered in format string");
                }
                String field = s.substring(i + 1, close);
                Object v;
                if (field.isEmpty()) {
                    if (auto >= args.size()) {
                        throw new TemplateError("Replacement index " + auto + " out of range for positional args tuple");
                    }
                    v = args.get(auto++);
                } else if (field.chars().allMatch(Character::isDigit)) {
                    int k = Integer.parseInt(field);
                    if (k >= args.size()) {
                        throw new TemplateError("Replacement index " + k + " out of range for positional args tuple");
                    }
                    v = args.get(k);
                } else if (kwargs.containsKey(field)) {
                    v = kwargs.get(field);
                } else {
                    throw new TemplateError("KeyError: " + PyValues.repr(field));
                }
                sb.append(PyValues.str(v));
                i = close;
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static Object dict(Map<?, ?> m, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "get" -> {
                Arguments a = Arguments.bind(name, args, kwargs, "key", "default");
                Object key = PyValues.findKey(m, a.required(0, "key"));
                return key == PyValues.NO_KEY ? a.get(1, null) : m.get(key);
            }
            case "keys" -> {
                return new ArrayList<Object>(m.keySet());
            }
            case "values" -> {
                return new ArrayList<Object>(m.values());
            }
            case "items" -> {
                List<Object> items = new ArrayList<>();
                m.forEach((k, v) -> items.add(new Tuple(java.util.Arrays.asList(k, v))));
                return items;
            }
            case "copy" -> {
                return new java.util.LinkedHashMap<Object, Object>(m);
            }
            default -> throw new TemplateError("'dict' object has no attribute '" + name + "'");
        }
    }

    private static Object list(List<?> l, String name, List<Object> args, Map<String, Object> kwargs) {
        switch (name) {
            case "index" -> {
                Object x = Arguments.bind(name, args, kwargs, "value").required(0, "value");
                for (int i = 0; i < l.size(); i++) {
                    if (PyValues.equal(l.get(i), x)) {
                        return (long) i;
                    }
                }
                throw new TemplateError(PyValues.repr(x) + " is not in list");
            }
            case "count" -> {
                Object x = Arguments.bind(name, args, kwargs, "value").required(0, "value");
                return l.stream().filter(y -> PyValues.equal(y, x)).count();
            }
            case "copy" -> {
                return new ArrayList<Object>(l);
            }
            default -> throw new TemplateError("'list' object has no attribute '" + name + "'");
        }
    }
}
