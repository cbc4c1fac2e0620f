package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q2_K: super-blocks of 256 weights in 84 bytes: 16 bytes of 4-bit scale (low nibble) and min
 * (high nibble) pairs, one per 16 weights, 64 bytes of 2-bit quants, fp16 {@code d}, fp16
 * {@code dmin}. Weight = {@code d·scale·q − dmin·min}. Each half of 128 weights uses 32 quant
 * bytes: weight 32j + l (j = 0..3, l = 0..31) is bits 2j, 2j+1 of byte l, with scale pair
 * 2j + l / 16 of the half.
 */
public final class Q2_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q2_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q2_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q2_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 84L;
            float d = f16(data, p + 80);
            float dmin = -f16(data, p + 82);
            for (int h = 0; h < 2; h++) {
                long sc = p + 8 * h;
                int xi = xOff + b * 256 + 128 * h;
                ByteVector q0 = load16(data, p + 16 + 32 * h);
                ByteVector q1 = load16(data, p + 32 + 32 * h);
                for (int j = 0; j < 4; j++) {
                    int pair0 = u8(data, sc + 2 * j);
                    int pair1 = u8(data, sc + 2 * j + 1);
                    FloatVector s0 = FloatVector.broadcast(S, d * (pair0 & 0xF));
                    FloatVector m0 = FloatVector.broadcast(S, dmin * (pair0 >>> 4));
                    FloatVector s1 = FloatVector.broadcast(S, d * (pair1 & 0xF));
                    FloatVector m1 = FloatVector.broadcast(S, dmin * (pair1 >>> 4));
                    acc0 = fma16(S, shiftRight(q0, 2 * j).and((byte) 3), s0, m0, x, xi + 32 * j, acc0);
                    acc1 = fma16(S, shiftRight(q1, 2 * j).and((byte) 3), s1, m1, x, xi + 32 * j + 16, acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int h = i / 128;
        int j = i % 128 / 32;
        int l = i % 32;
        int q = u8(data, p + 16 + 32 * h + l) >>> (2 * j) & 3;
        int pair = u8(data, p + 8 * h + 2 * j + l / 16);
        return f16(data, p + 80) * (pair & 0xF) * q - f16(data, p + 82) * (pair >>> 4);
    }
}
