package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;

import java.util.List;

/**
 * Runs {@link KernelCases} for every type in this JVM and exits non-zero on any mismatch.
 * {@link VectorWidthsTest} starts it with {@code -XX:MaxVectorSize} set, so that the kernels run
 * at 128, 256 and 512 bits exactly as they would on machines of those widths.
 */
public final class KernelCheck {
    private KernelCheck() {}

    public static void main(String[] args) {
        System.out.println("preferred " + FloatVector.SPECIES_PREFERRED.vectorBitSize()
                + " bits; 16-bit kernels " + HalfShapes.FLOATS.vectorBitSize()
                + " bits; block kernels " + Block32.FLOATS.vectorBitSize() + " bits");
        int failures = 0;
        for (GGMLType type : KernelCases.TYPES) {
            KernelCases.warmUp(type);
            List<String> problems = KernelCases.check(type, 42);
            problems.forEach(System.out::println);
            failures += problems.size();
            System.out.println(type + (problems.isEmpty() ? " ok" : " FAILED"));
        }
        for (GGMLType type : KernelCases.REPACKED) {
            if (!KernelCases.repackedAtThisWidth(type)) {
                System.out.println(type + " keeps the file layout at this width");
                continue;
            }
            KernelCases.warmUpRepacked(type);
            List<String> problems = KernelCases.checkRepacked(type, 42);
            problems.forEach(System.out::println);
            failures += problems.size();
            System.out.println(type + " repacked (" + KernelCases.group(type) + " rows)" + (problems.isEmpty() ? " ok" : " FAILED"));
        }
        System.exit(failures == 0 ? 0 : 1);
    }
}
