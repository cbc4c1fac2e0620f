package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.vela.tensor.Block32.PARTS;
import static dev.vela.tensor.Block32.VALUES;
import static dev.vela.tensor.Block32.scale;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.ZERO_EXTEND_B2I;

/**
 * Blocks of 18 bytes: an fp16 scale d, then 16 bytes where byte j holds value j in its low
 * nibble and value j + 16 in its high nibble; value = d × (nibble − 8).
 */
public final class Q4_0Tensor extends Tensor {
    /** Dequantization works on plain widened quants, at the same widths as Q8_0's kernel. */
    private static final VectorSpecies<Float> DS = Block32.FLOATS;
    private static final VectorSpecies<Byte> DB = Block32.BYTES;
    static final int BLOCK_BYTES = 18;
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Byte> B = Block32.BYTES;
    private static final VectorSpecies<Integer> I = VectorSpecies.of(int.class, S.vectorShape());
    /** The bits of 2^23: an int below 2^23 OR-ed into its mantissa makes the float 2^23 + int. */
    private static final int TWO_23 = 0x4B00_0000;
    /** 2^23 + 8: subtracted from 2^23 + q, leaves q − 8 exactly. */
    private static final float OFFSET = 8388616f;

    public Q4_0Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_0, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    /**
     * Two blocks per step, each into its own accumulator so that the steps do not wait on each
     * other's additions. The row is a slice of its own, so that every offset is a multiple of
     * the block index and the JIT checks bounds once per row, not once per load.
     *
     * <p>The unpacking avoids converting integers to floats: a block's 16 bytes are widened to
     * int lanes, and each nibble is OR-ed into the mantissa of 2^23 (the low one with its mask in
     * the same ternary-logic instruction, the high one after a shift), giving the float 2^23 + q;
     * subtracting 2^23 + 8 leaves q − 8 exactly. That is 12 vector operations per block where
     * the earlier form (the nibble shifted under 1.0's exponent, w = 1 + q/16, and −1.5 Σx added
     * per block) took 14, and it measured 10–13% more GB/s.
     *
     * <p>Several rows per pass, sharing the loads of x, measured faster while the matrix sits in
     * the caches but slower from memory (more streams at once for the prefetchers to follow),
     * and decoding reads every matrix from memory; so rows go one at a time, except long rows
     * ({@link #dot2}). All of it is written out in this one method: a helper returning a vector
     * is boxed if the JIT does not inline it, which makes the kernel a hundred times slower.
     */
    @Override
    public float dot(int row, MemorySegment x) {
        int n = S.length();
        int blocks = cols / VALUES;
        MemorySegment w = data.asSlice(row * rowBytes, rowBytes);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        int pairs = blocks & ~1;
        int b = 0;
        for (; b < pairs; b += 2) {
            long at = (long) b * BLOCK_BYTES;
            long next = at + BLOCK_BYTES;
            long xi = 4L * b * VALUES; // long, for the reason Q8_0Tensor#dot gives
            ByteVector q0 = ByteVector.fromMemorySegment(B, w, at + 2, LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, w, next + 2, LITTLE_ENDIAN);
            FloatVector d0 = FloatVector.broadcast(S, scale(w, at));
            FloatVector d1 = FloatVector.broadcast(S, scale(w, next));
            for (int p = 0; p < PARTS; p++) {
                FloatVector lo0 = FloatVector.fromMemorySegment(S, x, xi + 4 * (p * n), LITTLE_ENDIAN);
                FloatVector hi0 = FloatVector.fromMemorySegment(S, x, xi + 4 * (16 + p * n), LITTLE_ENDIAN);
                FloatVector lo1 = FloatVector.fromMemorySegment(S, x, xi + 4 * (VALUES + p * n), LITTLE_ENDIAN);
                FloatVector hi1 = FloatVector.fromMemorySegment(S, x, xi + 4 * (VALUES + 16 + p * n), LITTLE_ENDIAN);
                IntVector i0 = (IntVector) q0.convertShape(ZERO_EXTEND_B2I, I, p);
                IntVector i1 = (IntVector) q1.convertShape(ZERO_EXTEND_B2I, I, p);
                FloatVector s0 = i0.and(0xF).or(TWO_23).reinterpretAsFloats().sub(OFFSET).mul(lo0);
                FloatVector s1 = i1.and(0xF).or(TWO_23).reinterpretAsFloats().sub(OFFSET).mul(lo1);
                s0 = i0.lanewise(LSHR, 4).or(TWO_23).reinterpretAsFloats().sub(OFFSET).fma(hi0, s0);
                s1 = i1.lanewise(LSHR, 4).or(TWO_23).reinterpretAsFloats().sub(OFFSET).fma(hi1, s1);
                acc0 = s0.fma(d0, acc0);
                acc1 = s1.fma(d1, acc1);
            }
        }
        if (b < blocks) {
            long at = (long) b * BLOCK_BYTES;
            long xi = 4L * b * VALUES;
            ByteVector q = ByteVector.fromMemorySegment(B, w, at + 2, LITTLE_ENDIAN);
            FloatVector d = FloatVector.broadcast(S, scale(w, at));
            for (int p = 0; p < PARTS; p++) {
                FloatVector lo = FloatVector.fromMemorySegment(S, x, xi + 4 * (p * n), LITTLE_ENDIAN);
                FloatVector hi = FloatVector.fromMemorySegment(S, x, xi + 4 * (16 + p * n), LITTLE_ENDIAN);
                IntVector i = (IntVector) q.convertShape(ZERO_EXTEND_B2I, I, p);
                FloatVector s = i.and(0xF).or(TWO_23).reinterpretAsFloats().sub(OFFSET).mul(lo);
                s = i.lanewise(LSHR, 4).or(TWO_23).reinterpretAsFloats().sub(OFFSET).fma(hi, s);
                acc0 = s.fma(d, acc0);
            }
        }
        return acc0.add(acc1).reduceLanes(ADD);
    }

