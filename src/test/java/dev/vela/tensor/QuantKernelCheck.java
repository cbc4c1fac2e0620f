package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Compares every quantized type's vectorized dot product with its scalar twin on random blocks.
 * Run by {@link QuantKernelTest} in this JVM and, through {@link #main}, in JVMs whose preferred
 * vector width is limited with {@code -XX:MaxVectorSize}, so each width runs the same code the
 * engine runs (the kernels read a constant species: only then does the JIT compile them to
 * vector instructions).
 */
final class QuantKernelCheck {
    private QuantKernelCheck() {}

    static final GGMLType[] TYPES = {
        GGMLType.Q4_1, GGMLType.Q5_0, GGMLType.Q5_1, GGMLType.Q2_K, GGMLType.Q3_K,
        GGMLType.Q4_K, GGMLType.Q5_K, GGMLType.Q6_K, GGMLType.IQ4_NL, GGMLType.IQ4_XS,
    };

    /**
     * Rows of 1, 3, 7 and 41 blocks, 3 rows each, and a row offset into {@code x}; then
     * {@link Tensor#matvec} (which may prepare x once for all rows) over every row range of them.
     */
    static List<String> check(GGMLType type) {
        List<String> failures = new ArrayList<>();
        int[] blockCounts = {1, 3, 7, 41};
        for (int blocks : blockCounts) {
            int cols = blocks * type.blockSize;
            int rows = 3;
            long seed = type.id * 1000L + blocks;
            Tensor t = type.view(RandomBlocks.matrix(type, rows, cols, seed), rows, cols);
            int xOff = 5;
            float[] x = RandomBlocks.vector(cols + xOff, seed + 1);
            float[] w = new float[cols];
            double[] tolerances = new double[rows];
            for (int r = 0; r < rows; r++) {
                t.dequantizeRow(r, w, 0);
                double magnitude = 0;
                for (int i = 0; i < cols; i++) {
                    magnitude += Math.abs(w[i] * x[xOff + i]);
                }
                float vector = t.dot(r, x, xOff);
                float scalar = t.dotScalar(r, x, xOff);
                double tolerance = 1e-4 * magnitude + 1e-6;
                if (!(Math.abs(vector - scalar) <= tolerance)) {
                    failures.add(type + " " + blocks + " blocks, row " + r + ": dot " + vector
                            + ", dotScalar " + scalar + ", tolerance " + tolerance);
                }
                tolerances[r] = tolerance;
            }
            float[] x0 = Arrays.copyOfRange(x, xOff, xOff + cols);
            for (int from = 0; from < rows; from++) {
                for (int to = from + 1; to <= rows; to++) {
                    float[] out = new float[rows];
                    t.matvec(x0, out, from, to);
                    for (int r = 0; r < rows; r++) {
                        float expected = r >= from && r < to ? t.dotScalar(r, x, xOff) : 0f;
                        if (!(Math.abs(out[r] - expected) <= tolerances[r])) {
                            failures.add(type + " " + blocks + " blocks, matvec rows " + from + ".." + to + ", row " + r
                                    + ": " + out[r] + ", dotScalar " + expected + ", tolerance " + tolerances[r]);
                        }
                    }
                }
            }
        }
        return failures;
    }

    /** Prints the preferred width, then one line per failure; exits 1 if any. */
    public static void main(String[] args) {
        System.out.println("bits " + FloatVector.SPECIES_PREFERRED.vectorBitSize());
        List<String> failures = new ArrayList<>();
        for (GGMLType type : TYPES) {
            failures.addAll(check(type));
        }
        failures.forEach(System.out::println);
        System.exit(failures.isEmpty() ? 0 : 1);
    }
}
