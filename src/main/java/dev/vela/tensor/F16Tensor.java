package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * IEEE 754 half-precision floats, little-endian.
 *
 * <p>The Vector API has no half-to-float lane conversion to rely on, so the kernels widen with
 * integer operations: sign-extended to 32 bits and shifted left by 13, a half's exponent and
 * mantissa land where a float's go and its sign lands in bit 31; bits 28..30 hold copies of the
 * sign and are cleared. That float is the half times 2^-112 (the difference of the exponent
 * biases, 127 − 15), so multiplying by 2^112 gives the half's value exactly, for normals,
 * subnormals (which are float subnormals before the multiply) and zeros alike. Infinities and
 * NaNs would come out as large finite numbers; weights have none.
 */
public final class F16Tensor extends Tensor {
    static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(LITTLE_ENDIAN);
    private static final VectorSpecies<Float> S = HalfShapes.FLOATS;
    private static final VectorSpecies<Short> H = HalfShapes.HALVES;
    private static final VectorSpecies<Integer> I = HalfShapes.INTS;
    /** After the shift: the sign (bit 31), exponent and mantissa (bits 13..27). */
    private static final int KEEP = 0x8FFF_E000;
    private static final float REBIAS = 0x1p112f;

    public F16Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.F16, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F16;
    }

    // The widening is written out in the loop instead of a helper returning a vector: if the JIT
    // ever declined to inline such a helper, every vector would be boxed and the kernel would
    // run a hundred times slower.
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
            FloatVector w0 = h0.lanewise(LSHL, 13).and(KEEP).reinterpretAsFloats().mul(REBIAS);
            FloatVector w1 = h1.lanewise(LSHL, 13).and(KEEP).reinterpretAsFloats().mul(REBIAS);
            acc0 = w0.fma(FloatVector.fromMemorySegment(S, x, 4L * i, LITTLE_ENDIAN), acc0);
            acc1 = w1.fma(FloatVector.fromMemorySegment(S, x, 4L * (i + n), LITTLE_ENDIAN), acc1);
        }
        for (; i < upper; i += n) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, data, base + 2L * i, LITTLE_ENDIAN)
                    .convertShape(S2I, I, 0);
            FloatVector w = h.lanewise(LSHL, 13).and(KEEP).reinterpretAsFloats().mul(REBIAS);
            acc0 = w.fma(FloatVector.fromMemorySegment(S, x, 4L * i, LITTLE_ENDIAN), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(ADD);
        for (; i < cols; i++) {
            sum += Float.float16ToFloat(data.get(HALF, base + 2L * i)) * x.get(Activations.FLOAT, 4L * i);
        }
        return sum;
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += Float.float16ToFloat(data.get(HALF, base + 2L * i)) * x[xOff + i];
        }
        return sum;
    }

    /** Vectorized with the same widening as {@link #dot}, so that tests can check it on every half. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long base = row * rowBytes;
        int upper = S.loopBound(cols);
        int i = 0;
        for (; i < upper; i += S.length()) {
            IntVector h = (IntVector) ShortVector.fromMemorySegment(H, data, base + 2L * i, LITTLE_ENDIAN)
                    .convertShape(S2I, I, 0);
            h.lanewise(LSHL, 13).and(KEEP).reinterpretAsFloats().mul(REBIAS).intoArray(out, off + i);
        }
        for (; i < cols; i++) {
            out[off + i] = Float.float16ToFloat(data.get(HALF, base + 2L * i));
        }
    }
}
