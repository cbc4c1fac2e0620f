package dev.vela.sampling;

import org.junit.jupiter.api.Test;

import static dev.vela.sampling.Fixtures.assertIds;

class MinPTest {
    // The most likely token has 0.40, so min-p m keeps tokens with probability >= 0.40 m.

    @Test
    void keepsTokensAtLeastMinPTimesTheTopInTheirOrder() {
        Candidates c = Fixtures.fiveTokens();
        MinP.apply(c, 0.2f); // >= 0.08: drops only 0.05 (id 4)
        assertIds(c, 0, 1, 2, 3);
    }

    @Test
    void largerMinPKeepsFewer() {
        Candidates c = Fixtures.fiveTokens();
        MinP.apply(c, 0.26f); // >= 0.104: drops 0.10 and 0.05
        assertIds(c, 1, 2, 3);
        c = Fixtures.fiveTokens();
        MinP.apply(c, 0.5f); // >= 0.20
        assertIds(c, 1, 2);
    }

    @Test
    void keepsRankOrderAfterTopK() {
        Candidates c = Fixtures.fiveTokens();
        TopK.apply(c, 4);
        MinP.apply(c, 0.3f); // >= 0.12
        assertIds(c, 1, 2, 3);
    }

    @Test
    void zeroIsOffAndTheTopAlwaysStays() {
        Candidates c = Fixtures.fiveTokens();
        MinP.apply(c, 0f);
        assertIds(c, 0, 1, 2, 3, 4);
        MinP.apply(c, 1f);
        assertIds(c, 1);
    }
}
