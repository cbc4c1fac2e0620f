package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
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

/** Blocks of 34 bytes: an fp16 scale d, then 32 signed bytes q; value = d × q. */
public final class Q8_0Tensor extends Tensor {
    static final int BLOCK_BYTES = 34;
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Byte> B = Block32.BYTES;

    public Q8_0Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q8_0, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    @Override
    public Tensor repacked(Arena arena) {
        return Q8_0x32Tensor.fits(rows) && RowGroupTensor.scalesFit(this, 0) ? Q8_0x32Tensor.of(this, arena) : this;
    }

    /**
     * Two blocks per step, each into its own accumulator so that the steps do not wait on each
     * other's additions. A block's quants come in as two loads of 16 bytes, widened straight to
     * floats; their products with x are summed lane-wise first and scaled once per block. Two
     * rows per pass sharing the loads of x measured faster while the matrix sits in the caches
     * but slower from memory, where decoding reads every
     * matrix; so rows go one at a time, as here. All of it is written out in this one method: a
     * helper returning a vector is boxed if the JIT does not inline it, which makes the kernel a
     * hundred times slower.
     */
    @Override
    public float dot(int row, MemorySegment x) {
        int n = S.length();
        int blocks = cols / VALUES;
        // Offsets are long products of the block index: as int sums cast to long (which may
        // overflow, so the JIT cannot treat them as linear in the index) Q4_0's kernel measured
        // about 20% slower.
        MemorySegment w = data.asSlice(row * rowBytes, rowBytes);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long block = (long) b * BLOCK_BYTES;
            long next = block + BLOCK_BYTES;
            long xi = 4L * b * VALUES;
            FloatVector sum0 = FloatVector.zero(S);
            FloatVector sum1 = FloatVector.zero(S);
            for (int half = 0; half < VALUES; half += 16) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, w, block + 2 + half, LITTLE_ENDIAN);
                ByteVector q1 = ByteVector.fromMemorySegment(B, w, next + 2 + half, LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    sum0 = ((FloatVector) q0.convertShape(B2F, S, p))
                            .fma(FloatVector.fromMemorySegment(S, x, xi + 4 * (half + p * n), LITTLE_ENDIAN), sum0);
                    sum1 = ((FloatVector) q1.convertShape(B2F, S, p))
                            .fma(FloatVector.fromMemorySegment(S, x, xi + 4 * (VALUES + half + p * n), LITTLE_ENDIAN), sum1);
                }
            }
            acc0 = sum0.fma(FloatVector.broadcast(S, scale(w, block)), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(S, scale(w, next)), acc1);
        }
        if (b < blocks) {
            long block = (long) b * BLOCK_BYTES;
            long xi = 4L * b * VALUES;
            FloatVector sum = FloatVector.zero(S);
            for (int half = 0; half < VALUES; half += 16) {
                ByteVector q = ByteVector.fromMemorySegment(B, w, block + 2 + half, LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    sum = ((FloatVector) q.convertShape(B2F, S, p))
                            .fma(FloatVector.fromMemorySegment(S, x, xi + 4 * (half + p * n), LITTLE_ENDIAN), sum);
                }
            }
            acc0 = sum.fma(FloatVector.broadcast(S, scale(w, block)), acc0);
        }
        return acc0.add(acc1).reduceLanes(ADD);
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

    /** Rows {@code row} and {@code row + 1} into {@code out}, sharing the loads of x: for long rows, as in Q4_0Tensor#dot2. */
    private void dot2(int row, MemorySegment x, float[] out) {
        int n = S.length();
        int blocks = cols / VALUES;
        MemorySegment w0 = data.asSlice(row * rowBytes, rowBytes);
        MemorySegment w1 = data.asSlice((row + 1) * rowBytes, rowBytes);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        for (int b = 0; b < blocks; b++) {
            long block = (long) b * BLOCK_BYTES;
            long xi = 4L * b * VALUES;
            FloatVector sum0 = FloatVector.zero(S);
            FloatVector sum1 = FloatVector.zero(S);
            for (int half = 0; half < VALUES; half += 16) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, w0, block + 2 + half, LITTLE_ENDIAN);
                ByteVector q1 = ByteVector.fromMemorySegment(B, w1, block + 2 + half, LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    FloatVector v = FloatVector.fromMemorySegment(S, x, xi + 4 * (half + p * n), LITTLE_ENDIAN);
                    sum0 = ((FloatVector) q0.convertShape(B2F, S, p)).fma(v, sum0);
                    sum1 = ((FloatVector) q1.convertShape(B2F, S, p)).fma(v, sum1);
                }
            }
            acc0 = sum0.fma(FloatVector.broadcast(S, scale(w0, block)), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(S, scale(w1, block)), acc1);
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
            for (int j = 0; j < VALUES; j++) {
                blockSum += data.get(ValueLayout.JAVA_BYTE, block + 2 + j) * x[xOff + i + j];
            }
            sum += scale(data, block) * blockSum;
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int n = S.length();
        long block = row * rowBytes;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            FloatVector d = FloatVector.broadcast(S, scale(data, block));
            for (int half = 0; half < VALUES; half += 16) {
                ByteVector q = ByteVector.fromMemorySegment(B, data, block + 2 + half, LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    ((FloatVector) q.convertShape(B2F, S, p)).mul(d).intoArray(out, off + i + half + p * n);
                }
            }
        }
    }

    /** The scalar twin of {@link #dequantizeRow}. */
    void dequantizeRowScalar(int row, float[] out, int off) {
        long block = row * rowBytes;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            float d = scale(data, block);
            for (int j = 0; j < VALUES; j++) {
                out[off + i + j] = d * data.get(ValueLayout.JAVA_BYTE, block + 2 + j);
            }
        }
    }
}
