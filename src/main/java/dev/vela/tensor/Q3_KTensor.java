package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

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
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int PARTS = Block32.PARTS;

    public Q3_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q3_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q3_K;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        return dot(row, permuted(x, xOff), groupSums(x, xOff, cols, 16));
    }

    /** All rows share x reordered and its sums per group of 16, so those are made once per call. */
    @Override
    public void matvec(float[] x, float[] out, int from, int to) {
        float[] xp = permuted(x, 0);
        float[] sums = groupSums(x, 0, cols, 16);
        for (int r = from; r < to; r++) {
            out[r] = dot(r, xp, sums);
        }
    }

    /*
     * The low bit pairs are read as in Q2_K (see there): int lane i = 8h + 4s + c of the 64 quant
     * bytes holds, in pair j of byte e, weight 128h + 32j + 16s + 4c + e of group 8h + 2j + s, so
     * the 16 scales apply lane-wise once per super-block. The high bits of lane i are in high-bit
     * int 4s + c = i % 8, bit 4h + j of each byte: one shift per lane drops the 4h, one per j puts
     * bit j just above pair j, where it joins the pair (v + 4 = low + 4·high, masked
     * in place: x is reordered and scaled once per call to match). The −4 is taken off with the sums
     * of x per group of 16.
     */
    private static final int LANES = 16;
    private static final int[] SHIFTS = {0, 2, 4, 6, 8, 10, 12, 14, 0, 2, 4, 6, 8, 10, 12, 14};
    private static final VectorShuffle<Byte> SCALES_J0 = scaleShuffle(0);
    private static final VectorShuffle<Byte> SCALES_J1 = scaleShuffle(1);
    private static final VectorShuffle<Byte> SCALES_J2 = scaleShuffle(2);
    private static final VectorShuffle<Byte> SCALES_J3 = scaleShuffle(3);
    private static final VectorSpecies<Long> L128 = LongVector.SPECIES_128;
    private static final VectorMask<Byte> SCALES_8_TO_15 = VectorMask.fromLong(B16, 0xFF00);
    private static final VectorShuffle<Integer> HIGH_TWICE = VectorShuffle.fromOp(IntVector.SPECIES_512, i -> i % 8);
    private static final int[] HIGH_SHIFTS = {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4};

    /** Lane i = 8h + 4s + c of the result takes scale 8h + 2j + s. */
    private static VectorShuffle<Byte> scaleShuffle(int j) {
        return VectorShuffle.fromOp(B16, i -> (i & 8) + 2 * j + (i >> 2 & 1));
    }

    private float[] permuted(float[] x, int xOff) {
        return permute(x, xOff, cols, 256, LANES, S.length(), SHIFTS,
                (lane, field) -> 128 * (lane >> 3) + 32 * (field % 4) + 16 * (lane >> 2 & 1) + 4 * (lane & 3) + field / 4);
    }

    private float dot(int row, float[] xp, float[] sums) {
        int n = S.length();
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc = FloatVector.zero(S);
        FloatVector offsets = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 110L;
            FloatVector d = FloatVector.broadcast(S, f16(data, p + 108));
            // All 16 scales at once: scale n (0..63) in byte n % 4 of int n / 4 of the two longs.
            int s0 = data.get(I32, p + 96);
            int s1 = data.get(I32, p + 100);
            int s2 = data.get(I32, p + 104);
            long sLow = ((s0 & 0x0F0F0F0F) | (s2 & 0x03030303) << 4) & 0xFFFFFFFFL
                    | (long) ((s1 & 0x0F0F0F0F) | (s2 >>> 2 & 0x03030303) << 4) << 32;
            long sHigh = ((s0 >>> 4 & 0x0F0F0F0F) | (s2 >>> 4 & 0x03030303) << 4) & 0xFFFFFFFFL
                    | (long) ((s1 >>> 4 & 0x0F0F0F0F) | (s2 >>> 6 & 0x03030303) << 4) << 32;
            // (blend of two broadcasts: measured faster than withLane, a long blend, or unpacking with shuffles)
            ByteVector sc = LongVector.broadcast(L128, sLow).reinterpretAsBytes()
                    .blend(LongVector.broadcast(L128, sHigh).reinterpretAsBytes(), SCALES_8_TO_15).sub((byte) 32);
            FloatVector scaledSums = FloatVector.zero(S);
            for (int k = 0; k < PARTS; k++) {
                scaledSums = ((FloatVector) sc.convertShape(VectorOperators.B2F, S, k)).fma(FloatVector.fromArray(S, sums, b * 16 + k * n), scaledSums);
            }
            offsets = scaledSums.fma(d, offsets);
            ByteVector sc0 = sc.rearrange(SCALES_J0);
            ByteVector sc1 = sc.rearrange(SCALES_J1);
            ByteVector sc2 = sc.rearrange(SCALES_J2);
            ByteVector sc3 = sc.rearrange(SCALES_J3);
            for (int k = 0; k < PARTS; k++) {
                IntVector q = IntVector.fromMemorySegment(I, data, p + 32 + 4L * k * n, LITTLE_ENDIAN);
                // High-bit ints i % 8 of this part's lanes i; at 16 lanes, ints 0..7 twice.
                IntVector hm = n == 16
                        ? IntVector.fromMemorySegment(I, data, p, LITTLE_ENDIAN).rearrange(HIGH_TWICE)
                        : IntVector.fromMemorySegment(I, data, p + 4L * (k * n % 8), LITTLE_ENDIAN);
                hm = hm.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, HIGH_SHIFTS, k * n));
                int xi = 256 * b + 16 * k * n;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                for (int half = 0; half < 2; half++) {
                    // Bytes 2·half and 2·half + 1; the high bit j of each moved to just above pair j.
                    IntVector qe = half == 0 ? q : q.lanewise(VectorOperators.LSHR, 16);
                    IntVector he = half == 0 ? hm : hm.lanewise(VectorOperators.LSHR, 16);
                    IntVector h0 = he.lanewise(VectorOperators.LSHL, 2);
                    IntVector h1 = he.lanewise(VectorOperators.LSHL, 3);
                    IntVector h2 = he.lanewise(VectorOperators.LSHL, 4);
                    IntVector h3 = he.lanewise(VectorOperators.LSHL, 5);
                    int xe = xi + 8 * half * n;
                    a0 = ((FloatVector) qe.and(0x3).or(h0.and(0x4)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe), a0);
                    a1 = ((FloatVector) qe.and(0xC).or(h1.and(0x10)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + n), a1);
                    a2 = ((FloatVector) qe.and(0x30).or(h2.and(0x40)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + 2 * n), a2);
                    a3 = ((FloatVector) qe.and(0xC0).or(h3.and(0x100)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + 3 * n), a3);
                    a0 = ((FloatVector) qe.and(0x300).or(h0.and(0x400)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + 4 * n), a0);
                    a1 = ((FloatVector) qe.and(0xC00).or(h1.and(0x1000)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + 5 * n), a1);
                    a2 = ((FloatVector) qe.and(0x3000).or(h2.and(0x4000)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + 6 * n), a2);
                    a3 = ((FloatVector) qe.and(0xC000).or(h3.and(0x10000)).convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(S, xp, xe + 7 * n), a3);
                }
                FloatVector sum = a0.mul((FloatVector) sc0.convertShape(VectorOperators.B2F, S, k));
                sum = a1.fma((FloatVector) sc1.convertShape(VectorOperators.B2F, S, k), sum);
                sum = a2.fma((FloatVector) sc2.convertShape(VectorOperators.B2F, S, k), sum);
                sum = a3.fma((FloatVector) sc3.convertShape(VectorOperators.B2F, S, k), sum);
                acc = sum.fma(d, acc);
            }
        }
        return acc.sub(offsets.mul(4f)).reduceLanes(VectorOperators.ADD);
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
