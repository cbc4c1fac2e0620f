package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RankKeyTest {
    private static final float[] ASCENDING = {
        Float.NEGATIVE_INFINITY, -Float.MAX_VALUE, -3.5f, -1f, -Float.MIN_VALUE, -0f, 0f,
        Float.MIN_VALUE, 1e-3f, 1f, 2.5f, Float.MAX_VALUE, Float.POSITIVE_INFINITY};

    @Test
    void higherLogitRanksFirst() {
        for (int i = 1; i < ASCENDING.length; i++) {
            assertTrue(RankKey.of(ASCENDING[i], 7) < RankKey.of(ASCENDING[i - 1], 7),
                    ASCENDING[i] + " should rank before " + ASCENDING[i - 1]);
        }
    }

    @Test
    void equalLogitsRankByLowerId() {
        assertTrue(RankKey.of(2f, 3) < RankKey.of(2f, 4));
        assertTrue(RankKey.of(-2f, 0) < RankKey.of(-2f, Integer.MAX_VALUE));
    }

    @Test
    void unpacksExactly() {
        int[] ids = {0, 1, 151_935, Integer.MAX_VALUE};
        for (float logit : ASCENDING) {
            for (int id : ids) {
                long key = RankKey.of(logit, id);
                assertEquals(Float.floatToRawIntBits(logit), Float.floatToRawIntBits(RankKey.logit(key)));
                assertEquals(id, RankKey.id(key));
            }
        }
    }
}
