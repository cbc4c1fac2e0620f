package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q5_K: super-blocks of 256 weights in 176 bytes: fp16 {@code d}, fp16 {@code dmin}, 12 bytes of
 * 6-bit scales and mins packed as in Q4_K, 32 bytes of fifth bits, 128 bytes of low nibbles.
 * Weight i = 64c + r takes its fifth bit from byte r % 32 of the high-bit array, bit 2c for the
 * low-nibble half (r < 32) and bit 2c+1 for the high-nibble half.
 */
public final class Q5_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q5_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q5_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 176L;
            int xb = xOff + b * 256;
            float d = f16(data, p);
            float dmin = f16(data, p + 2);
            int a0 = data.get(I32, p + 4);
            int a1 = data.get(I32, p + 8);
            int a2 = data.get(I32, p + 12);
            long scales = scalesK4(a0, a1, a2);
            long mins = minsK4(a0, a1, a2);
            for (int c = 0; c < 4; c++) {
                acc = acc.add(chunk(p, c, d * (int) (scales >>> 16 * c & 0xFF), d * (int) (scales >>> 16 * c + 8 & 0xFF),
                        -dmin * (int) (mins >>> 16 * c & 0xFF), -dmin * (int) (mins >>> 16 * c + 8 & 0xFF), x, xb + 64 * c));
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Weights 64c .. 64c+63 of the super-block at {@code p} times {@code x[xi..]}: low nibbles
     * with the first scale and min, high nibbles with the second. A method of its own so that the
     * JIT compiles the vector code of one chunk within its inlining budget.
     */
    private FloatVector chunk(long p, int c, float scLo, float scHi, float mLo, float mHi, float[] x, int xi) {
        FloatVector sLo = FloatVector.broadcast(S, scLo);
        FloatVector sHi = FloatVector.broadcast(S, scHi);
        FloatVector bLo = FloatVector.broadcast(S, mLo);
        FloatVector bHi = FloatVector.broadcast(S, mHi);
        ByteVector qh0 = load16(data, p + 16);
        ByteVector qh1 = load16(data, p + 32);
        ByteVector q0 = load16(data, p + 48 + 32 * c);
        ByteVector q1 = load16(data, p + 64 + 32 * c);
        // Bits 2c and 2c+1 of the high-bit bytes are the fifth bits of the two halves.
        byte bitLo = (byte) (1 << 2 * c);
        byte bitHi = (byte) (2 << 2 * c);
        ByteVector lo0 = q0.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 0x10, qh0.and(bitLo).compare(VectorOperators.NE, (byte) 0));
        ByteVector lo1 = q1.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 0x10, qh1.and(bitLo).compare(VectorOperators.NE, (byte) 0));
        ByteVector hi0 = q0.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 0x10, qh0.and(bitHi).compare(VectorOperators.NE, (byte) 0));
        ByteVector hi1 = q1.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 0x10, qh1.and(bitHi).compare(VectorOperators.NE, (byte) 0));
        FloatVector acc0 = fma16(S, lo0, sLo, bLo, x, xi, FloatVector.zero(S));
        FloatVector acc1 = fma16(S, lo1, sLo, bLo, x, xi + 16, FloatVector.zero(S));
        acc0 = fma16(S, hi0, sHi, bHi, x, xi + 32, acc0);
        acc1 = fma16(S, hi1, sHi, bHi, x, xi + 48, acc1);
        return acc0.add(acc1);
    }

    @Override
    float weight(long p, int i) {
        int c = i / 64;
        int r = i % 64;
        int j = 2 * c + r / 32;
        int packed = u8(data, p + 48 + 32 * c + r % 32);
        int low = r < 32 ? packed & 0xF : packed >>> 4;
        int high = u8(data, p + 16 + r % 32) >>> j & 1;
        int q = low | high << 4;
        return f16(data, p) * scaleMinK4(data, p + 4, j, 0) * q - f16(data, p + 2) * scaleMinK4(data, p + 4, j, 1);
    }
}
