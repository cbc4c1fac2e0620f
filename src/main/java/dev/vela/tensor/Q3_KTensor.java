package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
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

    /** {@link Q3_Kx32Tensor}, when the rows fill whole groups and a vector of shorts holds a 16-entry table. */
    @Override
    public Tensor repacked(Arena arena) {
        return LookupTables.fits(rows) && RowGroupTensor.scalesFit(this, 108) ? Q3_Kx32Tensor.of(this, arena) : this;
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
     * int 4s + c = i % 8, bit 4h + j of each byte: one shift per lane drops the 4h. Then, per j and
     * for all four bytes of the lanes at once, pair j is moved to the bottom of each byte and high
     * bit j just above it (v + 4 = low + 4·high), and each byte is masked in place (x is reordered
     * and scaled by 256^-e once per call to match). Joining per j instead of per byte measured
     * 70% → ~82% of Q4_0's GB/s. The −4 is taken off with the sums of x per group of 16.
     */
    private static final int LANES = 16;
    private static final int[] SHIFTS = {0, 8, 16, 24, 0, 8, 16, 24, 0, 8, 16, 24, 0, 8, 16, 24};
    private static final VectorShuffle<Byte> SCALES_J0 = scaleShuffle(0);
    private static final VectorShuffle<Byte> SCALES_J1 = scaleShuffle(1);
    private static final VectorShuffle<Byte> SCALES_J2 = scaleShuffle(2);
    private static final VectorShuffle<Byte> SCALES_J3 = scaleShuffle(3);
    /** Ints of scale bytes 0..3, 4..7, 0..3, 4..7, out of the 16 bytes that end with the scales and d. */
    private static final VectorShuffle<Byte> SCALE_NIBBLES = VectorShuffle.fromOp(B16, m -> 2 + m % 8);
    /** Scale bytes 8..11, four times. */
    private static final VectorShuffle<Byte> SCALE_TOPS = VectorShuffle.fromOp(B16, m -> 10 + m % 4);
    private static final IntVector NIBBLE_SHIFTS = IntVector.fromArray(IntVector.SPECIES_128, new int[] {0, 0, 4, 4}, 0);
    private static final IntVector TOP_SHIFTS = IntVector.fromArray(IntVector.SPECIES_128, new int[] {0, 2, 4, 6}, 0);
    private static final VectorShuffle<Integer> HIGH_TWICE = VectorShuffle.fromOp(IntVector.SPECIES_512, i -> i % 8);
    private static final int[] HIGH_SHIFTS = {0, 0, 0, 0, 0, 0, 0, 0, 4, 4, 4, 4, 4, 4, 4, 4};

    /**
     * The same moves on 32-bit lanes, used on float scales where a vector has 16 lanes. (Int, not
     * float, shuffles: every further shuffle class the kernels use makes the JDK's shared shuffle
     * code megamorphic, and then every kernel that rearranges slows down, measured up to 2×.)
     */
    private static final VectorShuffle<Integer> LANES_J0 = laneShuffle(0);
    private static final VectorShuffle<Integer> LANES_J1 = laneShuffle(1);
    private static final VectorShuffle<Integer> LANES_J2 = laneShuffle(2);
    private static final VectorShuffle<Integer> LANES_J3 = laneShuffle(3);

    private static VectorShuffle<Integer> laneShuffle(int j) {
        return VectorShuffle.fromOp(I, i -> ((i & 8) + 2 * j + (i >> 2 & 1)) % I.length());
    }

    /** Lane i = 8h + 4s + c of the result takes scale 8h + 2j + s. */
    private static VectorShuffle<Byte> scaleShuffle(int j) {
        return VectorShuffle.fromOp(B16, i -> (i & 8) + 2 * j + (i >> 2 & 1));
    }

    private float[] permuted(float[] x, int xOff) {
        return permute(x, xOff, cols, 256, LANES, S.length(), SHIFTS,
                (lane, field) -> 128 * (lane >> 3) + 32 * (field / 4) + 16 * (lane >> 2 & 1) + 4 * (lane & 3) + field % 4);
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
            // All 16 scales at once, in int lanes: int m holds scales 4m .. 4m + 3, their low nibbles
            // from scale int m % 2 (shifted by 4·(m / 2)), their top bits from bit pair m of each
            // byte of scale int 2. The 16 bytes loaded end with the super-block, where d is: the
            // scales start at byte 2 (a load at the scales would read past the end of the data).
            ByteVector raw = load16(data, p + 94);
            IntVector nibbles = raw.rearrange(SCALE_NIBBLES).reinterpretAsInts().lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS).and(0x0F0F0F0F);
            IntVector tops = raw.rearrange(SCALE_TOPS).reinterpretAsInts().lanewise(VectorOperators.LSHR, TOP_SHIFTS).and(0x03030303);
            ByteVector sc = nibbles.or(tops.lanewise(VectorOperators.LSHL, 4)).reinterpretAsBytes().sub((byte) 32);
            // The scales times d as one float vector at 16 lanes, moved to the lanes per j as floats:
            // measured ~85% → ~95% of Q4_0's GB/s against moving and widening bytes per j (below,
            // for narrower vectors, where the 16 scales span several).
            FloatVector scd = ((FloatVector) sc.convertShape(VectorOperators.B2F, S, 0)).mul(d);
            if (n == 16) {
                offsets = scd.fma(FloatVector.fromArray(S, sums, b * 16), offsets);
            } else {
                FloatVector scaledSums = FloatVector.zero(S);
                for (int k = 0; k < PARTS; k++) {
                    scaledSums = ((FloatVector) sc.convertShape(VectorOperators.B2F, S, k)).fma(FloatVector.fromArray(S, sums, b * 16 + k * n), scaledSums);
                }
                offsets = scaledSums.fma(d, offsets);
            }
            for (int k = 0; k < PARTS; k++) {
                IntVector q = IntVector.fromMemorySegment(I, data, p + 32 + 4L * k * n, LITTLE_ENDIAN);
                // High-bit ints i % 8 of this part's lanes i; at 16 lanes, ints 0..7 twice.
                IntVector hm = n == 16
                        ? IntVector.fromMemorySegment(I, data, p, LITTLE_ENDIAN).rearrange(HIGH_TWICE)
                        : IntVector.fromMemorySegment(I, data, p + 4L * (k * n % 8), LITTLE_ENDIAN);
                hm = hm.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, HIGH_SHIFTS, k * n));
                int xi = 256 * b + 16 * k * n;
                // Per bit pair j, all four bytes at once: pair j moved to bits 0..1 of each byte and
                // high bit j to bit 2, so that bits 0..2 hold v + 4 (0..7); only those are read
                // below, so one bitwise blend joins the two whatever the other bits hold.
                IntVector t0 = q.lanewise(VectorOperators.BITWISE_BLEND, hm.lanewise(VectorOperators.LSHL, 2), 0x04040404);
                IntVector t1 = q.lanewise(VectorOperators.LSHR, 2).lanewise(VectorOperators.BITWISE_BLEND, hm.lanewise(VectorOperators.LSHL, 1), 0x04040404);
                IntVector t2 = q.lanewise(VectorOperators.LSHR, 4).lanewise(VectorOperators.BITWISE_BLEND, hm, 0x04040404);
                IntVector t3 = q.lanewise(VectorOperators.LSHR, 6).lanewise(VectorOperators.BITWISE_BLEND, hm.lanewise(VectorOperators.LSHR, 1), 0x04040404);
                FloatVector a0 = ((FloatVector) t0.and(0x7).convertShape(VectorOperators.I2F, S, 0)).mul(FloatVector.fromArray(S, xp, xi));
                FloatVector a1 = ((FloatVector) t1.and(0x7).convertShape(VectorOperators.I2F, S, 0)).mul(FloatVector.fromArray(S, xp, xi + 4 * n));
                FloatVector a2 = ((FloatVector) t2.and(0x7).convertShape(VectorOperators.I2F, S, 0)).mul(FloatVector.fromArray(S, xp, xi + 8 * n));
                FloatVector a3 = ((FloatVector) t3.and(0x7).convertShape(VectorOperators.I2F, S, 0)).mul(FloatVector.fromArray(S, xp, xi + 12 * n));
                a0 = ((FloatVector) t0.and(0x700).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + n), a0);
                a1 = ((FloatVector) t1.and(0x700).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 5 * n), a1);
                a2 = ((FloatVector) t2.and(0x700).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 9 * n), a2);
                a3 = ((FloatVector) t3.and(0x700).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 13 * n), a3);
                a0 = ((FloatVector) t0.and(0x70000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 2 * n), a0);
                a1 = ((FloatVector) t1.and(0x70000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 6 * n), a1);
                a2 = ((FloatVector) t2.and(0x70000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 10 * n), a2);
                a3 = ((FloatVector) t3.and(0x70000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 14 * n), a3);
                a0 = ((FloatVector) t0.and(0x7000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 3 * n), a0);
                a1 = ((FloatVector) t1.and(0x7000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 7 * n), a1);
                a2 = ((FloatVector) t2.and(0x7000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 11 * n), a2);
                a3 = ((FloatVector) t3.and(0x7000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 15 * n), a3);
                if (n == 16) {
                    acc = a0.fma(scd.reinterpretAsInts().rearrange(LANES_J0).reinterpretAsFloats(), acc);
                    acc = a1.fma(scd.reinterpretAsInts().rearrange(LANES_J1).reinterpretAsFloats(), acc);
                    acc = a2.fma(scd.reinterpretAsInts().rearrange(LANES_J2).reinterpretAsFloats(), acc);
                    acc = a3.fma(scd.reinterpretAsInts().rearrange(LANES_J3).reinterpretAsFloats(), acc);
                } else {
                    FloatVector sum = a0.mul((FloatVector) sc.rearrange(SCALES_J0).convertShape(VectorOperators.B2F, S, k));
                    sum = a1.fma((FloatVector) sc.rearrange(SCALES_J1).convertShape(VectorOperators.B2F, S, k), sum);
                    sum = a2.fma((FloatVector) sc.rearrange(SCALES_J2).convertShape(VectorOperators.B2F, S, k), sum);
                    sum = a3.fma((FloatVector) sc.rearrange(SCALES_J3).convertShape(VectorOperators.B2F, S, k), sum);
                    acc = sum.fma(d, acc);
                }
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
