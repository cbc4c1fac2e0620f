package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * IQ4_XS: super-blocks of 256 weights in 136 bytes: fp16 {@code d}, a 16-bit word of high scale
 * bits, 4 bytes of low scale nibbles, 128 bytes of 4-bit indices into the IQ4_NL levels. Each
 * sub-block of 32 has a 6-bit scale: low 4 bits from nibble ib % 2 of byte ib / 2, top 2 bits
 * from bits 2ib, 2ib+1 of the word. Its 16 index bytes hold weight l in the low nibble and
 * weight l + 16 in the high one. Weight = {@code d·(scale − 32)·level[q]}.
 */
public final class IQ4_XSTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public IQ4_XSTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_XS, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_XS;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        ByteVector levels = ByteVector.fromArray(B16, IQ4_LEVELS, 0);
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 136L;
            float d = f16(data, p);
            int high = data.get(I16, p + 2);
            int low = data.get(I32, p + 4);
            for (int ib = 0; ib < 8; ib++) {
                int scale = (low >>> (4 * ib) & 0xF) | (high >>> (2 * ib) & 3) << 4;
                FloatVector s = FloatVector.broadcast(S, d * (scale - 32));
                ByteVector q = load16(data, p + 8 + 16 * ib);
                int xi = xOff + b * 256 + 32 * ib;
                acc0 = mul16(S, q.and((byte) 0xF).selectFrom(levels), s, x, xi, acc0);
                acc1 = mul16(S, q.lanewise(VectorOperators.LSHR, 4).selectFrom(levels), s, x, xi + 16, acc1);
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int ib = i / 32;
        int l = i % 32;
        int scaleLow = u8(data, p + 4 + ib / 2) >>> (4 * (ib % 2)) & 0xF;
        int scaleHigh = (data.get(I16, p + 2) & 0xFFFF) >>> (2 * ib) & 3;
        int packed = u8(data, p + 8 + 16 * ib + l % 16);
        int q = l < 16 ? packed & 0xF : packed >>> 4;
        return f16(data, p) * ((scaleLow | scaleHigh << 4) - 32) * IQ4_LEVELS[q];
    }
}
