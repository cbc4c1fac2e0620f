package dev.vela.tensor;

import jdk.incubator.vector.ShortVector;

import java.util.function.IntUnaryOperator;

/**
 * What the repacked kernels that look their products up share ({@link Q2_Kx32Tensor},
 * {@link Q3_Kx32Tensor}, {@link IQ4Lookups}): a table is one vector of shorts, its 16 entries
 * repeated to fill the vector, and a lane's 4-bit index picks its entry with one permutation
 * ({@code vpermw}, which reads 5 bits of the index at 512 bits: the repeat makes the fifth one,
 * the next field's lowest bit, not matter).
 */
final class LookupTables {
    /** Shorts per table: one vector. */
    static final int ENTRIES = RowGroupTensor.SS.length();
    private static final short[] FIRST = repeated(i -> i & 3);
    private static final short[] SECOND = repeated(i -> i >> 2 & 3);

    private LookupTables() {}

    /** Whether a vector of shorts holds 16 entries: not at 128 bits, where those types keep the file's layout. */
    static boolean fit() {
        return ENTRIES >= 16;
    }

    /** Whether a matrix of {@code rows} rows is repacked for lookups: whole groups of rows, and tables that fit. */
    static boolean fits(int rows) {
        return RowGroupTensor.fits(rows) && fit();
    }

    /** A table's constant entries: {@code entry(i)} for index i = 0..15, repeated. */
    static short[] repeated(IntUnaryOperator entry) {
        short[] table = new short[ENTRIES];
        for (int i = 0; i < ENTRIES; i++) {
            table[i] = (short) entry.applyAsInt(i % 16);
        }
        return table;
    }

    /**
     * The tables of {@code count} pairs of columns from {@code k0}, into {@code tables} from
     * {@code at}: pair (a, a + 1) maps index i to {@code xq[a]·(i & 3) + xq[a + 1]·(i >> 2)}, the
     * sum of two 2-bit quants' products.
     */
    static void pairs(short[] xq, int k0, int count, short[] tables, int at) {
        ShortVector first = ShortVector.fromArray(RowGroupTensor.SS, FIRST, 0);
        ShortVector second = ShortVector.fromArray(RowGroupTensor.SS, SECOND, 0);
        for (int p = 0; p < count; p++) {
            first.mul(xq[k0 + 2 * p]).add(second.mul(xq[k0 + 2 * p + 1])).intoArray(tables, at + p * ENTRIES);
        }
    }
}
