package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;

/**
 * Q3_K: super-blocks of 256 weights in 110 bytes: 32 bytes of high bits, 64 bytes of 2-bit
 * quants, 12 bytes of 16 packed 6-bit scales, fp16 {@code d}. Weight = {@code d·(scale − 32)·v}
 * with v = low 2 bits − 4, plus 4 when the high bit is set (v in −4..3). Each half h of 128
 * weights uses 32 quant bytes: weight 32j + l is bits 2j, 2j+1 of byte l, its high bit is bit
 * 4h + j of high-bit byte l, its scale number 8h + 2j + l / 16. Scale n keeps its low 4 bits in
 * byte n (n < 8, low nibble) or byte n − 8 (high nibble), its top 2 bits in byte 8 + n % 4 at
 * bit 2·(n / 4).
 */
public final class Q3_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;

    public Q3_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q3_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q3_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 110L;
            float d = f16(data, p + 108);
            // All 16 scales at once: four ints, one scale (0..63) per byte, scale n in byte n % 4 of int n / 4.
            int a0 = data.get(I32, p + 96);
            int a1 = data.get(I32, p + 100);
            int a2 = data.get(I32, p + 104);
            long sLow = ((a0 & 0x0F0F0F0F) | (a2 & 0x03030303) << 4) & 0xFFFFFFFFL
                    | (long) ((a1 & 0x0F0F0F0F) | (a2 >>> 2 & 0x03030303) << 4) << 32;
            long sHigh = ((a0 >>> 4 & 0x0F0F0F0F) | (a2 >>> 4 & 0x03030303) << 4) & 0xFFFFFFFFL
                    | (long) ((a1 >>> 4 & 0x0F0F0F0F) | (a2 >>> 6 & 0x03030303) << 4) << 32;
            ByteVector hm0 = load16(data, p);
            ByteVector hm1 = load16(data, p + 16);
            for (int h = 0; h < 2; h++) {
                long scales = h == 0 ? sLow : sHigh;
                int xi = xOff + b * 256 + 128 * h;
                ByteVector q0 = load16(data, p + 32 + 32 * h);
                ByteVector q1 = load16(data, p + 48 + 32 * h);
                for (int j = 0; j < 4; j++) {
                    // v = low bits − 4 where the high bit is clear.
                    byte bit = (byte) (1 << (4 * h + j));
                    VectorMask<Byte> clear0 = hm0.and(bit).compare(VectorOperators.EQ, (byte) 0);
                    VectorMask<Byte> clear1 = hm1.and(bit).compare(VectorOperators.EQ, (byte) 0);
                    ByteVector v0 = shiftRight(q0, 2 * j).and((byte) 3).lanewise(VectorOperators.SUB, (byte) 4, clear0);
                    ByteVector v1 = shiftRight(q1, 2 * j).and((byte) 3).lanewise(VectorOperators.SUB, (byte) 4, clear1);
                    FloatVector s0 = FloatVector.broadcast(S, d * ((int) (scales >>> (16 * j) & 0xFF) - 32));
                    FloatVector s1 = FloatVector.broadcast(S, d * ((int) (scales >>> (16 * j + 8) & 0xFF) - 32));
                    acc0 = mul16(S, v0, s0, x, xi + 32 * j, acc0);
                    acc1 = mul16(S, v1, s1, x, xi + 32 * j + 16, acc1);
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
        int low = u8(data, p + 32 + 32 * h + l) >>> (2 * j) & 3;
        int high = u8(data, p + l) >>> (4 * h + j) & 1;
        int n = 8 * h + 2 * j + l / 16;
        int scaleLow = n < 8 ? u8(data, p + 96 + n) & 0xF : u8(data, p + 96 + n - 8) >>> 4;
        int scaleHigh = u8(data, p + 104 + n % 4) >>> (2 * (n / 4)) & 3;
        int scale = (scaleLow | scaleHigh << 4) - 32;
        return f16(data, p + 108) * scale * (low - (high == 0 ? 4 : 0));
    }
}
