package dev.vela.tensor;

import java.util.Random;

/**
 * Single-threaded matrix-vector speed per type, in GB/s of weights streamed. Not a test:
 * run by hand after {@code mvn test-compile}:
 * {@code java --add-modules jdk.incubator.vector -cp target/classes:target/test-classes dev.vela.tensor.KernelBench [types...]}
 * ({@code -Dmb=N} sets the matrix size, {@code -Dnoscalar=true} skips the slow scalar runs).
 * The matrix is about 256 MB, far larger than any cache, so every byte comes from memory.
 */
public final class KernelBench {
    private KernelBench() {}

    public static void main(String[] args) {
        String[] types = args.length > 0 ? args : new String[] {"F32", "F16", "BF16", "Q8_0", "Q4_0"};
        int cols = 2048;
        for (String name : types) {
            GGMLType type = GGMLType.valueOf(name);
            int rows = (int) (Long.getLong("mb", 256) * 1024 * 1024 / type.bytesFor(cols));
            Tensor w = RandomWeights.matrix(type, rows, cols, new Random(1));
            float[] x = RandomWeights.vector(cols, new Random(2));
            float[] out = new float[rows];
            double best = Double.MAX_VALUE;
            double bestScalar = Double.MAX_VALUE;
            long start = System.nanoTime();
            for (int rep = 0; rep < 15 || System.nanoTime() - start < 3_000_000_000L; rep++) {
                long t0 = System.nanoTime();
                w.matvec(x, out, 0, rows);
                best = Math.min(best, System.nanoTime() - t0);
            }
            for (int rep = 0; rep < 3 && !Boolean.getBoolean("noscalar"); rep++) {
                long t0 = System.nanoTime();
                for (int r = 0; r < rows; r++) {
                    out[r] = w.dotScalar(r, x, 0);
                }
                bestScalar = Math.min(bestScalar, System.nanoTime() - t0);
            }
            System.out.printf("%-5s %6d x %d  %6.1f MB  vector %6.2f GB/s%s%n", name, rows, cols, w.byteSize() / 1e6,
                    w.byteSize() / best, bestScalar == Double.MAX_VALUE ? "" : String.format("  scalar %6.2f GB/s", w.byteSize() / bestScalar));
        }
    }
}
