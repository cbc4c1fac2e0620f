package dev.vela.cli;

import dev.vela.Main;
import dev.vela.VelaException;
import dev.vela.tensor.Activations;
import dev.vela.tensor.GGMLType;
import dev.vela.tensor.MatMul;
import dev.vela.tensor.Parallel;
import dev.vela.tensor.Tensor;

import java.io.IOException;
import java.io.PrintStream;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code vela bench --kernels}: the decode step's matrix-vector product alone, per weight type,
 * in GB/s of weights read. Two numbers per type: "cache" runs one matrix again and again (a
 * small one stays in the caches, so this is the kernel's own speed), "memory" cycles through
 * enough copies of it to fill {@link #MEMORY_BYTES}, far more than any cache, so every byte
 * comes from memory as in a real model. Each is the median of many timed runs.
 *
 * <p>Each type is timed in a JVM of its own unless asked otherwise: the kernels share the Vector
 * API's code, whose JIT profile then holds every earlier type's vector classes, and a type timed
 * after a dozen others measured up to 3× slower than alone (a model uses two or three types).
 *
 * <p>With several rounds ({@code -r}) every type is timed once per round, the types in turn, and
 * a summary gives each type's median and range and, when Q4_0 is among them, each round's memory
 * figure as a share of that round's Q4_0: on a shared machine whole minutes run slower, and
 * types timed in the same minutes compare more fairly than medians taken at different times.
 */
final class KernelBenchmark {
    static final long MEMORY_BYTES = 256L << 20;
    private static final long WARM_UP_NANOS = 300_000_000L;
    private static final int WARM_UP_PRODUCTS = 2_000;
    private static final long TIMED_NANOS = 1_000_000_000L;
    private static final int MIN_RUNS = 20;
    /** Cleared in every little-endian 16-bit word: the exponent's top bit of an fp16 or bf16 (and of a float's high half). */
    private static final long FINITE_MASK = ~0x4000_4000_4000_4000L;
    private static final ValueLayout.OfLong WORDS = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private KernelBenchmark() {}

    /** The types named in {@code list} (comma-separated), or every type Vela can run when null. */
    static List<GGMLType> types(String list) {
        if (list == null) {
            return Arrays.stream(GGMLType.values()).filter(GGMLType::supported).toList();
        }
        List<GGMLType> types = new ArrayList<>();
        for (String name : list.split(",")) {
            GGMLType type;
            try {
                type = GGMLType.valueOf(name.trim().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new VelaException("unknown type '" + name.trim() + "'; types: " + GGMLType.supportedNames());
            }
            if (!type.supported()) {
                throw new VelaException(type + " has no kernels yet; types: " + GGMLType.supportedNames());
            }
            types.add(type);
        }
        return types;
    }

    /** Set in the JVM that times one type for its parent, which has printed the header. */
    private static final String CHILD = "vela.kernels.child";

    /** One timing of one type: GB/s of weights read, the matrix in the caches and from memory. */
    record Speed(double cache, double memory) {}

    static void run(List<GGMLType> types, int rows, int cols, int threads, int rounds, boolean inProcess, PrintStream out, PrintStream err) {
        for (GGMLType type : types) {
            if (cols % type.blockSize != 0) {
                throw new VelaException("--cols " + cols + " is not a multiple of " + type + "'s block size " + type.blockSize);
            }
        }
        boolean children = !inProcess && (types.size() > 1 || rounds > 1);
        if (!Boolean.getBoolean(CHILD)) {
            err.printf("bench --kernels: %d threads, %s; median of timed runs; cache: one matrix again and again,"
                    + " memory: cycling through copies filling %s; %s%s%n", threads, Simd.describe(), Sizes.bytes(MEMORY_BYTES),
                    children ? "each type in a fresh JVM" : "all in this JVM", rounds > 1 ? "; " + rounds + " rounds, the types in turn" : "");
        }
        List<Map<GGMLType, Speed>> results = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            Map<GGMLType, Speed> speeds = new EnumMap<>(GGMLType.class);
            if (children) {
                for (GGMLType type : types) {
                    speeds.put(type, runInChild(type, rows, cols, threads, out, err));
                }
            } else {
                try (Parallel pool = new Parallel(threads)) {
                    for (GGMLType type : types) {
                        speeds.put(type, measure(pool, type, rows, cols, out));
                    }
                }
            }
            results.add(speeds);
        }
        if (rounds > 1) {
            summarize(types, results, out);
        }
    }

    /**
     * Per type, the median GB/s over the rounds with their range and, when Q4_0 was timed, the
     * median of the rounds' memory shares of Q4_0's with their range.
     */
    static void summarize(List<GGMLType> types, List<Map<GGMLType, Speed>> rounds, PrintStream out) {
        out.printf("summary of %d rounds: median (lowest-highest)%n", rounds.size());
        for (GGMLType type : types) {
            double[] cache = rounds.stream().mapToDouble(r -> r.get(type).cache()).sorted().toArray();
            double[] memory = rounds.stream().mapToDouble(r -> r.get(type).memory()).sorted().toArray();
            out.printf(Locale.ROOT, "%-6s cache %6.1f GB/s (%.1f-%.1f)  memory %6.1f GB/s (%.1f-%.1f)", type,
                    median(cache), cache[0], cache[cache.length - 1], median(memory), memory[0], memory[memory.length - 1]);
            if (types.contains(GGMLType.Q4_0) && type != GGMLType.Q4_0) {
                double[] shares = rounds.stream().mapToDouble(r -> 100 * r.get(type).memory() / r.get(GGMLType.Q4_0).memory()).sorted().toArray();
                out.printf(Locale.ROOT, "  memory vs Q4_0 in the same round %4.0f%% (%.0f-%.0f%%)", median(shares), shares[0], shares[shares.length - 1]);
            }
            out.println();
        }
        out.flush();
    }

    /** The middle value of sorted {@code v}, or the mean of the two middle ones. */
    static double median(double[] v) {
        int n = v.length;
        return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
    }

    /** Times {@code type} in this JVM and prints its line. */
    private static Speed measure(Parallel pool, GGMLType type, int rows, int cols, PrintStream out) {
        long bytes = type.bytesFor((long) rows * cols);
        int copies = (int) Math.max(1, (MEMORY_BYTES + bytes - 1) / bytes);
        try (Arena arena = Arena.ofShared()) { // shared: the pool's workers read it
            MemorySegment all = arena.allocate(bytes * copies, 64);
            fillValid(all, new SplittableRandom(type.id));
            Tensor[] matrices = new Tensor[copies];
            for (int c = 0; c < copies; c++) {
                matrices[c] = type.view(all.asSlice(c * bytes, bytes), rows, cols).repacked(arena); // as decoding reads it
            }
            float[] x = new float[cols];
            SplittableRandom rnd = new SplittableRandom(1);
            for (int i = 0; i < cols; i++) {
                x[i] = (float) (rnd.nextDouble() * 2 - 1);
            }
            MemorySegment xs = Activations.of(arena, x, 0, cols);
            float[] y = new float[rows];
            warmUp(type, cols, all, xs);
            time(pool, matrices, 1, xs, y, WARM_UP_NANOS);
            double cached = time(pool, matrices, 1, xs, y, TIMED_NANOS);
            double memory = time(pool, matrices, copies, xs, y, TIMED_NANOS);
            out.printf(Locale.ROOT, "%-6s %dx%d  %5.2f bits/w  %7.2f MB  cache %6.1f GB/s (%.3f ms)  memory %6.1f GB/s (%.3f ms, %d copies)%n",
                    type, rows, cols, type.bitsPerWeight(), bytes / 1e6, bytes / cached, cached / 1e6,
                    bytes / memory, memory / 1e6, copies);
            out.flush();
            return new Speed(bytes / cached, bytes / memory);
        }
    }

    /** The two figures of a line as {@link #measure} prints it. */
    private static final Pattern LINE = Pattern.compile(".* cache +([0-9.]+) GB/s .* memory +([0-9.]+) GB/s .*");

    /** Times {@code type} in a fresh JVM, forwards its line and reads the figures back from it. */
    private static Speed runInChild(GGMLType type, int rows, int cols, int threads, PrintStream out, PrintStream err) {
        List<String> cmd = Relauncher.javaCommand(Main.class);
        cmd.add(cmd.size() - 3, "-D" + CHILD + "=true");
        cmd.addAll(List.of("bench", "--kernels", "--in-process", "--type", type.name(), "--rows", Integer.toString(rows),
                "--cols", Integer.toString(cols), "--threads", Integer.toString(threads)));
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
            p.getOutputStream().close();
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int status = p.waitFor();
            output.lines().filter(l -> !l.startsWith("WARNING: Using incubator modules")).forEach(l -> (status == 0 ? out : err).println(l));
            out.flush();
            if (status != 0) {
                throw new VelaException("timing " + type + " in a JVM of its own failed (exit status " + status + ")");
            }
            return output.lines().map(LINE::matcher).filter(Matcher::matches).findFirst()
                    .map(m -> new Speed(Double.parseDouble(m.group(1)), Double.parseDouble(m.group(2))))
                    .orElseThrow(() -> new VelaException("timing " + type + " in a JVM of its own printed no figures"));
        } catch (IOException e) {
            throw new VelaException("could not start a JVM to time " + type + ": " + e.getMessage() + "; try --in-process");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VelaException("interrupted");
        }
    }

    /**
     * Many products of a small matrix first, so that the JIT compiles the product as a whole
     * method (as hundreds of products per token do when a model runs) rather than only its loops
     * inside a few long calls: a kernel slow before compiling, as one with lane permutations is,
     * otherwise ran its timed calls half in the first-tier code.
     */
    private static void warmUp(GGMLType type, int cols, MemorySegment all, MemorySegment x) {
        int rows = (int) Math.min(64, all.byteSize() / type.bytesFor(cols)); // two groups of rows, or what the data holds
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment copy = arena.allocate(type.bytesFor((long) rows * cols), 64);
            copy.copyFrom(all.asSlice(0, copy.byteSize()));
            Tensor w = type.view(copy, rows, cols).repacked(arena);
            float[] y = new float[rows];
            for (int i = 0; i < WARM_UP_PRODUCTS; i++) {
                w.matvec(x, y, 0, rows);
            }
        }
    }

    /** Median nanoseconds of one product, cycling through the first {@code use} matrices, for at least {@code budget} ns. */
    private static double time(Parallel pool, Tensor[] matrices, int use, MemorySegment x, float[] y, long budget) {
        List<Long> runs = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; runs.size() < MIN_RUNS || System.nanoTime() - start < budget; i++) {
            Tensor w = matrices[i % use];
            long t0 = System.nanoTime();
            MatMul.vector(pool, w, x, y);
            runs.add(System.nanoTime() - t0);
        }
        long[] sorted = runs.stream().mapToLong(Long::longValue).sorted().toArray();
        return sorted[sorted.length / 2];
    }

    /**
     * Random bytes with bit 14 of every little-endian 16-bit word cleared: every fp16 or bf16
     * field (a scale, a weight) is then finite and below 2 in magnitude, while the quant bits
     * stay random, so every type reads as valid blocks.
     */
    static void fillValid(MemorySegment data, SplittableRandom rnd) {
        long n = data.byteSize();
        long i = 0;
        for (; i + 8 <= n; i += 8) {
            data.set(WORDS, i, rnd.nextLong() & FINITE_MASK);
        }
        for (; i < n; i++) {
            data.set(ValueLayout.JAVA_BYTE, i, (byte) (i % 2 == 1 ? rnd.nextInt(256) & 0xBF : rnd.nextInt(256)));
        }
    }
}
