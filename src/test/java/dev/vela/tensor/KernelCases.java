package dev.vela.tensor;

import java.lang.foreign.Arena;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * The comparisons every weight type must pass: vectorized {@code dot} against {@code dotScalar},
 * {@code dotScalar} against a double-precision sum over {@code dequantizeRow}, and {@code matvec}
 * against {@code dotScalar}, on random valid data of many row lengths. Shared by the JUnit tests
 * and by {@link KernelCheck}, which runs them in JVMs limited to narrower vectors.
 */
final class KernelCases {
    private KernelCases() {}

    /** Relative to the sum of |terms|: far above float rounding over these lengths, far below a wrong term. */
    static final double TOLERANCE = 1e-4;

    static final List<GGMLType> TYPES = List.of(GGMLType.F32, GGMLType.F16, GGMLType.BF16, GGMLType.Q8_0, GGMLType.Q4_0);

    /** Row lengths: around vector widths, odd counts that leave tails, and long rows. */
    static int[] rowLengths(GGMLType type) {
        if (type.blockSize == 1) {
            return new int[] {1, 3, 4, 5, 7, 8, 15, 16, 17, 31, 32, 33, 63, 172, 1000, 4103};
        }
        return Arrays.stream(new int[] {1, 2, 3, 4, 5, 7, 8, 33, 172, 301}).map(b -> b * type.blockSize).toArray();
    }

