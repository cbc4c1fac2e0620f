package dev.vela.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Random;

/** Valid random matrices of each type, off heap like a mapped file, for tests and the benchmark. */
final class RandomWeights {
    private RandomWeights() {}

    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    static Tensor matrix(GGMLType type, int rows, int cols, Random rnd) {
        long bytes = type.bytesFor((long) rows * cols);
        MemorySegment data = Arena.ofAuto().allocate(bytes, 64);
        switch (type) {
            case F32 -> {
                for (long i = 0; i < bytes; i += 4) {
                    data.set(FLOAT, i, (float) rnd.nextGaussian());
                }
            }
            case F16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    data.set(SHORT, i, randomHalf(rnd));
                }
            }
            case BF16 -> {
                for (long i = 0; i < bytes; i += 2) {
                    data.set(SHORT, i, (short) (Float.floatToRawIntBits((float) rnd.nextGaussian()) >>> 16));
                }
            }
            case Q8_0, Q4_0 -> {
                for (long b = 0; b < bytes; b += type.typeSize) {
                    data.set(SHORT, b, randomScale(rnd));
                    for (int j = 2; j < type.typeSize; j++) {
                        data.set(ValueLayout.JAVA_BYTE, b + j, (byte) rnd.nextInt(256));
                    }
                }
            }
            default -> throw new IllegalArgumentException(type + " has no random generator");
        }
        return type.view(data, rows, cols);
    }

    /** Mostly normal halves around ±1, with some zeros and subnormals of either sign. */
    static short randomHalf(Random rnd) {
        int kind = rnd.nextInt(16);
        int sign = rnd.nextBoolean() ? 0x8000 : 0;
        if (kind == 0) {
            return (short) sign;
        }
        if (kind == 1) {
            return (short) (sign | rnd.nextInt(1, 0x400));
        }
        return Float.floatToFloat16((float) rnd.nextGaussian());
    }

    /** An fp16 scale of either sign between about 1e-3 and 0.1, as real blocks have. */
    static short randomScale(Random rnd) {
        double magnitude = Math.pow(10, -3 + 2 * rnd.nextDouble());
        return Float.floatToFloat16((float) (rnd.nextBoolean() ? magnitude : -magnitude));
    }

    static float[] vector(int n, Random rnd) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) rnd.nextGaussian();
        }
        return x;
    }
}
