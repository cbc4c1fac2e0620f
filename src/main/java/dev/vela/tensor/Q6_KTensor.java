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
 * Q6_K: super-blocks of 256 weights in 210 bytes: 128 bytes of low nibbles, 64 bytes of high
 * 2-bit pairs, 16 signed 8-bit scales (one per 16 weights), fp16 {@code d}. Weight =
 * {@code d·scale·(q − 32)}. Each half of 128 weights uses 64 low bytes and 32 high bytes: weight
 * 32k + l (k = 0..3, l = 0..31) takes nibble k / 2 of low byte l + 32·(k % 2) and bits 2k, 2k+1
 * of high byte l, with scale 2k + l / 16 of the half.
 */
public final class Q6_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int PARTS = Block32.PARTS;

    public Q6_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q6_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    @Override
    public Tensor repacked(Arena arena) {
        return Q6_Kx32Tensor.fits(rows) && RowGroupTensor.scalesFit(this, 208) ? Q6_Kx32Tensor.of(this, arena) : this;
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
     * The kernel reads the 128 low-nibble bytes as 32 int lanes: lane i holds bytes 4i .. 4i+3, so
     * byte e of lane i is low byte l = 4(i % 8) + e + 32k' of half h = i / 16, k' = (i % 16) / 8:
     * its low nibble is weight 128h + 32k' + l and its high nibble the weight 64 further, with
     * scales 8h + 2k' + (i % 8) / 4 and that + 4, fixed per lane. So the scales apply lane-wise once
     * per super-block. The high bit pairs of lane i are in high-bit int 8h + i % 8, bits 2k' and
     * 2k' + 4 of each byte: one shift per lane puts them at bits 0 and 4, and one more above each
     * nibble. x is reordered once per call to match (the high nibbles' x divided by 16, as they
     * are masked in place); the −32 is taken off with the sums of x per group of 16.
     */
    private static final int LANES = 32;
    private static final int[] SHIFTS = {0, 4, 0, 4, 0, 4, 0, 4};
    private static final VectorShuffle<Byte> SCALES_H0_LOW = scaleShuffle(0, 0);
    private static final VectorShuffle<Byte> SCALES_H0_HIGH = scaleShuffle(0, 1);
    private static final VectorShuffle<Byte> SCALES_H1_LOW = scaleShuffle(1, 0);
    private static final VectorShuffle<Byte> SCALES_H1_HIGH = scaleShuffle(1, 1);
    private static final VectorShuffle<Integer> HIGH_TWICE_H0 = VectorShuffle.fromOp(IntVector.SPECIES_512, i -> i % 8);
    private static final VectorShuffle<Integer> HIGH_TWICE_H1 = VectorShuffle.fromOp(IntVector.SPECIES_512, i -> 8 + i % 8);
    /** Lane i's high bit pairs sit 2k' = 2((i % 16) / 8) up. */
    private static final int[] HIGH_SHIFTS = {0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2,
        0, 0, 0, 0, 0, 0, 0, 0, 2, 2, 2, 2, 2, 2, 2, 2};

    /** Lane i of half h takes scale 8h + 2((i % 16) / 8 + 2·nibble) + (i % 8) / 4. */
    private static VectorShuffle<Byte> scaleShuffle(int h, int nibble) {
        int[] index = new int[16];
        for (int i = 0; i < 16; i++) {
            index[i] = 8 * h + 2 * (i / 8 + 2 * nibble) + i % 8 / 4;
        }
        return VectorShuffle.fromArray(B16, index, 0);
    }

    private float[] permuted(float[] x, int xOff) {
        return permute(x, xOff, cols, 256, LANES, S.length(), SHIFTS,
                (lane, field) -> 128 * (lane / 16) + 32 * (lane % 16 / 8 + 2 * (field % 2)) + 4 * (lane % 8) + field / 2);
    }

    private float dot(int row, float[] xp, float[] sums) {
        int n = S.length();
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc = FloatVector.zero(S);
        FloatVector offsets = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 210L;
            FloatVector d = FloatVector.broadcast(S, f16(data, p + 208));
            ByteVector sc = load16(data, p + 192);
            FloatVector scaledSums = FloatVector.zero(S);
            for (int k = 0; k < PARTS; k++) {
                scaledSums = ((FloatVector) sc.convertShape(VectorOperators.B2F, S, k)).fma(FloatVector.fromArray(S, sums, b * 16 + k * n), scaledSums);
            }
            offsets = scaledSums.fma(d, offsets);
            ByteVector sc0Low = sc.rearrange(SCALES_H0_LOW);
            ByteVector sc0High = sc.rearrange(SCALES_H0_HIGH);
            ByteVector sc1Low = sc.rearrange(SCALES_H1_LOW);
            ByteVector sc1High = sc.rearrange(SCALES_H1_HIGH);
            FloatVector sum = FloatVector.zero(S);
            for (int k = 0; k < LANES / n; k++) {
                int half = k * n / 16;
                IntVector q = IntVector.fromMemorySegment(I, data, p + 4L * k * n, LITTLE_ENDIAN);
                // High-bit ints 8h + i % 8 of this part's lanes i; at 16 lanes, eight ints twice.
                IntVector h = n == 16
                        ? IntVector.fromMemorySegment(I, data, p + 128, LITTLE_ENDIAN).rearrange(half == 0 ? HIGH_TWICE_H0 : HIGH_TWICE_H1)
                        : IntVector.fromMemorySegment(I, data, p + 128 + 4L * (8 * half + k * n % 8), LITTLE_ENDIAN);
                h = h.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, HIGH_SHIFTS, k * n));
                int xi = 256 * b + 8 * k * n;
                FloatVector lo0 = FloatVector.zero(S);
                FloatVector hi0 = FloatVector.zero(S);
                FloatVector lo1 = FloatVector.zero(S);
                FloatVector hi1 = FloatVector.zero(S);
                for (int e = 0; e < 4; e += 2) {
                    IntVector q0 = e == 0 ? q : q.lanewise(VectorOperators.LSHR, 16);
                    IntVector q1 = q0.lanewise(VectorOperators.LSHR, 8);
                    // The pairs of bytes e, e + 1 moved up by 4: above the low nibble (bits 4, 5) and the high one (8, 9).
                    IntVector h0 = (e == 0 ? h : h.lanewise(VectorOperators.LSHR, 16)).lanewise(VectorOperators.LSHL, 4);
                    IntVector h1 = h0.lanewise(VectorOperators.LSHR, 8);
                    int xe = xi + 2 * e * n;
                    lo0 = ((FloatVector) q0.and(0x0F).or(h0.and(0x030)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe), lo0);
                    hi0 = ((FloatVector) q0.and(0xF0).or(h0.and(0x300)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + n), hi0);
                    lo1 = ((FloatVector) q1.and(0x0F).or(h1.and(0x030)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + 2 * n), lo1);
                    hi1 = ((FloatVector) q1.and(0xF0).or(h1.and(0x300)).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + 3 * n), hi1);
                }
                int part = k * n % 16 / n;
                ByteVector scLow = half == 0 ? sc0Low : sc1Low;
                ByteVector scHigh = half == 0 ? sc0High : sc1High;
                sum = lo0.add(lo1).fma((FloatVector) scLow.convertShape(VectorOperators.B2F, S, part), sum);
                sum = hi0.add(hi1).fma((FloatVector) scHigh.convertShape(VectorOperators.B2F, S, part), sum);
            }
            acc = sum.fma(d, acc);
        }
        return acc.sub(offsets.mul(32f)).reduceLanes(VectorOperators.ADD);
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
