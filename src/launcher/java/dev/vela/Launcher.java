package dev.vela;

/**
 * The jar's entry point, compiled for Java 8 so that an old {@code java} says in one line what
 * Vela needs instead of failing with an unsupported class version error. On Java 25 or newer
 * it hands over to {@link Main}.
 */
public final class Launcher {
    private static final int REQUIRED = 25;

    private Launcher() {}

    public static void main(String[] args) {
        String spec = System.getProperty("java.specification.version", "0");
        int feature = spec.startsWith("1.") ? Integer.parseInt(spec.substring(2)) : Integer.parseInt(spec.replaceAll("\\..*", ""));
        if (feature < REQUIRED) {
            System.err.println("error: Vela needs Java " + REQUIRED + " or newer, but this is Java " + spec + " ("
                    + System.getProperty("java.home") + "); run it with a JDK " + REQUIRED + ", e.g. $JAVA_HOME/bin/java -jar vela.jar");
            System.exit(1);
        }
        Main.main(args);
    }
}
