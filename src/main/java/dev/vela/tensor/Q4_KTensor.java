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
 * Q4_K: super-blocks of 256 weights in 144 bytes: fp16 {@code d}, fp16 {@code dmin}, 12 bytes
 * of 6-bit scales and mins for 8 sub-blocks of 32, then 128 bytes of 4-bit quants.
 * Weight = {@code d·scale[j]·q − dmin·min[j]}. Each 32 quant bytes hold 64 weights: the low
 * nibbles are sub-block 2c, the high nibbles sub-block 2c+1.
 */
public final class Q4_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final VectorSpecies<Long> L128 = LongVector.SPECIES_128;

    public Q4_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
    }

    @Override
    public Tensor repacked(Arena arena) {
        return Q4_Kx32Tensor.fits(rows) && RowGroupTensor.scalesFit(this, 0, 2) ? Q4_Kx32Tensor.of(this, arena) : this;
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
     * The kernel reads a super-block's 128 quant bytes as 32 int lanes: lane i holds bytes 4i .. 4i+3
     * of chunk c = i / 8, so byte e of lane i holds weight 64c + 4(i % 8) + e (low nibble, sub-block
     * 2c) and weight 32 more (high nibble, sub-block 2c + 1). Each lane keeps to two sub-blocks, so
     * the scales apply lane-wise once per super-block instead of being broadcast sub-block by
     * sub-block. x is reordered once per call to match, the high nibbles' x divided by 16 so that
     * they are masked in place. The mins meet the sums of x per sub-block, also made once per call.
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
            long p = base + b * 144L;
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
                IntVector q = IntVector.fromMemorySegment(I, data, p + 16 + 4L * k * n, LITTLE_ENDIAN);
                int xi = 256 * b + 8 * k * n;
                FloatVector lo0 = FloatVector.zero(S);
                FloatVector hi0 = FloatVector.zero(S);
                FloatVector lo1 = FloatVector.zero(S);
                FloatVector hi1 = FloatVector.zero(S);
                for (int e = 0; e < 4; e += 2) {
                    IntVector q0 = e == 0 ? q : q.lanewise(VectorOperators.LSHR, 16);
                    IntVector q1 = q0.lanewise(VectorOperators.LSHR, 8);
                    int xe = xi + 2 * e * n;
                    lo0 = ((FloatVector) q0.and(0x0F).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe), lo0);
                    hi0 = ((FloatVector) q0.and(0xF0).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + n), hi0);
                    lo1 = ((FloatVector) q1.and(0x0F).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + 2 * n), lo1);
                    hi1 = ((FloatVector) q1.and(0xF0).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xe + 3 * n), hi1);
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
        int packed = u8(data, p + 16 + 32 * c + r % 32);
        int q = r < 32 ? packed & 0xF : packed >>> 4;
        return f16(data, p) * scaleMinK4(data, p + 4, j, 0) * q - f16(data, p + 2) * scaleMinK4(data, p + 4, j, 1);
    }
}
