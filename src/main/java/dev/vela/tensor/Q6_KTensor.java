package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q6_K: super-blocks of 256 weights in 210 bytes: 128 bytes of low nibbles, 64 bytes of high
 * 2-bit pairs, 16 signed 8-bit scales (one per 16 weights), fp16 {@code d}. Weight =
 * {@code d·scale·(q − 32)}. Each half of 128 weights uses 64 low bytes and 32 high bytes: weight
 * 32k + l (k = 0..3, l = 0..31) takes nibble k / 2 of low byte l + 32·(k % 2) and bits 2k, 2k+1
 * of high byte l, with scale 2k + l / 16 of the half.
 */
public final class Q6_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q6_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q6_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 210L;
            float d = f16(data, p + 208);
            for (int h = 0; h < 2; h++) {
                long ql = p + 64 * h;
                long sc = p + 192 + 8 * h;
                int xi = xOff + b * 256 + 128 * h;
                ByteVector qh0 = load16(data, p + 128 + 32 * h);
                ByteVector qh1 = load16(data, p + 144 + 32 * h);
                for (int k = 0; k < 4; k++) {
                    // Low nibbles of low bytes 0..31 for k = 0, of bytes 32..63 for k = 1; high nibbles for 2, 3.
                    long lowBytes = ql + 32 * (k % 2);
                    ByteVector low0 = load16(data, lowBytes);
                    ByteVector low1 = load16(data, lowBytes + 16);
                    low0 = k < 2 ? low0.and((byte) 0xF) : low0.lanewise(VectorOperators.LSHR, 4);
                    low1 = k < 2 ? low1.and((byte) 0xF) : low1.lanewise(VectorOperators.LSHR, 4);
                    // Bits 2k and 2k+1 of the high bytes become bits 4 and 5.
                    ByteVector v0 = low0.or(shiftRight(qh0, 2 * k).lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                    ByteVector v1 = low1.or(shiftRight(qh1, 2 * k).lanewise(VectorOperators.LSHL, 4).and((byte) 0x30)).sub((byte) 32);
                    FloatVector s0 = FloatVector.broadcast(S, d * i8(data, sc + 2 * k));
                    FloatVector s1 = FloatVector.broadcast(S, d * i8(data, sc + 2 * k + 1));
                    acc0 = mul16(S, v0, s0, x, xi + 32 * k, acc0);
                    acc1 = mul16(S, v1, s1, x, xi + 32 * k + 16, acc1);
                }
            }
        }
        return acc0.add(acc1).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int h = i / 128;
        int k = i % 128 / 32;
        int l = i % 32;
        int packed = u8(data, p + 64 * h + l + 32 * (k % 2));
        int low = k < 2 ? packed & 0xF : packed >>> 4;
        int high = u8(data, p + 128 + 32 * h + l) >>> (2 * k) & 3;
        int scale = i8(data, p + 192 + 8 * h + 2 * k + l / 16);
        return f16(data, p + 208) * scale * ((low | high << 4) - 32);
    }
}
