package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * IQ4_XS with {@link #GROUP} rows side by side ({@link IQ4x32Tensor}): per super-block of 256
 * columns, the rows' fp16 {@code d}, their 16-bit words of high scale bits, their 32-bit words
 * of low scale nibbles, then the eight sub-blocks' indices. Sub-block i's scale is
 * {@code d·(s − 32)}, s = low nibble at bits 4i | high pair at bits 2i, shifted up by 4.
 */
final class IQ4_XSx32Tensor extends IQ4x32Tensor {
    private static final int[] HEADER = {2, 2, 4};
    private static final long HIGH = 2L * GROUP;
    private static final long LOW = 4L * GROUP;

    private IQ4_XSx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_XS, data, rows, cols);
    }

    static IQ4_XSx32Tensor of(Tensor source, Arena arena) {
        return new IQ4_XSx32Tensor(copy(source, arena, HEADER), source.rows(), source.cols());
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_XS;
    }

    /** The eight scales of each half group from its three header vectors, in int lanes. */
    @Override
    void scales(long tile, int subs, float[] into) {
        halves(tile, into);
        FloatVector d0 = FloatVector.fromArray(FS, into, 0);
        FloatVector d1 = FloatVector.fromArray(FS, into, HALF);
        ShortVector high = ShortVector.fromMemorySegment(SS, data, tile + HIGH, LITTLE_ENDIAN);
        IntVector h0 = ((IntVector) high.convertShape(S2I, IS, 0)).and(0xFFFF);
        IntVector h1 = ((IntVector) high.convertShape(S2I, IS, 1)).and(0xFFFF);
        IntVector l0 = IntVector.fromMemorySegment(IS, data, tile + LOW, LITTLE_ENDIAN);
        IntVector l1 = IntVector.fromMemorySegment(IS, data, tile + LOW + 4L * HALF, LITTLE_ENDIAN);
        for (int i = 0; i < 8; i++) {
            IntVector s0 = l0.lanewise(LSHR, 4 * i).and(0xF).or(h0.lanewise(LSHR, 2 * i).and(3).lanewise(LSHL, 4)).sub(32);
            IntVector s1 = l1.lanewise(LSHR, 4 * i).and(0xF).or(h1.lanewise(LSHR, 2 * i).and(3).lanewise(LSHL, 4)).sub(32);
            ((FloatVector) s0.convert(I2F, 0)).mul(d0).intoArray(into, i * GROUP);
            ((FloatVector) s1.convert(I2F, 0)).mul(d1).intoArray(into, i * GROUP + HALF);
        }
    }

    @Override
    float scale(long tile, int r, int sub) {
        float d = Float.float16ToFloat(data.get(F16Tensor.HALF, tile + 2L * r));
        int high = data.get(F16Tensor.HALF, tile + HIGH + 2L * r) & 0xFFFF;
        int low = data.get(KQuant.I32, tile + LOW + 4L * r);
        int s = (low >>> 4 * sub & 0xF) | (high >>> 2 * sub & 3) << 4;
        return d * (s - 32);
    }
}
