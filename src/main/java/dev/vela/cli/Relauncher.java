package dev.vela.cli;

import java.io.File;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Makes {@code java -jar vela.jar} work as typed: the kernels need the incubating module
 * {@code jdk.incubator.vector}, which a JAR manifest cannot add. When it is missing, Vela starts
 * a second JVM with the same options plus {@code --add-modules jdk.incubator.vector}, hands it
 * the terminal, and exits with its status.
 */
public final class Relauncher {
    static final String VECTOR_MODULE = "jdk.incubator.vector";
    private static final String MARK = "vela.relaunched";

    private Relauncher() {}

    public static boolean vectorModuleLoaded() {
        return ModuleLayer.boot().findModule(VECTOR_MODULE).isPresent();
    }

    /** Runs Vela again in a JVM with the vector module; returns its exit status. */
    public static int relaunch(Class<?> mainClass, String[] args) {
        if (Boolean.getBoolean(MARK)) {
            System.err.println("error: this JVM cannot load " + VECTOR_MODULE + "; Vela needs a JDK 25 or newer with it");
            return 1;
        }
        List<String> cmd = javaCommand(mainClass);
        List<String> extra = new ArrayList<>(List.of("--enable-native-access=ALL-UNNAMED"));
        List<String> jvmArgs = ManagementFactory.getRuntimeMXBean().getInputArguments();
        if (jvmArgs.stream().noneMatch(a -> a.startsWith("-Xmx") || a.startsWith("-XX:MaxRAM"))) {
            // Weights are mapped outside the heap; the heap mostly holds the KV cache, which may be large.
            extra.add("-XX:MaxRAMPercentage=75");
        }
        extra.add("-D" + MARK + "=true");
        cmd.addAll(cmd.size() - 3, extra); // before the class path and main class
        cmd.addAll(List.of(args));
        ignoreInterrupts();
        try {
            Process p = new ProcessBuilder(cmd).inheritIO().start();
            return p.waitFor();
        } catch (Exception e) {
            System.err.println("error: could not start " + cmd.getFirst() + " with " + VECTOR_MODULE + ": " + e.getMessage()
                    + "; run java --add-modules " + VECTOR_MODULE + " -jar vela.jar instead");
            return 1;
        }
    }

    /**
     * The command that starts {@code mainClass} in a new JVM like this one: same executable, JVM
     * options and class path. {@code vela bench --kernels} times each weight type in one.
     */
    static List<String> javaCommand(Class<?> mainClass) {
        List<String> cmd = new ArrayList<>();
        cmd.add(javaExecutable());
        cmd.addAll(ManagementFactory.getRuntimeMXBean().getInputArguments());
        if (!String.join(" ", cmd).contains(VECTOR_MODULE)) {
            cmd.add("--add-modules=" + VECTOR_MODULE);
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(mainClass.getName());
        return cmd;
    }

    private static String javaExecutable() {
        String command = ProcessHandle.current().info().command().orElse(null);
        if (command != null && Files.isExecutable(Path.of(command))) {
            return command;
        }
        return System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
    }

    /**
     * Ctrl-C reaches both JVMs; the child decides what it means (in chat: stop the answer), so this
     * one must not die and leave the child without its terminal. A handler that does nothing, not
     * SIG_IGN: an ignored signal stays ignored in the child, whose JVM then refuses to handle it.
     */
    @SuppressWarnings("removal")
    private static void ignoreInterrupts() {
        try {
            sun.misc.Signal.handle(new sun.misc.Signal("INT"), signal -> { });
        } catch (IllegalArgumentException | UnsupportedOperationException e) {
            // No SIGINT on this platform: nothing to ignore.
        }
    }
}
