package dev.vela.sampling;

/**
 * A (logit, id) pair packed into one long whose natural order is "higher logit first, then lower id".
 * Ranking then sorts a primitive long[] (no boxing, no comparator), and the pair unpacks exactly.
 * Logits must not be NaN.
 */
final class RankKey {
    private RankKey() {}

    static long of(float logit, int id) {
        return ((long) ~orderedBits(logit) << 32) | (id & 0xFFFF_FFFFL);
    }

    static int id(long key) {
        return (int) key;
    }

    static float logit(long key) {
        // orderedBits is its own inverse, so undoing the ~ recovers the float's bits.
        return Float.intBitsToFloat(orderedBits(~(int) (key >> 32)));
    }

    /** The float's bits as an int that compares like the float: negative floats have their magnitude bits flipped. */
    private static int orderedBits(float f) {
        int bits = Float.floatToRawIntBits(f);
        return bits ^ ((bits >> 31) & 0x7FFF_FFFF);
    }

    private static int orderedBits(int bits) {
        return bits ^ ((bits >> 31) & 0x7FFF_FFFF);
    }
}
