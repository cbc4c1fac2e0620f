package dev.vela.tensor;

import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/**
 * A matrix copied at load with {@link #GROUP} rows side by side ({@link Tensor#repacked}): one
 * vector holds the same columns of every row of a group, so products need no sums across lanes
 * and each value of x is loaded once per group. The types' layouts differ; what they share is
 * here. Products run on whole groups; one row alone is the scalar twin's business.
 */
abstract class RowGroupTensor extends Tensor {
    /** The vectors the kernels work in: shorts, and ints and floats of the same width. */
    static final VectorSpecies<Short> SS = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, SS.vectorShape());
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, SS.vectorShape());
    /** Rows per group: one lane of a vector of shorts each, 32 at 512 bits. */
    public static final int GROUP = SS.length();

    RowGroupTensor(GGMLType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /** Whether {@code rows} rows fill whole groups; the others keep the file's layout. */
    static boolean fits(int rows) {
        return rows % GROUP == 0;
    }

    /**
     * Lets the file's pages of a matrix just copied leave this process's memory: decoding reads
     * only the copy. (Its view is not used again; a later read would fault the pages back in.)
     */
    static void release(Tensor source) {
        if (source.data().isMapped()) {
            source.data().unload();
        }
    }

    /** The group's {@link #GROUP} fp16 values at {@code at} (its rows' scales) as floats into {@code into}. */
    final void halves(long at, float[] into) {
        for (int r = 0; r < GROUP; r++) {
            into[r] = Float.float16ToFloat(data.get(F16Tensor.HALF, at + 2L * r));
        }
    }

    @Override
    public final int rowsPerPass() {
        return GROUP;
    }

    @Override
    public final int panelRows() {
        return GROUP;
    }

    /** One row alone, as {@link #dotScalar} computes it: the layout is for whole groups of rows. */
    @Override
    public final float dot(int row, MemorySegment x) {
        return dotScalar(row, Activations.toArray(x, cols), 0);
    }
}