    /** Descriptions of every mismatch found for {@code type}; empty when all agree. */
    static List<String> check(GGMLType type, long seed) {
        List<String> problems = new ArrayList<>();
        Random rnd = new Random(seed);
        // Seven rows: whole passes of the multi-row kernels (two, four rows) and rows left over.
        int rows = 7;
        int xOff = 5;
        for (int cols : rowLengths(type)) {
            Tensor w = RandomWeights.matrix(type, rows, cols, rnd);
            float[] x = RandomWeights.vector(xOff + cols, rnd);
            float[] x0 = Arrays.copyOfRange(x, xOff, xOff + cols);
            float[] out = new float[rows];
            w.matvec(x0, out, 0, rows);
            // Ranges that start and end off a pass border, as the pool's chunks may.
            float[] part = new float[rows];
            w.matvec(x0, part, 1, 4);
            w.matvec(x0, part, 4, rows);
            part[0] = out[0];
            float[] values = new float[cols];
            for (int r = 0; r < rows; r++) {
                w.dequantizeRow(r, values, 0);
                double exact = 0;
                double magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    double term = (double) values[i] * x[xOff + i];
                    exact += term;
                    magnitude += Math.abs(term);
                }
                double tolerance = TOLERANCE * magnitude;
                float scalar = w.dotScalar(r, x, xOff);
                String where = type + " " + rows + "x" + cols + " row " + r;
                expectClose(problems, where + ": dot vs dotScalar", w.dot(r, x, xOff), scalar, tolerance);
                expectClose(problems, where + ": dotScalar vs dequantizeRow sum", scalar, exact, tolerance);
                expectClose(problems, where + ": matvec vs dotScalar", out[r], w.dotScalar(r, x0, 0), tolerance);
                expectClose(problems, where + ": matvec over part of the rows vs dotScalar", part[r], w.dotScalar(r, x0, 0), tolerance);
            }
        }
        return problems;
    }

    /** The types repacked at load with their rows side by side, and their group of rows. */
    static final List<GGMLType> REPACKED = List.of(GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K,
            GGMLType.IQ4_NL, GGMLType.IQ4_XS);

    /** The repacked types whose products are looked up in 16-entry tables, one vector of shorts: not at 128 bits. */
    static final Set<GGMLType> LOOKED_UP = EnumSet.of(GGMLType.IQ4_NL, GGMLType.IQ4_XS, GGMLType.Q2_K, GGMLType.Q3_K, GGMLType.Q5_K);

    /** Whether {@code type} is repacked at this JVM's vector width. */
    static boolean repackedAtThisWidth(GGMLType type) {
        return !LOOKED_UP.contains(type) || LookupTables.fit();
    }

    static int group(GGMLType type) {
        return switch (type) {
            case Q8_0 -> Q8_0x32Tensor.GROUP;
            case Q4_0 -> Q4_0x32Tensor.GROUP;
            case Q2_K -> Q2_Kx32Tensor.GROUP;
            case Q3_K -> Q3_Kx32Tensor.GROUP;
            case Q4_K -> Q4_Kx32Tensor.GROUP;
            case Q5_K -> Q5_Kx32Tensor.GROUP;
            case Q6_K -> Q6_Kx32Tensor.GROUP;
            case IQ4_NL, IQ4_XS -> RowGroupTensor.GROUP;
            default -> throw new IllegalArgumentException(type + " is not repacked");
        };
    }

    /** A random matrix of {@code type} in the file's layout, valid blocks. */
    static Tensor fileMatrix(GGMLType type, int rows, int cols, Random rnd) {
        return type == GGMLType.Q4_0 || type == GGMLType.Q8_0 ? RandomWeights.matrix(type, rows, cols, rnd)
                : type.view(RandomBlocks.matrix(type, rows, cols, rnd.nextLong()), rows, cols);
    }

    /**
     * A type repacked at load with its rows side by side ({@link Q8_0x32Tensor}, and for 16-bit
     * arithmetic {@link Q4_0x32Tensor}, {@link Q2_Kx32Tensor}, {@link Q4_Kx32Tensor},
     * {@link Q5_Kx32Tensor}, {@link Q6_Kx32Tensor}, {@link IQ4_NLx32Tensor}, {@link IQ4_XSx32Tensor}), two
     * row groups: the same values as the file's layout, {@code matvec} (also over one group)
     * equal to {@code dotScalar}, and {@code dotScalar} within the error bound of rounding x to
     * 8 bits (each value off by at most half its block's step amax / 127; K-quants round x per
     * super-block, the others per 32) of the exact sum.
     */
    static List<String> checkRepacked(GGMLType type, long seed) {
        List<String> problems = new ArrayList<>();
        Random rnd = new Random(seed);
        int group = group(type);
        int rows = 2 * group;
        for (int cols : rowLengths(type)) {
            Tensor file = fileMatrix(type, rows, cols, rnd);
            Tensor w = file.repacked(Arena.ofAuto());
            if (w == file) {
                problems.add(type + " was not repacked");
                return problems;
            }
            float[] x = RandomWeights.vector(cols, rnd);
            x[0] = 0; // blocks with zeros, and one all zero
            if (cols >= 64) {
                Arrays.fill(x, 32, 64, 0f);
            }
            float[] out = new float[rows];
            w.matvec(x, out, 0, rows);
            float[] part = new float[rows];
            w.matvec(x, part, group, rows);
            float[] expected = new float[cols];
            float[] actual = new float[cols];
            for (int r = 0; r < rows; r++) {
                String where = type + " repacked " + rows + "x" + cols + " row " + r;
                file.dequantizeRow(r, expected, 0);
                w.dequantizeRow(r, actual, 0);
                if (!Arrays.equals(expected, actual)) {
                    problems.add(where + ": dequantizeRow differs from the file layout's");
                }
                double exact = 0;
                double magnitude = 0;
                double bound = 0;
                boolean roundsX = type != GGMLType.Q8_0; // Q8_0's copy multiplies floats
                int xBlock = type.blockSize == 32 ? 32 : 256; // x rounded per block or super-block
                for (int b = 0; b < cols; b += xBlock) {
                    double amax = 0;
                    for (int i = b; i < b + xBlock; i++) {
                        amax = Math.max(amax, Math.abs(x[i]));
                    }
                    for (int i = b; i < b + xBlock; i++) {
                        exact += (double) expected[i] * x[i];
                        magnitude += Math.abs((double) expected[i] * x[i]);
                        bound += roundsX ? Math.abs(expected[i]) * amax / 127 / 2 : 0;
                    }
                }
                bound = bound * 1.01 + TOLERANCE * magnitude + 1e-6;
                float dot = w.dotScalar(r, x, 0);
                expectClose(problems, where + ": dotScalar vs exact sum (x rounded to 8 bits but for Q8_0)", dot, exact, bound);
                expectClose(problems, where + ": matvec vs dotScalar", out[r], dot, 0);
                if (r >= group) {
                    expectClose(problems, where + ": matvec over one group vs dotScalar", part[r], dot, 0);
                }
            }
        }
        return problems;
    }

    /** Compiles a repacked type's {@code matvec} before {@link #checkRepacked} runs it. */
    static void warmUpRepacked(GGMLType type) {
        Random rnd = new Random(8);
        int rows = group(type);
        Tensor w = fileMatrix(type, rows, 512, rnd).repacked(Arena.ofAuto());
        float[] x = RandomWeights.vector(512, rnd);
        float[] out = new float[rows];
        float sink = 0;
        for (int rep = 0; rep < 10_000; rep++) {
            w.matvec(x, out, 0, rows);
            sink += out[0];
        }
        if (Float.isNaN(sink)) {
            throw new AssertionError("random weights gave NaN");
        }
    }

    private static void expectClose(List<String> problems, String what, double actual, double expected, double tolerance) {
        if (!(Math.abs(actual - expected) <= tolerance)) {
            problems.add(what + ": " + actual + " vs " + expected + " (tolerance " + tolerance + ")");
        }
    }

    /**
     * Calls every kernel path (main loop, odd block, tail) often enough that the JIT compiles it,
     * so that {@link #check} tests the compiled vector instructions and not only the Vector API's
     * Java fallback, which the interpreter runs.
     */
    static void warmUp(GGMLType type) {
        Random rnd = new Random(7);
        List<Tensor> matrices = new ArrayList<>();
        for (int cols : rowLengths(type)) {
            if (cols <= 8 * Math.max(type.blockSize, 17)) {
                matrices.add(RandomWeights.matrix(type, 7, cols, rnd));
            }
        }
        float[] x = RandomWeights.vector(8 * 32 * 17, rnd);
        float[] out = new float[7];
        float sink = 0;
        for (int rep = 0; rep < 10_000; rep++) {
            for (Tensor w : matrices) {
                w.matvec(x, out, 0, 7);
                sink += out[0];
            }
        }
        // Long rows take their own two-row kernel in some types (Block32.WIDE).
        Tensor wide = RandomWeights.matrix(type, 2, Block32.WIDE, rnd);
        for (int rep = 0; rep < 2_000; rep++) {
            wide.matvec(x, out, 0, 2);
            sink += out[0];
        }
        if (Float.isNaN(sink)) {
            throw new AssertionError("random weights gave NaN");
        }
    }
}
