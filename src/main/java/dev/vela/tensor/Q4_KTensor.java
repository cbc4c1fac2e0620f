package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q4_K: super-blocks of 256 weights in 144 bytes: fp16 {@code d}, fp16 {@code dmin}, 12 bytes
 * of 6-bit scales and mins for 8 sub-blocks of 32, then 128 bytes of 4-bit quants.
 * Weight = {@code d·scale[j]·q − dmin·min[j]}. Each 32 quant bytes hold 64 weights: the low
 * nibbles are sub-block 2c, the high nibbles sub-block 2c+1.
 */
public final class Q4_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q4_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        FloatVector acc2 = FloatVector.zero(S);
        FloatVector acc3 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 144L;
            int xb = xOff + b * 256;
            float d = f16(data, p);
            float dmin = f16(data, p + 2);
            int a0 = data.get(I32, p + 4);
            int a1 = data.get(I32, p + 8);
            int a2 = data.get(I32, p + 12);
            long scales = scalesK4(a0, a1, a2);
            long mins = minsK4(a0, a1, a2);
            for (int c = 0; c < 4; c++) {
                int shift = 16 * c;
                FloatVector scLo = FloatVector.broadcast(S, d * (int) (scales >>> shift & 0xFF));
                FloatVector scHi = FloatVector.broadcast(S, d * (int) (scales >>> (shift + 8) & 0xFF));
                FloatVector mLo = FloatVector.broadcast(S, -dmin * (int) (mins >>> shift & 0xFF));
                FloatVector mHi = FloatVector.broadcast(S, -dmin * (int) (mins >>> (shift + 8) & 0xFF));
                ByteVector q0 = load16(data, p + 16 + 32 * c);
                ByteVector q1 = load16(data, p + 32 + 32 * c);
                int xi = xb + 64 * c;
                acc0 = fma16(S, q0.and((byte) 0xF), scLo, mLo, x, xi, acc0);
                acc1 = fma16(S, q1.and((byte) 0xF), scLo, mLo, x, xi + 16, acc1);
                acc2 = fma16(S, q0.lanewise(VectorOperators.LSHR, 4), scHi, mHi, x, xi + 32, acc2);
                acc3 = fma16(S, q1.lanewise(VectorOperators.LSHR, 4), scHi, mHi, x, xi + 48, acc3);
            }
        }
        return acc0.add(acc1).add(acc2.add(acc3)).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int c = i / 64;
        int r = i % 64;
        int j = 2 * c + r / 32;
        int packed = u8(data, p + 16 + 32 * c + r % 32);
        int q = r < 32 ? packed & 0xF : packed >>> 4;
        return f16(data, p) * scaleMinK4(data, p + 4, j, 0) * q - f16(data, p + 2) * scaleMinK4(data, p + 4, j, 1);
    }
}
