package dev.vela.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/**
 * Random but valid matrices for the quantized types: random quant and scale bytes, with every
 * fp16 field replaced by a sane value (no NaN, infinity or huge exponent), so any difference
 * between kernels is a bug, not overflow.
 */
final class RandomBlocks {
    private RandomBlocks() {}

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** Byte offsets of the fp16 fields inside one block of each type. */
    static int[] halfOffsets(GGMLType type) {
        return switch (type) {
            case Q4_1, Q5_1, Q4_K, Q5_K -> new int[] {0, 2};
            case Q5_0, IQ4_NL, IQ4_XS -> new int[] {0};
            case Q2_K -> new int[] {80, 82};
            case Q3_K -> new int[] {108};
            case Q6_K -> new int[] {208};
            default -> throw new IllegalArgumentException(type.toString());
        };
    }

    static MemorySegment matrix(GGMLType type, int rows, int cols, long seed) {
        Random rnd = new Random(seed);
        long bytes = type.bytesFor((long) rows * cols);
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 64);
        byte[] buf = new byte[(int) bytes];
        rnd.nextBytes(buf);
        MemorySegment.copy(buf, 0, seg, ValueLayout.JAVA_BYTE, 0, buf.length);
        for (long block = 0; block < bytes; block += type.typeSize) {
            for (int off : halfOffsets(type)) {
                float v = (rnd.nextFloat() * 2 - 1) * 0.05f;
                seg.set(F16, block + off, Float.floatToFloat16(v));
            }
        }
        return seg;
    }

    static float[] vector(int n, long seed) {
        Random rnd = new Random(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
