package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.IQ4_LEVELS;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * What IQ4_NL's and IQ4_XS's repacked kernels ({@link IQ4_NLx32Tensor}, {@link IQ4_XSx32Tensor})
 * share: products looked up in 16-bit integer lanes without a multiply. x is rounded to 8 bits,
 * and before the rows are read each column k gets a table of its 16 products
 * {@code xq[k] × level + 2^14}; a lane's 4-bit index then picks its product with one permutation
 * of that table ({@code vpermw}). The levels reach ±127, so a product reaches ±16129: biased by
 * 2^14 it is positive, and two of them sum below 2^16 as unsigned 16-bit values. Each such pair
 * sum is added into 32-bit lanes as it stands, two rows per int (the low half of every int is one
 * row, the high half another), and the high halves are counted once more on their own; the two
 * rows' exact sums come apart at the end of each 32 columns. Per 32 weights that is a shift, a
 * permutation and about two additions.
 *
 * <p>Tried before this: a multiply per product after looking up the level, widened every second
 * product (12 GB/s from memory), and floats, a shift, mask, permutation and multiply-add per 16
 * weights (10 GB/s, no faster than the file layout's kernel). Tried after it: reading two or
 * four groups at once so that each table loaded serves them all (the table loads cost: with two
 * of a vector's four tables held in registers, wrongly, a test kernel ran 21 → 24 GB/s in cache):
 * no faster in cache and 8–12 against 17 GB/s from memory, whether the groups' tiles lay apart,
 * side by side or interleaved vector by vector; two columns' tables in one vector (the index's
 * bit 4 picking the half): no faster; a byte loaded 1–4.5 KB ahead of the stream as a prefetch:
 * slower; the lookups in a method of their own: 15% slower in cache. What did pay was the work
 * around the lookups: IQ4_NL's block written out lean (no division and remainder per block to
 * find its tile, no scales converted through an array: 21 → 25 GB/s in cache), and both types'
 * scales kept as {@link RowGroupTensor#scaledUp} makes them and converted inline (IQ4_XS 20 → 25
 * GB/s in cache: the conversion's call in its kernel had made the JIT reload the index mask
 * before every lookup).
 */
final class IQ4Lookups {
    static final short[] LEVELS = LookupTables.repeated(i -> IQ4_LEVELS[i]);
    /** Added to every product so that it is positive: |xq × level| ≤ 127 × 127 < 2^14. */
    private static final int BIAS = 1 << 14;
    /** The bias a row's sum over 32 columns carries. */
    static final int BLOCK_BIAS = 32 * BIAS;
    private static final VectorSpecies<Short> SS = RowGroupTensor.SS;
    private static final VectorSpecies<Float> FS = RowGroupTensor.FS;
    private static final VectorSpecies<Integer> IS = RowGroupTensor.IS;
    private static final int GROUP = RowGroupTensor.GROUP;
    private static final int HALF = RowGroupTensor.HALF;
    private static final int TABLE = LookupTables.ENTRIES;

    private IQ4Lookups() {}

    /**
     * The tables of columns {@code [k0, k1)}. A method of its own so that its constant vector is
     * not live across the kernel's loops (see {@link Q3_Kx32Tensor}).
     */
    static void tables(short[] xq, int k0, int k1, short[] tables) {
        ShortVector levels = ShortVector.fromArray(SS, LEVELS, 0);
        for (int k = k0; k < k1; k++) {
            levels.mul(xq[k]).add((short) BIAS).intoArray(tables, (k - k0) * TABLE);
        }
    }

    /**
     * The eight vectors of a sub-block's indices at {@code q} as its 32 columns of a panel from
     * {@code column}: each nibble's level picked from the table of levels, the ints' low and high
     * halves (rows in the panel's first and second half) widened apart and scaled by {@code d0},
     * {@code d1}. IQ4_NL's and IQ4_XS's panels alike.
     */
    static void subBlockIntoPanel(MemorySegment data, long q, FloatVector d0, FloatVector d1, float[] panel, int column) {
        ShortVector levels = ShortVector.fromArray(SS, LEVELS, 0);
        for (int c = 0; c < 8; c++) {
            ShortVector v = ShortVector.fromMemorySegment(SS, data, q + 2L * c * GROUP, LITTLE_ENDIAN);
            for (int j = 0; j < 4; j++) {
                IntVector l = v.lanewise(LSHR, 4 * j).selectFrom(levels).reinterpretAsInts();
                int at = column + (2 * c + (j == 1 || j == 3 ? 16 : 0) + (j >= 2 ? 1 : 0)) * GROUP;
                ((FloatVector) l.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).mul(d0).intoArray(panel, at);
                ((FloatVector) l.lanewise(ASHR, 16).convert(I2F, 0)).mul(d1).intoArray(panel, at + HALF);
            }
        }
    }
}
