package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.F16Tensor.HALF;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;

/** bfloat16: the upper 16 bits of a float32, little-endian. Widening is a shift left by 16. */
public final class BF16Tensor extends Tensor {
    private static final VectorSpecies<Float> S = HalfShapes.FLOATS;
    private static final VectorSpecies<Short> H = HalfShapes.HALVES;
    private static final VectorSpecies<Integer> I = HalfShapes.INTS;

    public BF16Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.BF16, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.BF16;
    }

    static float toFloat(short bits) {
        return Float.intBitsToFloat(bits << 16);
    }

    // Written out in the loop, not in a helper returning a vector, for the reason F16Tensor gives.
    @Override
    public float dot(int row, MemorySegment x) {
        long base = row * rowBytes;
        int n = S.length();
        int upper = S.loopBound(cols);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int i = 0;
        for (; i + n < upper; i += 2 * n) {
            IntVector h0 = (IntVector) ShortVector.fromMemorySegment(H, data, base + 2L * i, LITTLE_ENDIAN)
                    .convertShape(S2I, I, 0);
            IntVector h1 = (IntVector) ShortVector.fromMemorySegment(H, data, base + 2L * (i + n), LITTLE_ENDIAN)
                    .convertShape(S2I, I, 0);
            acc0 = h0.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromMemorySegment(S, x, 4L * i, LITTLE_ENDIAN), acc0);
            acc1 = h1.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromMemorySegment(S, x, 4L * (i + n), LITTLE_ENDIAN), acc1);
        }
        for (; i < upper; i += n) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, data, base + 2L * i, LITTLE_ENDIAN)
                    .convertShape(S2I, I, 0);
            acc0 = h.lanewise(LSHL, 16).reinterpretAsFloats().fma(FloatVector.fromMemorySegment(S, x, 4L * i, LITTLE_ENDIAN), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(ADD);
        for (; i < cols; i++) {
            sum += toFloat(data.get(HALF, base + 2L * i)) * x.get(Activations.FLOAT, 4L * i);
        }
        return sum;
    }

    /**
     * Two rows per pass, sharing each load of x, each row a slice of its own so that the JIT
     * checks bounds once per row; an odd row left over goes through {@link #dot}. Written out
     * in full for the reason {@link #dot} gives.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int n = S.length();
        int upper = S.loopBound(cols);
        int r = from;
        for (; r + 1 < to; r += 2) {
            MemorySegment w0 = data.asSlice(r * rowBytes, rowBytes);
            MemorySegment w1 = data.asSlice((r + 1) * rowBytes, rowBytes);
            FloatVector acc0 = FloatVector.zero(S);
            FloatVector acc1 = acc0;
            int i = 0;
            for (; i < upper; i += n) {
                FloatVector v = FloatVector.fromMemorySegment(S, x, 4L * i, LITTLE_ENDIAN);
                IntVector h0 = (IntVector) ShortVector.fromMemorySegment(H, w0, 2L * i, LITTLE_ENDIAN).convertShape(S2I, I, 0);
                IntVector h1 = (IntVector) ShortVector.fromMemorySegment(H, w1, 2L * i, LITTLE_ENDIAN).convertShape(S2I, I, 0);
                acc0 = h0.lanewise(LSHL, 16).reinterpretAsFloats().fma(v, acc0);
                acc1 = h1.lanewise(LSHL, 16).reinterpretAsFloats().fma(v, acc1);
            }
            float sum0 = acc0.reduceLanes(ADD);
            float sum1 = acc1.reduceLanes(ADD);
            for (; i < cols; i++) {
                sum0 += toFloat(w0.get(HALF, 2L * i)) * x.get(Activations.FLOAT, 4L * i);
                sum1 += toFloat(w1.get(HALF, 2L * i)) * x.get(Activations.FLOAT, 4L * i);
            }
            out[r] = sum0;
            out[r + 1] = sum1;
        }
        if (r < to) {
            out[r] = dot(r, x);
        }
    }

    @Override
    public int rowsPerPass() {
        return 2;
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += toFloat(data.get(HALF, base + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        for (int i = 0; i < cols; i++) {
            out[off + i] = toFloat(data.get(HALF, base + 2L * i));
        }
    }
}