    @Override
    public Tensor repacked(Arena arena) {
        return Q4_0x32Tensor.fits(rows) && RowGroupTensor.scalesFit(this, 0) ? Q4_0x32Tensor.of(this, arena) : this;
    }

    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int r = from;
        if (cols >= Block32.WIDE) {
            for (; r + 1 < to; r += 2) {
                dot2(r, x, out);
            }
        }
        for (; r < to; r++) {
            out[r] = dot(r, x);
        }
    }

    /**
     * Rows {@code row} and {@code row + 1} into {@code out}, sharing the loads of x. Only for
     * long rows: there x (32 KiB at 8192 columns) no longer stays in the core's L1 cache while
     * the weights stream past, and such matrices ran at two thirds of the others' GB/s one row
     * at a time. Written out in full for the reason {@link #dot} gives.
     */
    private void dot2(int row, MemorySegment x, float[] out) {
        int n = S.length();
        int blocks = cols / VALUES;
        MemorySegment w0 = data.asSlice(row * rowBytes, rowBytes);
        MemorySegment w1 = data.asSlice((row + 1) * rowBytes, rowBytes);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        for (int b = 0; b < blocks; b++) {
            long at = (long) b * BLOCK_BYTES;
            long xi = 4L * b * VALUES; // long, for the reason Q8_0Tensor#dot gives
            ByteVector q0 = ByteVector.fromMemorySegment(B, w0, at + 2, LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, w1, at + 2, LITTLE_ENDIAN);
            FloatVector d0 = FloatVector.broadcast(S, scale(w0, at));
            FloatVector d1 = FloatVector.broadcast(S, scale(w1, at));
            for (int p = 0; p < PARTS; p++) {
                FloatVector lo = FloatVector.fromMemorySegment(S, x, xi + 4 * (p * n), LITTLE_ENDIAN);
                FloatVector hi = FloatVector.fromMemorySegment(S, x, xi + 4 * (16 + p * n), LITTLE_ENDIAN);
                IntVector i0 = (IntVector) q0.convertShape(ZERO_EXTEND_B2I, I, p);
                IntVector i1 = (IntVector) q1.convertShape(ZERO_EXTEND_B2I, I, p);
                FloatVector s0 = i0.and(0xF).or(TWO_23).reinterpretAsFloats().sub(OFFSET).mul(lo);
                FloatVector s1 = i1.and(0xF).or(TWO_23).reinterpretAsFloats().sub(OFFSET).mul(lo);
                s0 = i0.lanewise(LSHR, 4).or(TWO_23).reinterpretAsFloats().sub(OFFSET).fma(hi, s0);
                s1 = i1.lanewise(LSHR, 4).or(TWO_23).reinterpretAsFloats().sub(OFFSET).fma(hi, s1);
                acc0 = s0.fma(d0, acc0);
                acc1 = s1.fma(d1, acc1);
            }
        }
        out[row] = acc0.reduceLanes(ADD);
        out[row + 1] = acc1.reduceLanes(ADD);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        float sum = 0f;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            float blockSum = 0f;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + 2 + j);
                blockSum += ((q & 0x0F) - 8) * x[xOff + i + j];
                blockSum += (((q >> 4) & 0x0F) - 8) * x[xOff + i + j + 16];
            }
            sum += scale(data, block) * blockSum;
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int n = DS.length();
        long block = row * rowBytes;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            FloatVector d = FloatVector.broadcast(DS, scale(data, block));
            ByteVector q = ByteVector.fromMemorySegment(DB, data, block + 2, LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(LSHR, 4).sub((byte) 8);
            for (int p = 0; p < PARTS; p++) {
                ((FloatVector) lo.convertShape(B2F, DS, p)).mul(d).intoArray(out, off + i + p * n);
                ((FloatVector) hi.convertShape(B2F, DS, p)).mul(d).intoArray(out, off + i + 16 + p * n);
            }
        }
    }

    /** The scalar twin of {@link #dequantizeRow}. */
    void dequantizeRowScalar(int row, float[] out, int off) {
        long block = row * rowBytes;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            float d = scale(data, block);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + 2 + j);
                out[off + i + j] = d * ((q & 0x0F) - 8);
                out[off + i + j + 16] = d * (((q >> 4) & 0x0F) - 8);
            }
        }
    }
}
