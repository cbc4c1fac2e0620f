package dev.vela.cli;

import dev.vela.VelaException;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Parsed command-line options, checked against a command's list of {@link OptionSpec}s. Every
 * mistake (an unknown flag, a missing or malformed value) is one clear {@link VelaException}.
 */
public final class Options {
    private final Map<String, String> values;
    private final List<String> positionals;

    private Options(Map<String, String> values, List<String> positionals) {
        this.values = values;
        this.positionals = positionals;
    }

    public static Options parse(String[] args, int start, List<OptionSpec> specs) {
        Map<String, String> values = new LinkedHashMap<>();
        List<String> positionals = new ArrayList<>();
        for (int i = start; i < args.length; i++) {
            String arg = args[i];
            if (arg.equals("--")) {
                positionals.addAll(List.of(args).subList(i + 1, args.length));
                break;
            }
            if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) {
                String key = arg;
                String inline = null;
                int eq = arg.indexOf('=');
                if (arg.startsWith("--") && eq > 0) {
                    key = arg.substring(0, eq);
                    inline = arg.substring(eq + 1);
                }
                OptionSpec spec = find(specs, key);
                if (spec == null) {
                    throw new VelaException("unknown option " + key + " (see --help)");
                }
                if (spec.takesValue()) {
                    String value = inline;
                    if (value == null) {
                        if (i + 1 >= args.length) {
                            throw new VelaException("option " + key + " needs a value: " + spec.usage());
                        }
                        value = args[++i];
                    }
                    values.put(spec.name(), value);
                } else {
                    if (inline != null) {
                        throw new VelaException("option " + key + " takes no value");
                    }
                    values.put(spec.name(), "true");
                }
            } else {
                positionals.add(arg);
            }
        }
        return new Options(values, positionals);
    }

    private static boolean isNumber(String s) {
        try {
            Double.parseDouble(s);
            return true;
        } catch (NumberFormatException e) {
            return false;
        }
    }

    private static OptionSpec find(List<OptionSpec> specs, String arg) {
        for (OptionSpec s : specs) {
            if (s.matches(arg)) {
                return s;
            }
        }
        return null;
    }

    public List<String> positionals() {
        return positionals;
    }

    public boolean has(String name) {
        return values.containsKey(name);
    }

    public boolean flag(String name) {
        return values.containsKey(name);
    }

    public String string(String name, String fallback) {
        return values.getOrDefault(name, fallback);
    }

    public String required(String name, String why) {
        String v = values.get(name);
        if (v == null) {
            throw new VelaException("missing " + name + ": " + why);
        }
        return v;
    }

    public int integer(String name, int fallback, int min, int max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        int n;
        try {
            n = Integer.parseInt(v.trim());
        } catch (NumberFormatException e) {
            throw new VelaException(name + " expects a whole number, got '" + v + "'");
        }
        if (n < min || n > max) {
            throw new VelaException(name + " must be between " + min + " and " + max + ", got " + n);
        }
        return n;
    }

    public long longValue(String name, long fallback) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        try {
            return Long.parseLong(v.trim());
        } catch (NumberFormatException e) {
            throw new VelaException(name + " expects a whole number, got '" + v + "'");
        }
    }

    public float number(String name, float fallback, float min, float max) {
        String v = values.get(name);
        if (v == null) {
            return fallback;
        }
        float f;
        try {
            f = Float.parseFloat(v.trim());
        } catch (NumberFormatException e) {
            throw new VelaException(name + " expects a number, got '" + v + "'");
        }
        if (!(f >= min && f <= max)) {
            throw new VelaException(name + " must be between " + min + " and " + max + ", got " + v);
        }
        return f;
    }

    /** The help text for a list of options, aligned in two columns. */
    public static String help(List<OptionSpec> specs) {
        int width = 0;
        for (OptionSpec s : specs) {
            width = Math.max(width, s.usage().length());
        }
        StringBuilder sb = new StringBuilder();
        for (OptionSpec s : specs) {
            sb.append("  ").append(s.usage()).append(" ".repeat(width - s.usage().length() + 2)).append(s.help());
            if (s.defaultText() != null) {
                sb.append(" (default: ").append(s.defaultText()).append(')');
            }
            sb.append('\n');
        }
        return sb.toString();
    }
}
