package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/** 32-bit floats, little-endian. */
public final class F32Tensor extends Tensor {
    private static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public F32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.F32, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.F32;
    }

    @Override
    public float dot(int row, MemorySegment x) {
        long base = row * rowBytes;
        int n = S.length();
        int upper = S.loopBound(cols);
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int i = 0;
        for (; i + n < upper; i += 2 * n) {
            acc0 = FloatVector.fromMemorySegment(S, data, base + i * 4L, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromMemorySegment(S, x, 4L * i, ByteOrder.LITTLE_ENDIAN), acc0);
            acc1 = FloatVector.fromMemorySegment(S, data, base + (i + n) * 4L, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromMemorySegment(S, x, 4L * (i + n), ByteOrder.LITTLE_ENDIAN), acc1);
        }
        for (; i < upper; i += n) {
            acc0 = FloatVector.fromMemorySegment(S, data, base + i * 4L, ByteOrder.LITTLE_ENDIAN)
                    .fma(FloatVector.fromMemorySegment(S, x, 4L * i, ByteOrder.LITTLE_ENDIAN), acc0);
        }
        float sum = acc0.add(acc1).reduceLanes(VectorOperators.ADD);
        for (; i < cols; i++) {
            sum += data.get(F32, base + i * 4L) * x.get(Activations.FLOAT, 4L * i);
        }
        return sum;
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long base = row * rowBytes;
        float sum = 0f;
        for (int i = 0; i < cols; i++) {
            sum += data.get(F32, base + i * 4L) * x[xOff + i];
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        MemorySegment.copy(data, F32, row * rowBytes, out, off, cols);
    }
}
