package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Pieces shared by the Q4_1 ... IQ4_XS kernels: reading block fields and multiplying groups of
 * 16 quantized values, held in byte lanes, with {@code x}. Every kernel works in groups of 16
 * because 16 is the smallest scale group of these types (Q2_K, Q3_K, Q6_K) and exactly one
 * 512-bit float vector; narrower species take a group in several parts.
 */
final class KQuant {
    private KQuant() {}

    static final VectorSpecies<Byte> B16 = ByteVector.SPECIES_128;
    static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** The 16 non-linear levels of IQ4_NL and IQ4_XS (ggml's kvalues_iq4nl). */
    static final byte[] IQ4_LEVELS = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    static float f16(MemorySegment data, long offset) {
        return Float.float16ToFloat(data.get(I16, offset));
    }

    static int u8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset) & 0xFF;
    }

    static int i8(MemorySegment data, long offset) {
        return data.get(ValueLayout.JAVA_BYTE, offset);
    }

    static ByteVector load16(MemorySegment data, long offset) {
        return ByteVector.fromMemorySegment(B16, data, offset, ByteOrder.LITTLE_ENDIAN);
    }

    /**
     * The 6-bit scale ({@code which = 0}) or min ({@code which = 1}) of sub-block {@code j} (0..7)
     * in the 12 packed bytes at {@code p} used by Q4_K and Q5_K: sub-blocks 0..3 keep theirs in the
     * low 6 bits of bytes 0..3 (scales) and 4..7 (mins); 4..7 take 4 bits from bytes 8..11 and
     * their top 2 bits from the spare high bits of bytes 0..7.
     */
    static int scaleMinK4(MemorySegment data, long p, int j, int which) {
        if (j < 4) {
            return u8(data, p + j + 4L * which) & 63;
        }
        int low = u8(data, p + j + 4) >>> (4 * which) & 0xF;
        int high = u8(data, p + j - 4 + 4L * which) >>> 6;
        return low | high << 4;
    }

    /**
     * The eight 6-bit scales (bytes of the result, sub-block 0 in the low byte) of a Q4_K/Q5_K
     * super-block whose 12 scale bytes read as little-endian ints {@code a0, a1, a2}: the same
     * unpacking as {@link #scaleMinK4}, for all sub-blocks at once.
     */
    static long scalesK4(int a0, int a1, int a2) {
        int low = a0 & 0x3F3F3F3F;
        int high = (a2 & 0x0F0F0F0F) | ((a0 >>> 2) & 0x30303030);
        return (low & 0xFFFFFFFFL) | (long) high << 32;
    }

    /**
     * Sub-block j's scale and min of the Q4_K/Q5_K super-block whose 12 scale bytes are the
     * little-endian shorts {@code in[at .. at + 5]}, as {@code scale | min << 8}: how the repacked
     * layouts keep them.
     */
    static short scaleAndMin(short[] in, int at, int j) {
        int a0 = in[at] & 0xFFFF | in[at + 1] << 16;
        int a1 = in[at + 2] & 0xFFFF | in[at + 3] << 16;
        int a2 = in[at + 4] & 0xFFFF | in[at + 5] << 16;
        return (short) (scalesK4(a0, a1, a2) >>> 8 * j & 0xFF | (minsK4(a0, a1, a2) >>> 8 * j & 0xFF) << 8);
    }

    /** The eight 6-bit mins, packed like {@link #scalesK4}. */
    static long minsK4(int a0, int a1, int a2) {
        int low = a1 & 0x3F3F3F3F;
        int high = ((a2 >>> 4) & 0x0F0F0F0F) | ((a1 >>> 2) & 0x30303030);
        return (low & 0xFFFFFFFFL) | (long) high << 32;
    }

    /**
     * {@code acc + Σ (q[i]·scale + bias)·x[xi+i]} over the 16 byte lanes of {@code q}, dequantized
     * to floats on the way. (Byte vectors stay 128-bit: converting a part other than the first of
     * a wider one is not compiled to vector instructions.)
     */
    static FloatVector fma16(VectorSpecies<Float> s, ByteVector q, FloatVector scale, FloatVector bias,
                             float[] x, int xi, FloatVector acc) {
        int n = s.length();
        for (int k = 0; k * n < 16; k++) {
            FloatVector w = ((FloatVector) q.convertShape(VectorOperators.B2F, s, k)).fma(scale, bias);
            acc = w.fma(FloatVector.fromArray(s, x, xi + k * n), acc);
        }
        return acc;
    }

    /** {@code acc + Σ q[i]·scale·x[xi+i]} over the 16 byte lanes of {@code q}: {@link #fma16} without a bias. */
    static FloatVector mul16(VectorSpecies<Float> s, ByteVector q, FloatVector scale,
                             float[] x, int xi, FloatVector acc) {
        int n = s.length();
        for (int k = 0; k * n < 16; k++) {
            FloatVector w = ((FloatVector) q.convertShape(VectorOperators.B2F, s, k)).mul(scale);
            acc = w.fma(FloatVector.fromArray(s, x, xi + k * n), acc);
        }
        return acc;
    }

    /**
     * {@code sums[g] = Σ x[xOff + size·g .. + size)} for every group of {@code size} values in a row
     * of {@code cols}: the factors of the types' min terms, the same for every row of a matrix.
     */
    static float[] groupSums(float[] x, int xOff, int cols, int size) {
        return groupSums(x, xOff, cols, size, cols / size, cols / size);
    }

    /**
     * The same sums with each super-block's {@code groups} of them starting {@code stride} apart,
     * zeros between, so that a kernel can read them as whole vectors.
     */
    static float[] groupSums(float[] x, int xOff, int cols, int size, int groups, int stride) {
        int blocks = cols / (size * groups);
        float[] sums = new float[blocks * stride];
        for (int b = 0; b < blocks; b++) {
            for (int g = 0; g < groups; g++) {
                float s = 0f;
                for (int i = 0; i < size; i++) {
                    s += x[xOff + size * (b * groups + g) + i];
                }
                sums[b * stride + g] = s;
            }
        }
        return sums;
    }

    /** Where one int lane of a super-block's quants finds its weights: see {@link #permute}. */
    interface LaneLayout {
        /** The index in its super-block of the weight that field {@code field} of int lane {@code lane} holds. */
        int weight(int lane, int field);
    }

    /**
     * x reordered for kernels that read a super-block's quants as {@code lanes} int lanes and take
     * the same bit field of every lane at once: for each super-block, each vector's worth of lanes
     * ({@code n} of them), each field, the x of every lane's weight, divided by
     * {@code 2^shifts[field]} so that a kernel may mask a field in place instead of shifting it down.
     */
    static float[] permute(float[] x, int xOff, int cols, int blockWeights, int lanes, int n, int[] shifts, LaneLayout layout) {
        float[] xp = new float[cols];
        int o = 0;
        for (int b = 0; b < cols / blockWeights; b++) {
            for (int k = 0; k < lanes / n; k++) {
                for (int f = 0; f < shifts.length; f++) {
                    for (int t = 0; t < n; t++) {
                        xp[o++] = Math.scalb(x[xOff + blockWeights * b + layout.weight(k * n + t, f)], -shifts[f]);
                    }
                }
            }
        }
        return xp;
    }
}
