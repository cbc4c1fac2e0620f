package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q5_1: blocks of 32 weights in 24 bytes: fp16 {@code d}, fp16 {@code m}, the 32 fifth bits as
 * a little-endian word, then 16 bytes of low nibbles as in Q4_1. Weight = {@code q·d + m}.
 */
public final class Q5_1Tensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q5_1Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q5_1, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_1;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 24L;
            int xi = xOff + b * 32;
            FloatVector d = FloatVector.broadcast(S, f16(data, p));
            FloatVector m = FloatVector.broadcast(S, f16(data, p + 2));
            int qh = data.get(I32, p + 4);
            ByteVector q = load16(data, p + 8);
            ByteVector lo = q.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 0x10, VectorMask.fromLong(B16, qh & 0xFFFF));
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 0x10, VectorMask.fromLong(B16, qh >>> 16));
            acc0 = fma16(S, lo, d, m, x, xi, acc0);
            acc1 = fma16(S, hi, d, m, x, xi + 16, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int packed = u8(data, p + 8 + i % 16);
        int low = i < 16 ? packed & 0xF : packed >>> 4;
        int high = data.get(I32, p + 4) >>> i & 1;
        return (low | high << 4) * f16(data, p) + f16(data, p + 2);
    }
}
