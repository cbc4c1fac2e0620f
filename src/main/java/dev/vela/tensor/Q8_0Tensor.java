package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

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

    /**
     * Two rows per pass, sharing each load of x. The rows are slices of their own, so that
     * every offset is a multiple of the block index and the JIT checks bounds once per row, not
     * once per load. A block's quants come in as two loads of 16 bytes, widened straight to
     * floats; their products with x are summed lane-wise first and scaled once per block. An odd
     * row left over goes through {@link #dot}. All of it is written out in this one method: a
     * helper returning a vector is boxed if the JIT does not inline it, which makes the kernel a
     * hundred times slower.
     */
    @Override
    public void matvec(float[] x, float[] out, int from, int to) {
        int n = S.length();
        int blocks = cols / VALUES;
        int r = from;
        for (; r + 1 < to; r += 2) {
            MemorySegment w0 = data.asSlice(r * rowBytes, rowBytes);
            MemorySegment w1 = data.asSlice((r + 1) * rowBytes, rowBytes);
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long at = (long) b * BLOCK_BYTES;
                int xi = b * VALUES;
                FloatVector sum0 = FloatVector.zero(S);
                FloatVector sum1 = sum0;
                for (int half = 0; half < VALUES; half += 16) {
                    ByteVector q0 = ByteVector.fromMemorySegment(B, w0, at + 2 + half, LITTLE_ENDIAN);
                    ByteVector q1 = ByteVector.fromMemorySegment(B, w1, at + 2 + half, LITTLE_ENDIAN);
                    for (int p = 0; p < PARTS; p++) {
                        FloatVector v = FloatVector.fromArray(S, x, xi + half + p * n);
                        sum0 = ((FloatVector) q0.convertShape(B2F, S, p)).fma(v, sum0);
                        sum1 = ((FloatVector) q1.convertShape(B2F, S, p)).fma(v, sum1);
                    }
                }
                acc0 = sum0.fma(FloatVector.broadcast(S, scale(w0, at)), acc0);
                acc1 = sum1.fma(FloatVector.broadcast(S, scale(w1, at)), acc1);
            }
            out[r] = acc0.reduceLanes(ADD);
            out[r + 1] = acc1.reduceLanes(ADD);
        }
        if (r < to) {
            out[r] = dot(r, x, 0);
        }
    }

    @Override
    public int rowsPerPass() {
        return 2;
    }

    /** One row as in {@link #matvec}, two blocks per step into two accumulators so that the steps do not wait on each other's additions. */
    @Override
    public float dot(int row, float[] x, int xOff) {
        int n = S.length();
        int blocks = cols / VALUES;
        MemorySegment w = data.asSlice(row * rowBytes, rowBytes);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = acc0;
        int b = 0;
        for (; b + 1 < blocks; b += 2) {
            long at = (long) b * BLOCK_BYTES;
            long next = at + BLOCK_BYTES;
            int xi = xOff + b * VALUES;
            FloatVector sum0 = FloatVector.zero(S);
            FloatVector sum1 = sum0;
            for (int half = 0; half < VALUES; half += 16) {
                ByteVector q0 = ByteVector.fromMemorySegment(B, w, at + 2 + half, LITTLE_ENDIAN);
                ByteVector q1 = ByteVector.fromMemorySegment(B, w, next + 2 + half, LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    sum0 = ((FloatVector) q0.convertShape(B2F, S, p))
                            .fma(FloatVector.fromArray(S, x, xi + half + p * n), sum0);
                    sum1 = ((FloatVector) q1.convertShape(B2F, S, p))
                            .fma(FloatVector.fromArray(S, x, xi + VALUES + half + p * n), sum1);
                }
            }
            acc0 = sum0.fma(FloatVector.broadcast(S, scale(w, at)), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(S, scale(w, next)), acc1);
        }
        if (b < blocks) {
            long at = (long) b * BLOCK_BYTES;
            int xi = xOff + b * VALUES;
            FloatVector sum = FloatVector.zero(S);
            for (int half = 0; half < VALUES; half += 16) {
                ByteVector q = ByteVector.fromMemorySegment(B, w, at + 2 + half, LITTLE_ENDIAN);
                for (int p = 0; p < PARTS; p++) {
                    sum = ((FloatVector) q.convertShape(B2F, S, p))
                            .fma(FloatVector.fromArray(S, x, xi + half + p * n), sum);
                }
            }
            acc0 = sum.fma(FloatVector.broadcast(S, scale(w, at)), acc0);
        }
        return acc0.add(acc1).reduceLanes(ADD);
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
