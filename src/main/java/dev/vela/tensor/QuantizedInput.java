package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.Block32.VALUES;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.F2S;
import static jdk.incubator.vector.VectorOperators.MAX;

/**
 * An activation vector rounded to 8-bit integers per block of 32 values, for the kernels that
 * multiply in 16-bit integer lanes ({@link Q4_0x32Tensor}, {@link Q4_Kx32Tensor}): x ≈ q × step
 * with step = amax / 127 per block, as llama.cpp rounds activations for its Q4_0 and K-quant
 * dot products.
 */
final class QuantizedInput {
    private QuantizedInput() {}

    /** 1.5 × 2^23: adding and subtracting it rounds a float below 2^22 to an integer, ties to even. */
    private static final float ROUNDER = 12582912f;
    /** x's floats as read: Block32's width, and the shorts they narrow to. */
    private static final VectorSpecies<Float> XF = Block32.FLOATS;
    private static final VectorSpecies<Short> XS = VectorSpecies.of(short.class, VectorShape.forBitSize(16 * XF.length()));

    /**
     * x rounded to integers per block of 32: {@code xq[i] = rint(x[i] × 127 / amax)} and
     * {@code dx[b] = amax / 127}, so x ≈ xq × dx. Vector and scalar forms round alike.
     */
    static void quantize(MemorySegment x, int cols, short[] xq, float[] dx) {
        int n = XF.length();
        for (int b = 0; b < cols / VALUES; b++) {
            long at = 4L * b * VALUES;
            FloatVector amax = FloatVector.zero(XF);
            for (int i = 0; i < VALUES; i += n) {
                amax = amax.max(FloatVector.fromMemorySegment(XF, x, at + 4L * i, LITTLE_ENDIAN).abs());
            }
            float max = amax.reduceLanes(MAX);
            float inverse = max > 0 ? 127f / max : 0f;
            dx[b] = max / 127f;
            for (int i = 0; i < VALUES; i += n) {
                FloatVector v = FloatVector.fromMemorySegment(XF, x, at + 4L * i, LITTLE_ENDIAN);
                ((ShortVector) v.mul(inverse).add(ROUNDER).sub(ROUNDER).convertShape(F2S, XS, 0)).intoArray(xq, b * VALUES + i);
            }
        }
    }

    /** The scalar twin of {@link #quantize}. */
    static void quantizeScalar(float[] x, int xOff, int cols, short[] xq, float[] dx) {
        for (int b = 0; b < cols / VALUES; b++) {
            float max = 0f;
            for (int i = 0; i < VALUES; i++) {
                max = Math.max(max, Math.abs(x[xOff + b * VALUES + i]));
            }
            float inverse = max > 0 ? 127f / max : 0f;
            dx[b] = max / 127f;
            for (int i = 0; i < VALUES; i++) {
                xq[b * VALUES + i] = (short) (int) ((x[xOff + b * VALUES + i] * inverse + ROUNDER) - ROUNDER);
            }
        }
    }

    /**
     * x rounded as llama.cpp rounds it for K-quant products (its Q8_K): one step per super-block
     * of 256, {@code 1 / (127 / amax)}, repeated in {@code dx} for each of the super-block's
     * blocks of 32 so that the kernels read it as they read {@link #quantize}'s. (llama.cpp flips
     * the sign so that the largest value becomes −127; the products come out the same.) Rounding
     * as the reference does keeps the logits within its tolerances: per block of 32 they are
     * closer to exact, but two argmaxes of the Q6_K test model moved.
     */
    static void quantizeK(MemorySegment x, int cols, short[] xq, float[] dx) {
        int n = XF.length();
        for (int b = 0; b < cols / 256; b++) {
            long at = 4L * b * 256;
            FloatVector amax = FloatVector.zero(XF);
            for (int i = 0; i < 256; i += n) {
                amax = amax.max(FloatVector.fromMemorySegment(XF, x, at + 4L * i, LITTLE_ENDIAN).abs());
            }
            float max = amax.reduceLanes(MAX);
            float inverse = max > 0 ? 127f / max : 0f;
            float step = max > 0 ? 1f / inverse : 0f;
            for (int i = 0; i < 256; i += n) {
                FloatVector v = FloatVector.fromMemorySegment(XF, x, at + 4L * i, LITTLE_ENDIAN);
                ((ShortVector) v.mul(inverse).add(ROUNDER).sub(ROUNDER).convertShape(F2S, XS, 0)).intoArray(xq, b * 256 + i);
            }
            for (int j = 0; j < 8; j++) {
                dx[b * 8 + j] = step;
            }
        }
    }

    /** The scalar twin of {@link #quantizeK}. */
    static void quantizeKScalar(float[] x, int xOff, int cols, short[] xq, float[] dx) {
        for (int b = 0; b < cols / 256; b++) {
            float max = 0f;
            for (int i = 0; i < 256; i++) {
                max = Math.max(max, Math.abs(x[xOff + b * 256 + i]));
            }
            float inverse = max > 0 ? 127f / max : 0f;
            float step = max > 0 ? 1f / inverse : 0f;
            for (int i = 0; i < 256; i++) {
                xq[b * 256 + i] = (short) (int) ((x[xOff + b * 256 + i] * inverse + ROUNDER) - ROUNDER);
            }
            for (int j = 0; j < 8; j++) {
                dx[b * 8 + j] = step;
            }
        }
    }

    /** The sum of each block's 32 integers, for the kernels whose weights have an offset (a min). */
    static int[] blockSums(short[] xq) {
        int[] sums = new int[xq.length / VALUES];
        for (int b = 0; b < sums.length; b++) {
            int sum = 0;
            for (int i = b * VALUES; i < (b + 1) * VALUES; i++) {
                sum += xq[i];
            }
            sums[b] = sum;
        }
        return sums;
    }
}
