package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * IQ4_NL: blocks of 32 weights in 18 bytes: fp16 {@code d} and 16 bytes of 4-bit indices laid
 * out as in Q4_0, each picking one of 16 non-linear levels. Weight = {@code d·level[q]}.
 */
public final class IQ4_NLTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public IQ4_NLTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_NL, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_NL;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        ByteVector levels = ByteVector.fromArray(B16, IQ4_LEVELS, 0);
        long base = row * rowBytes;
        int blocks = cols / 32;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 18L;
            int xi = xOff + b * 32;
            FloatVector d = FloatVector.broadcast(S, f16(data, p));
            ByteVector q = load16(data, p + 2);
            // A 16-entry byte table lookup is one shuffle.
            ByteVector lo = q.and((byte) 0xF).selectFrom(levels);
            ByteVector hi = q.lanewise(VectorOperators.LSHR, 4).selectFrom(levels);
            acc0 = mul16(S, lo, d, x, xi, acc0);
            acc1 = mul16(S, hi, d, x, xi + 16, acc1);
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int packed = u8(data, p + 2 + i % 16);
        int q = i < 16 ? packed & 0xF : packed >>> 4;
        return f16(data, p) * IQ4_LEVELS[q];
    }
}
