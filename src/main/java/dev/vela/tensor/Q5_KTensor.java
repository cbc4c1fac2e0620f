package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;

/**
 * Q5_K: super-blocks of 256 weights in 176 bytes: fp16 {@code d}, fp16 {@code dmin}, 12 bytes of
 * 6-bit scales and mins packed as in Q4_K, 32 bytes of fifth bits, 128 bytes of low nibbles.
 * Weight i = 64c + r takes its fifth bit from byte r % 32 of the high-bit array, bit 2c for the
 * low-nibble half (r < 32) and bit 2c+1 for the high-nibble half.
 */
public final class Q5_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final VectorSpecies<Long> L128 = LongVector.SPECIES_128;

    public Q5_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q5_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    @Override
    public Tensor repacked(Arena arena) {
        return LookupTables.fits(rows) && RowGroupTensor.scalesFit(this, 0, 2) ? Q5_Kx32Tensor.of(this, arena) : this;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        return dot(row, permuted(x, xOff), minSums(x, xOff));
    }

    /** All rows share x reordered and its sums per sub-block, so those are made once per call. */
    @Override
    public void matvec(float[] x, float[] out, int from, int to) {
        float[] xp = permuted(x, 0);
        float[] sums = minSums(x, 0);
        for (int r = from; r < to; r++) {
            out[r] = dot(r, xp, sums);
        }
    }

    /*
     * The low nibbles are read as in Q4_K (see there): int lane i of the 128 bytes holds weights
     * 64c + 4(i % 8) + e and 32 more, c = i / 8. Their fifth bits are bits 2c and 2c + 1 of
     * high-bit byte 4(i % 8) + e, so lane i takes high-bit int i % 8, shifted down by 2c (one shift
     * per lane for the whole super-block) and then up to sit above each nibble.
     */
    private static final int LANES = 32;
    private static final int[] SHIFTS = {0, 4, 0, 4, 0, 4, 0, 4};
    /** Sub-block sums per super-block: 8, spaced to whole vectors. */
    private static final int MIN_STRIDE = Math.max(8, S.length());
    /** Lane i of the first 16 lanes (group 0) or of the last 16 (group 1) takes scale 2(i / 8) + half. */
    private static final VectorShuffle<Byte> SCALES_G0_LOW = scaleShuffle(0, 0);
    private static final VectorShuffle<Byte> SCALES_G0_HIGH = scaleShuffle(0, 1);
    private static final VectorShuffle<Byte> SCALES_G1_LOW = scaleShuffle(1, 0);
    private static final VectorShuffle<Byte> SCALES_G1_HIGH = scaleShuffle(1, 1);

    private static VectorShuffle<Byte> scaleShuffle(int group, int half) {
        int[] index = new int[16];
        for (int i = 0; i < 16; i++) {
            index[i] = 2 * ((16 * group + i) / 8) + half;
        }
        return VectorShuffle.fromArray(B16, index, 0);
    }

    private static final VectorShuffle<Integer> HIGH_TWICE = VectorShuffle.fromOp(IntVector.SPECIES_512, i -> i % 8);
    /** Lane i takes the fifth bits of chunk i / 8 from bits 2(i / 8) and up. */
    private static final int[] HIGH_SHIFTS = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2,
        4, 4, 4, 4, 4, 4, 4, 4, 6, 6, 6, 6, 6, 6, 6, 6};

    private float[] permuted(float[] x, int xOff) {
        return permute(x, xOff, cols, 256, LANES, S.length(), SHIFTS,
                (lane, field) -> 64 * (lane / 8) + 32 * (field % 2) + 4 * (lane % 8) + field / 2);
    }

    private float[] minSums(float[] x, int xOff) {
        return groupSums(x, xOff, cols, 32, 8, MIN_STRIDE);
    }

    private float dot(int row, float[] xp, float[] sums) {
        int n = S.length();
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc = FloatVector.zero(S);
        FloatVector mins = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 176L;
            FloatVector d = FloatVector.broadcast(S, f16(data, p));
            FloatVector dmin = FloatVector.broadcast(S, f16(data, p + 2));
            int a0 = data.get(I32, p + 4);
            int a1 = data.get(I32, p + 8);
            int a2 = data.get(I32, p + 12);
            ByteVector sc = LongVector.broadcast(L128, scalesK4(a0, a1, a2)).reinterpretAsBytes();
            ByteVector m = LongVector.broadcast(L128, minsK4(a0, a1, a2)).reinterpretAsBytes();
            FloatVector minSum = FloatVector.zero(S);
            for (int k = 0; k * n < 8; k++) {
                minSum = ((FloatVector) m.convertShape(VectorOperators.B2F, S, k)).fma(FloatVector.fromArray(S, sums, b * MIN_STRIDE + k * n), minSum);
            }
            mins = minSum.fma(dmin, mins);
            ByteVector sc0Low = sc.rearrange(SCALES_G0_LOW);
            ByteVector sc0High = sc.rearrange(SCALES_G0_HIGH);
            ByteVector sc1Low = sc.rearrange(SCALES_G1_LOW);
            ByteVector sc1High = sc.rearrange(SCALES_G1_HIGH);
            FloatVector sum = FloatVector.zero(S);
            for (int k = 0; k < LANES / n; k++) {
                IntVector q = IntVector.fromMemorySegment(I, data, p + 48 + 4L * k * n, LITTLE_ENDIAN);
                // High-bit ints i % 8 of this part's lanes i; at 16 lanes, ints 0..7 twice.
                IntVector h = n == 16
                        ? IntVector.fromMemorySegment(I, data, p + 16, LITTLE_ENDIAN).rearrange(HIGH_TWICE)
                        : IntVector.fromMemorySegment(I, data, p + 16 + 4L * (k * n % 8), LITTLE_ENDIAN);
                h = h.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, HIGH_SHIFTS, k * n));
                int xi = 256 * b + 8 * k * n;
                FloatVector lo0 = FloatVector.zero(S);
                FloatVector hi0 = FloatVector.zero(S);
                FloatVector lo1 = FloatVector.zero(S);
                FloatVector hi1 = FloatVector.zero(S);
                for (int e = 0; e < 4; e += 2) {
                    IntVector q0 = e == 0 ? q : q.lanewise(VectorOperators.LSHR, 16);
                    IntVector q1 = q0.lanewise(VectorOperators.LSHR, 8);
                    // The fifth bits of bytes e, e + 1 moved to bits 4 (low nibble) and 8 (high).
                    IntVector he = e == 0 ? h : h.lanewise(VectorOperators.LSHR, 16);
                    IntVector l0 = he.lanewise(VectorOperators.LSHL, 4);
                    IntVector l1 = he.lanewise(VectorOperators.LSHR, 4);
                    IntVector h0 = he.lanewise(VectorOperators.LSHL, 7);
                    IntVector h1 = he.lanewise(VectorOperators.LSHR, 1);
                    int xe = xi + 2 * e * n;
                    lo0 = ((FloatVector) q0.and(0x0F).or(l0.and(0x10)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe), lo0);
                    hi0 = ((FloatVector) q0.and(0xF0).or(h0.and(0x100)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + n), hi0);
                    lo1 = ((FloatVector) q1.and(0x0F).or(l1.and(0x10)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + 2 * n), lo1);
                    hi1 = ((FloatVector) q1.and(0xF0).or(h1.and(0x100)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + 3 * n), hi1);
                }
                int group = k * n / 16;
                int part = k * n % 16 / n;
                ByteVector scLow = group == 0 ? sc0Low : sc1Low;
                ByteVector scHigh = group == 0 ? sc0High : sc1High;
                sum = lo0.add(lo1).fma((FloatVector) scLow.convertShape(VectorOperators.B2F, S, part), sum);
                sum = hi0.add(hi1).fma((FloatVector) scHigh.convertShape(VectorOperators.B2F, S, part), sum);
            }
            acc = sum.fma(d, acc);
        }
        return acc.sub(mins).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int c = i / 64;
        int r = i % 64;
        int j = 2 * c + r / 32;
        int packed = u8(data, p + 48 + 32 * c + r % 32);
        int low = r < 32 ? packed & 0xF : packed >>> 4;
        int high = u8(data, p + 16 + r % 32) >>> j & 1;
        int q = low | high << 4;
        return f16(data, p) * scaleMinK4(data, p + 4, j, 0) * q - f16(data, p + 2) * scaleMinK4(data, p + 4, j, 1);
    }
}
