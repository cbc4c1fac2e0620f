package dev.vela.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * IQ4_NL with {@link #GROUP} rows side by side ({@link IQ4x32Tensor}): per block of 32 columns,
 * the rows' fp16 scales, then their indices.
 */
final class IQ4_NLx32Tensor extends IQ4x32Tensor {
    private static final int[] HEADER = {2};

    private IQ4_NLx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_NL, data, rows, cols);
    }

    static IQ4_NLx32Tensor of(Tensor source, Arena arena) {
        return new IQ4_NLx32Tensor(copy(source, arena, HEADER), source.rows(), source.cols());
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_NL;
    }

    /** The rows' fp16 d of each block, the blocks' tiles one after another. */
    @Override
    void scales(long first, int subs, float[] into) {
        for (int u = 0; u < subs; u++) {
            halves(first + u * tileBytes, into, u * GROUP);
        }
    }

    @Override
    float scale(long tile, int r, int sub) {
        return Float.float16ToFloat(data.get(F16Tensor.HALF, tile + 2L * r));
    }
}
