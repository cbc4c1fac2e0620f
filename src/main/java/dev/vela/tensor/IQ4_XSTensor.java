package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.Block32.PARTS;
import static dev.vela.tensor.KQuant.*;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.B2F;

/**
 * IQ4_XS: super-blocks of 256 weights in 136 bytes: fp16 {@code d}, a 16-bit word of high scale
 * bits, 4 bytes of low scale nibbles, 128 bytes of 4-bit indices into the IQ4_NL levels. Each
 * sub-block of 32 has a 6-bit scale: low 4 bits from nibble ib % 2 of byte ib / 2, top 2 bits
 * from bits 2ib, 2ib+1 of the word. Its 16 index bytes hold weight l in the low nibble and
 * weight l + 16 in the high one. Weight = {@code d·(scale − 32)·level[q]}.
 */
public final class IQ4_XSTensor extends QuantTensor {
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Byte> B = Block32.BYTES;

    public IQ4_XSTensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_XS, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_XS;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        return dot(row, x, xOff, new float[SCALE_LANES]);
    }

    /** All rows share one scratch array for the scales of the super-block at hand. */
    @Override
    public void matvec(float[] x, float[] out, int from, int to) {
        float[] scales = new float[SCALE_LANES];
        for (int r = from; r < to; r++) {
            out[r] = dot(r, x, 0, scales);
        }
    }

    /*
     * IQ4_NL's kernel per sub-block of 32: its unscaled sum first, then one multiply-add by its
     * scale; even and odd sub-blocks into two accumulators. Unpacking the eight 6-bit scales one by
     * one in scalar code cost about a quarter of the time, so a super-block's eight are unpacked
     * together in int lanes and stored, and each sub-block broadcasts its own from memory.
     */
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    /** Lanes the scales are computed in: the eight, rounded up to whole vectors. */
    private static final int SCALE_LANES = Math.max(8, S.length());
    /** Lane ib takes low nibble ib (bits 4ib..) and high bit pair ib (bits 2ib..); lanes past 8 are unused. */
    private static final int[] LOW_SHIFTS = new int[SCALE_LANES];
    private static final int[] HIGH_SHIFTS = new int[SCALE_LANES];
    static {
        for (int ib = 0; ib < 8; ib++) {
            LOW_SHIFTS[ib] = 4 * ib;
            HIGH_SHIFTS[ib] = 2 * ib;
        }
    }

    private float dot(int row, float[] x, int xOff, float[] scales) {
        ByteVector levels = ByteVector.fromArray(B, IQ4_LEVELS, 0);
        int n = S.length();
        long base = row * rowBytes;
        int blocks = cols / 256;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        // One flat loop over pairs of sub-blocks: nested loops kept the accumulators boxed
        // (measured 2× slower).
        for (int t = 0; t < 4 * blocks; t++) {
            long p = base + (t >>> 2) * 136L;
            int pair = t & 3;
            if (pair == 0) {
                FloatVector d = FloatVector.broadcast(S, f16(data, p));
                IntVector low = IntVector.broadcast(I, data.get(I32, p + 4));
                IntVector high = IntVector.broadcast(I, data.get(I16, p + 2));
                for (int k = 0; k < SCALE_LANES; k += n) {
                    IntVector sc = low.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, LOW_SHIFTS, k)).and(0xF)
                            .or(high.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, HIGH_SHIFTS, k)).and(3).lanewise(VectorOperators.LSHL, 4));
                    ((FloatVector) sc.sub(32).convert(VectorOperators.I2F, 0)).mul(d).intoArray(scales, k);
                }
            }
            long q = p + 8 + 32 * pair;
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, q, LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, q + 16, LITTLE_ENDIAN);
            ByteVector lo0 = q0.selectFrom(levels);
            ByteVector lo1 = q1.selectFrom(levels);
            ByteVector hi0 = shiftRight(q0, 4).selectFrom(levels);
            ByteVector hi1 = shiftRight(q1, 4).selectFrom(levels);
            int xi = xOff + 64 * t;
            FloatVector sum0 = FloatVector.zero(S);
            FloatVector sum1 = FloatVector.zero(S);
            for (int k = 0; k < PARTS; k++) {
                sum0 = ((FloatVector) lo0.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + k * n), sum0);
                sum1 = ((FloatVector) lo1.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + 32 + k * n), sum1);
                sum0 = ((FloatVector) hi0.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + 16 + k * n), sum0);
                sum1 = ((FloatVector) hi1.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + 48 + k * n), sum1);
            }
            acc0 = sum0.fma(FloatVector.broadcast(S, scales[2 * pair]), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(S, scales[2 * pair + 1]), acc1);
        }
        return acc0.add(acc1).reduceLanes(ADD);
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
