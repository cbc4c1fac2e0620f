package dev.vela.tokenizer;

/**
 * One stage of a pre-tokenizer: cuts a span of code points into pieces. Stages run one after
 * another, each on the pieces of the one before, and never join pieces.
 */
interface WordSplitter {
    /** Appends to {@code lengths} the length, in code points, of each piece {@code cps[start, end)} is cut into. */
    void split(int[] cps, int start, int end, IntList lengths);
}
