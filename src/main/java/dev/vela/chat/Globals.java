package dev.vela.chat;

import java.time.LocalDateTime;
import java.time.format.TextStyle;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/** The functions every template can call: Jinja2's globals plus the two transformers adds. */
final class Globals {
    private Globals() {}

    /**
     * The moment {@code strftime_now} formats. Fixed, as in the reference prompts, so a prompt is
     * reproducible; it is also the date Llama 3.1 hard-codes.
     */
    static final LocalDateTime FIXED_NOW = LocalDateTime.of(2024, 7, 26, 12, 0);

    /** The globals, with {@code strftime_now} formatting {@code now}. */
    static Scope scope(LocalDateTime now) {
        Scope s = new Scope(null);
        s.set("raise_exception", (JinjaCallable) (args, kwargs) -> {
            Object message = args.isEmpty() ? kwargs.getOrDefault("message", "") : args.getFirst();
            throw new TemplateError(PyValues.str(message), true);
        });
        s.set("strftime_now", (JinjaCallable) (args, kwargs) -> {
            Object format = Arguments.bind("strftime_now", args, kwargs, "format").required(0, "format");
            if (!(format instanceof String f)) {
                throw new TemplateError("strftime_now() argument must be str, not " + PyValues.typeName(format));
            }
            return strftime(f, now);
        });
        s.set("namespace", (JinjaCallable) (args, kwargs) -> {
            Namespace ns = new Namespace();
            for (Object arg : args) {
                if (!(arg instanceof Map<?, ?> m)) {
                    throw new TemplateError("namespace() positional arguments must be mappings");
                }
                m.forEach((k, v) -> ns.attrs.put(PyValues.str(k), v));
            }
            ns.attrs.putAll(kwargs);
            return ns;
        });
        s.set("range", (JinjaCallable) Globals::range);
        s.set("dict", (JinjaCallable) (args, kwargs) -> {
            Map<Object, Object> m = new LinkedHashMap<>();
            for (Object arg : args) {
                if (!(arg instanceof Map<?, ?> src)) {
                    throw new TemplateError("dict() positional arguments must be mappings");
                }
                m.putAll(src);
            }
            m.putAll(kwargs);
            return m;
        });
        return s;
    }

    private static final int MAX_RANGE = 100_000; // Jinja2's sandbox limit

    private static Object range(List<Object> args, Map<String, Object> kwargs) {
        if (!kwargs.isEmpty() || args.isEmpty() || args.size() > 3) {
            throw new TemplateError("range() takes 1 to 3 integer arguments");
        }
        long[] v = new long[args.size()];
        for (int i = 0; i < v.length; i++) {
            if (!(args.get(i) instanceof Long) && !(args.get(i) instanceof Boolean)) {
                throw new TemplateError("range() arguments must be integers, not " + PyValues.typeName(args.get(i)));
            }
            v[i] = PyValues.toLong(args.get(i));
        }
        long start = v.length == 1 ? 0 : v[0];
        long stop = v.length == 1 ? v[0] : v[1];
        long step = v.length == 3 ? v[2] : 1;
        if (step == 0) {
            throw new TemplateError("range() arg 3 must not be zero");
        }
        List<Object> out = new ArrayList<>();
        for (long i = start; step > 0 ? i < stop : i > stop; i += step) {
            if (out.size() >= MAX_RANGE) {
                throw new TemplateError("range too big, the limit is " + MAX_RANGE);
            }
            out.add(i);
        }
        return out;
    }

    /** Python's {@code datetime.strftime} for the C locale. */
    static String strftime(String format, LocalDateTime t) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < format.length(); i++) {
            char c = format.charAt(i);
            if (c != '%' || i + 1 >= format.length()) {
                sb.append(c);
                continue;
            }
            char d = format.charAt(++i);
            boolean noPad = false;
            if (d == '-' && i + 1 < format.length()) { // glibc's "no padding" flag, as in %-d
                noPad = true;
                d = format.charAt(++i);
            }
            String field = switch (d) {
                case 'a' -> t.getDayOfWeek().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'A' -> t.getDayOfWeek().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'b', 'h' -> t.getMonth().getDisplayName(TextStyle.SHORT, Locale.ENGLISH);
                case 'B' -> t.getMonth().getDisplayName(TextStyle.FULL, Locale.ENGLISH);
                case 'd' -> pad(t.getDayOfMonth(), 2, noPad);
                case 'e' -> String.format(Locale.ROOT, "%2d", t.getDayOfMonth());
                case 'm' -> pad(t.getMonthValue(), 2, noPad);
                case 'y' -> pad(t.getYear() % 100, 2, noPad);
                case 'Y' -> Integer.toString(t.getYear());
                case 'H' -> pad(t.getHour(), 2, noPad);
                case 'I' -> pad(t.getHour() % 12 == 0 ? 12 : t.getHour() % 12, 2, noPad);
                case 'M' -> pad(t.getMinute(), 2, noPad);
                case 'S' -> pad(t.getSecond(), 2, noPad);
                case 'f' -> "000000";
                case 'p' -> t.getHour() < 12 ? "AM" : "PM";
                case 'j' -> pad(t.getDayOfYear(), 3, noPad);
                case 'w' -> Integer.toString(t.getDayOfWeek().getValue() % 7);
                case 'u' -> Integer.toString(t.getDayOfWeek().getValue());
                case 'c' -> strftime("%a %b %e %H:%M:%S %Y", t);
                case 'x' -> strftime("%m/%d/%y", t);
                case 'X' -> strftime("%H:%M:%S", t);
                case 'D' -> strftime("%m/%d/%y", t);
                case 'F' -> strftime("%Y-%m-%d", t);
                case 'T' -> strftime("%H:%M:%S", t);
                case 'R' -> strftime("%H:%M", t);
                case 'z', 'Z' -> "";
                case 'n' -> "\n";
                case 't' -> "\t";
                case '%' -> "%";
                default -> "%" + (noPad ? "-" : "") + d;
            };
            sb.append(field);
        }
        return sb.toString();
    }

    private static String pad(int v, int width, boolean noPad) {
        String s = Integer.toString(v);
        return noPad || s.length() >= width ? s : "0".repeat(width - s.length()) + s;
    }
}
