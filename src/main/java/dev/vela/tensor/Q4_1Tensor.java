package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q4_1: blocks of 32 weights in 20 bytes: fp16 {@code d}, fp16 {@code m}, 16 bytes of 4-bit
 * quants (byte j holds weight j in its low nibble and weight j+16 in its high nibble).
 * Weight = {@code q·d + m}.
 */
public final class Q4_1Tensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q4_1Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_1, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_1;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 20L;
            int xi = xOff + b * 32;
            FloatVector d = FloatVector.broadcast(S, f16(data, p));
            FloatVector m = FloatVector.broadcast(S, f16(data, p + 2));
            ByteVector q = load16(data, p + 4);
            acc0 = fma16(S, q.and((byte) 0xF), d, m, x, xi, acc0);
            acc1 = fma16(S, q.lanewise(VectorOperators.LSHR, 4), d, m, x, xi + 16, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int packed = u8(data, p + 4 + i % 16);
        int q = i < 16 ? packed & 0xF : packed >>> 4;
        return q * f16(data, p) + f16(data, p + 2);
    }
}
