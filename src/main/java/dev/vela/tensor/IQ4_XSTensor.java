package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
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

    /** {@link IQ4_XSx32Tensor}, when the rows fill whole groups and the machine's vectors hold the 16 levels. */
    @Override
    public Tensor repacked(Arena arena) {
        return LookupTables.fits(rows) && RowGroupTensor.scalesFit(this, 0) ? IQ4_XSx32Tensor.of(this, arena) : this;
    }

    @Override
    public float dot(int row, float[] x, int xOff) {
        return dot(row, x, xOff, new float[cols / 32 + SCALE_SPILL]);
    }

    /** All rows share one scratch array for a row's scales. */
    @Override
    public void matvec(float[] x, float[] out, int from, int to) {
        float[] scales = new float[cols / 32 + SCALE_SPILL];
        for (int r = from; r < to; r++) {
            out[r] = dot(r, x, 0, scales);
        }
    }

    /*
     * First the row's scales, d·(scale − 32) per sub-block of 32, a super-block's eight at once in
     * int lanes; then
     * IQ4_NL's kernel over pairs of sub-blocks, each sum times its scale from that array. Keeping
     * the scale unpacking out of the vector loop keeps the loop small enough for the JIT to
     * compile it whole: unpacking the scales in int lanes inside it measured as fast when it
     * compiled well, but made the compiler give up inlining in one run out of two (3× slower).
     */
    private static final VectorSpecies<Integer> I = S.withLanes(int.class);
    /** A super-block's eight scales are computed in whole vectors; lanes past the eighth spill over. */
    private static final int SCALE_SPILL = Math.max(0, S.length() - 8);
    /** Lane ib takes low nibble ib (bits 4ib..) and high bit pair ib (bits 2ib..); lanes past 8 are unused. */
    private static final int[] LOW_SHIFTS = new int[8 + SCALE_SPILL];
    private static final int[] HIGH_SHIFTS = new int[8 + SCALE_SPILL];
    static {
        for (int ib = 0; ib < 8; ib++) {
            LOW_SHIFTS[ib] = 4 * ib;
            HIGH_SHIFTS[ib] = 2 * ib;
        }
    }

    private float dot(int row, float[] x, int xOff, float[] scales) {
        long base = row * rowBytes;
        int blocks = cols / 256;
        int n = S.length();
        for (int b = 0; b < blocks; b++) {
            long p = base + b * 136L;
            FloatVector d = FloatVector.broadcast(S, f16(data, p));
            IntVector low = IntVector.broadcast(I, data.get(I32, p + 4));
            IntVector high = IntVector.broadcast(I, data.get(I16, p + 2));
            for (int k = 0; k < 8; k += n) {
                IntVector sc = low.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, LOW_SHIFTS, k)).and(0xF)
                        .or(high.lanewise(VectorOperators.LSHR, IntVector.fromArray(I, HIGH_SHIFTS, k)).and(3).lanewise(VectorOperators.LSHL, 4));
                ((FloatVector) sc.sub(32).convertShape(VectorOperators.I2F, S, 0)).mul(d).intoArray(scales, 8 * b + k);
            }
        }
        ByteVector levels = ByteVector.fromArray(B, IQ4_LEVELS, 0);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int xi = xOff;
        for (int t = 0; t < 4 * blocks; t++, xi += 64) {
            long q = base + (t >>> 2) * 136L + 8 + 32 * (t & 3);
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, q, LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, q + 16, LITTLE_ENDIAN);
            ByteVector lo0 = q0.selectFrom(levels);
            ByteVector lo1 = q1.selectFrom(levels);
            ByteVector hi0 = q0.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().selectFrom(levels);
            ByteVector hi1 = q1.reinterpretAsInts().lanewise(VectorOperators.LSHR, 4).reinterpretAsBytes().selectFrom(levels);
            FloatVector sum0 = FloatVector.zero(S);
            FloatVector sum1 = FloatVector.zero(S);
            for (int k = 0; k < PARTS; k++) {
                sum0 = ((FloatVector) lo0.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + k * n), sum0);
                sum1 = ((FloatVector) lo1.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + 32 + k * n), sum1);
                sum0 = ((FloatVector) hi0.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + 16 + k * n), sum0);
                sum1 = ((FloatVector) hi1.convertShape(B2F, S, k)).fma(FloatVector.fromArray(S, x, xi + 48 + k * n), sum1);
            }
            acc0 = sum0.fma(FloatVector.broadcast(S, scales[2 * t]), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(S, scales[2 * t + 1]), acc1);
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
