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
 * Q2_K: super-blocks of 256 weights in 84 bytes: 16 bytes of 4-bit scale (low nibble) and min
 * (high nibble) pairs, one per 16 weights, 64 bytes of 2-bit quants, fp16 {@code d}, fp16
 * {@code dmin}. Weight = {@code d·scale·q − dmin·min}. Each half of 128 weights uses 32 quant
 * bytes: weight 32j + l (j = 0..3, l = 0..31) is bits 2j, 2j+1 of byte l, with scale pair
 * 2j + l / 16 of the half.
 */
public final class Q2_KTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    private static final int PARTS = Block32.PARTS;

    public Q2_KTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q2_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q2_K;
    }

    @Override
    public Tensor repacked(Arena arena) {
        return LookupTables.fits(rows) && RowGroupTensor.scalesFit(this, 80, 82) ? Q2_Kx32Tensor.of(this, arena) : this;
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
     * The kernel reads the 64 quant bytes of a super-block as 16 int lanes: lane i = 8h + 4s + c
     * holds quant bytes 32h + 16s + 4c + e (e = 0..3, one per byte of the int), so bit pair j of
     * byte e of lane i is the weight 128h + 32j + 16s + 4c + e of group 8h + 2j + s. For a fixed
     * (e, j) every lane's weight is in a group fixed per lane, so the 16 scales apply lane-wise at
     * the end of a super-block instead of being broadcast group by group (which cost more than the
     * multiply-adds). x is reordered once per call to match, and scaled by 4^-j·256^-e so that a pair is
     * masked in place ({@code q·4^j·256^e}) instead of shifted down.
     */
    private static final VectorShuffle<Byte> SCALES_J0 = scaleShuffle(0);
    private static final VectorShuffle<Byte> SCALES_J1 = scaleShuffle(1);
    private static final VectorShuffle<Byte> SCALES_J2 = scaleShuffle(2);
    private static final VectorShuffle<Byte> SCALES_J3 = scaleShuffle(3);

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

    /** Lane i = 8h + 4s + c of the result takes scale byte 8h + 2j + s. */
    private static VectorShuffle<Byte> scaleShuffle(int j) {
        int[] index = new int[16];
        for (int i = 0; i < 16; i++) {
            index[i] = (i & 8) + 2 * j + (i >> 2 & 1);
        }
        return VectorShuffle.fromArray(B16, index, 0);
    }

    /** x in the order the kernel reads it: per super-block, part k, byte e, pair j, lane t. */
    private float[] permuted(float[] x, int xOff) {
        int n = S.length();
        float[] xp = new float[cols];
        int o = 0;
        for (int b = 0; b < cols / 256; b++) {
            for (int k = 0; k < PARTS; k++) {
                for (int e = 0; e < 4; e++) {
                    for (int j = 0; j < 4; j++) {
                        for (int t = 0; t < n; t++) {
                            int i = k * n + t;
                            int weight = 128 * (i >> 3) + 32 * j + 16 * (i >> 2 & 1) + 4 * (i & 3) + e;
                            xp[o++] = Math.scalb(x[xOff + 256 * b + weight], e == 3 && j == 3 ? 0 : -(2 * j + 8 * e));
                        }
                    }
                }
            }
        }
        return xp;
    }

    private float dot(int row, float[] xp, float[] sums) {
        int n = S.length();
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc = FloatVector.zero(S);
        FloatVector mins = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 84L;
            FloatVector d = FloatVector.broadcast(S, f16(data, p + 80));
            FloatVector dmin = FloatVector.broadcast(S, f16(data, p + 82));
            ByteVector pairs = load16(data, p);
            ByteVector sc = pairs.and((byte) 0xF);
            for (int k = 0; k < PARTS; k++) {
                // The pairs widened to ints once; scale and min split there.
                IntVector pk = (IntVector) pairs.convertShape(VectorOperators.ZERO_EXTEND_B2I, I, k);
                mins = ((FloatVector) pk.lanewise(VectorOperators.LSHR, 4).convertShape(VectorOperators.I2F, S, 0))
                        .mul(FloatVector.fromArray(S, sums, b * 16 + k * n)).fma(dmin, mins);
                IntVector q = IntVector.fromMemorySegment(I, data, p + 16 + 4L * k * n, LITTLE_ENDIAN);
                int xi = 256 * b + 16 * k * n;
                FloatVector a0 = FloatVector.zero(S);
                FloatVector a1 = FloatVector.zero(S);
                FloatVector a2 = FloatVector.zero(S);
                FloatVector a3 = FloatVector.zero(S);
                // Every pair masked in place, but the top one, shifted down: its sign bit would
                // make the int negative.
                a0 = ((FloatVector) q.and(0x00000003).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi), a0);
                a1 = ((FloatVector) q.and(0x0000000C).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + n), a1);
                a2 = ((FloatVector) q.and(0x00000030).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 2 * n), a2);
                a3 = ((FloatVector) q.and(0x000000C0).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 3 * n), a3);
                a0 = ((FloatVector) q.and(0x00000300).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 4 * n), a0);
                a1 = ((FloatVector) q.and(0x00000C00).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 5 * n), a1);
                a2 = ((FloatVector) q.and(0x00003000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 6 * n), a2);
                a3 = ((FloatVector) q.and(0x0000C000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 7 * n), a3);
                a0 = ((FloatVector) q.and(0x00030000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 8 * n), a0);
                a1 = ((FloatVector) q.and(0x000C0000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 9 * n), a1);
                a2 = ((FloatVector) q.and(0x00300000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 10 * n), a2);
                a3 = ((FloatVector) q.and(0x00C00000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 11 * n), a3);
                a0 = ((FloatVector) q.and(0x03000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 12 * n), a0);
                a1 = ((FloatVector) q.and(0x0C000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 13 * n), a1);
                a2 = ((FloatVector) q.and(0x30000000).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 14 * n), a2);
                a3 = ((FloatVector) q.lanewise(VectorOperators.LSHR, 30).convertShape(VectorOperators.I2F, S, 0)).fma(FloatVector.fromArray(S, xp, xi + 15 * n), a3);
                if (n == 16) {
                    // All 16 scales fit one float vector: widen them once and move floats to the
                    // lanes (4 fewer byte shuffles and widenings than below, and no extra multiply).
                    FloatVector scd = ((FloatVector) pk.and(0xF).convertShape(VectorOperators.I2F, S, 0)).mul(d);
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
        return acc.sub(mins).reduceLanes(VectorOperators.ADD);
    }

    @Override
    float weight(long p, int i) {
        int h = i / 128;
        int j = i % 128 / 32;
        int l = i % 32;
        int q = u8(data, p + 16 + 32 * h + l) >>> (2 * j) & 3;
        int pair = u8(data, p + 8 * h + 2 * j + l / 16);
        return f16(data, p + 80) * (pair & 0xF) * q - f16(data, p + 82) * (pair >>> 4);
    }
}
