package dev.vela.chat;

import java.util.List;
import java.util.Map;

/** Python's printf-style {@code format % values}, for {@code %} on strings and the {@code format} filter. */
final class PyFormat {
    private PyFormat() {}

    static String percent(String format, Object values) {
        List<Object> args = values instanceof Tuple t ? t.items() : List.of(values == null ? NONE : values);
        Map<?, ?> mapping = values instanceof Map<?, ?> m ? m : null;
        StringBuilder sb = new StringBuilder();
        int next = 0;
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%') {
                sb.append(c);
                continue;
            }
            if (++i >= format.length()) {
                throw new TemplateError("incomplete format");
            }
            Object arg;
            if (format.charAt(i) == '%') {
                sb.append('%');
                continue;
            }
            String key = null;
            if (format.charAt(i) == '(') {
                int close = format.indexOf(')', i);
                if (close < 0 || mapping == null) {
                    throw new TemplateError("format requires a mapping");
                }
                key = format.substring(i + 1, close);
                i = close + 1;
            }
            int specStart = i;
            while (i < format.length() && "-+ #0123456789.".indexOf(format.charAt(i)) >= 0) {
                i++;
            }
            if (i >= format.length()) {
                throw new TemplateError("incomplete format");
            }
            String flags = format.substring(specStart, i);
            char conv = format.charAt(i);
            if (key != null) {
                Object k = PyValues.findKey(mapping, key);
                if (k == PyValues.NO_KEY) {
                    throw new TemplateError("KeyError: " + PyValues.repr(key));
                }
                arg = mapping.get(k);
            } else {
                if (next >= args.size()) {
                    throw new TemplateError("not enough arguments for format string");
                }
                arg = args.get(next++);
                if (arg == NONE) {
                    arg = null;
                }
            }
            String text = switch (conv) {
                case 's' -> PyValues.str(arg);
                case 'r' -> PyValues.repr(arg);
                case 'd', 'i' -> Long.toString(PyValues.toLong(arg));
                case 'f', 'F', 'e', 'E', 'g', 'G' -> String.format(java.util.Locale.ROOT,
                        "%" + (flags.contains(".") ? flags : flags + ".6") + (conv == 'F' ? 'f' : conv),
                        PyValues.toDouble(arg));
                case 'x' -> Long.toHexString(PyValues.toLong(arg));
                default -> throw new TemplateError("unsupported format character '" + conv + "'");
            };
            if (conv == 's' || conv == 'r' || conv == 'd' || conv == 'i') {
                text = pad(text, flags);
            }
            sb.append(text);
        }
        if (mapping == null && next < args.size()) {
            throw new TemplateError("not all arguments converted during string formatting");
        }
        return sb.toString();
    }

    private static String pad(String text, String flags) {
        boolean left = flags.contains("-");
        String digits = flags.replaceAll("[^0-9.]", "");
        int dot = digits.indexOf('.');
        String widthText = dot >= 0 ? digits.substring(0, dot) : digits;
        if (widthText.isEmpty()) {
            return text;
        }
        int width = Integer.parseInt(widthText);
        int n = PyStrings.length(text);
        if (n >= width) {
            return text;
        }
        String fill = " ".repeat(width - n);
        return left ? text + fill : fill + text;
    }

    // List.of rejects null: a lone None argument travels as this marker.
    private static final Object NONE = new Object();
}
