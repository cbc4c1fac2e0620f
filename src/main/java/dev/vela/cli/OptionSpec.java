package dev.vela.cli;

import java.util.List;

/**
 * One command-line option: its names ({@code --top-k}, and short aliases such as {@code -k}),
 * the name of its value ({@code null} for a switch), a one-line help and the default shown there.
 */
public record OptionSpec(String name, List<String> aliases, String valueName, String help, String defaultText) {

    public static OptionSpec flag(String name, String help, String... aliases) {
        return new OptionSpec(name, List.of(aliases), null, help, null);
    }

    public static OptionSpec value(String name, String valueName, String help, String defaultText, String... aliases) {
        return new OptionSpec(name, List.of(aliases), valueName, help, defaultText);
    }

    public boolean takesValue() {
        return valueName != null;
    }

    public boolean matches(String arg) {
        return name.equals(arg) || aliases.contains(arg);
    }

    /** The left column of the help: {@code -k, --top-k N}. */
    String usage() {
        StringBuilder sb = new StringBuilder();
        for (String a : aliases) {
            sb.append(a).append(", ");
        }
        sb.append(name);
        if (valueName != null) {
            sb.append(' ').append(valueName);
        }
        return sb.toString();
    }
}
