package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q5_0: blocks of 32 weights in 22 bytes: fp16 {@code d}, a little-endian 32-bit word whose bit
 * i is the fifth bit of weight i, then 16 bytes of low nibbles laid out as in Q4_0.
 * Weight = {@code (q − 16)·d}.
 */
public final class Q5_0Tensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q5_0Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q5_0, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_0;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 22L;
            int xi = xOff + b * 32;
            FloatVector d = FloatVector.broadcast(S, f16(data, p));
            int qh = data.get(I32, p + 2);
            ByteVector q = load16(data, p + 6);
            // The fifth bits become a lane mask directly: bit i of the word is lane i.
            ByteVector lo = q.and((byte) 0xF).lanewise(VectorOperators.OR, (byte) 0x10, VectorMask.fromLong(B16, qh & 0xFFFF));
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.OR, (byte) 0x10, VectorMask.fromLong(B16, qh >>> 16));
            acc0 = mul16(S, lo.sub((byte) 16), d, x, xi, acc0);
            acc1 = mul16(S, hi.sub((byte) 16), d, x, xi + 16, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int packed = u8(data, p + 6 + i % 16);
        int low = i < 16 ? packed & 0xF : packed >>> 4;
        int high = data.get(I32, p + 2) >>> i & 1;
        return ((low | high << 4) - 16) * f16(data, p);
    }
}
