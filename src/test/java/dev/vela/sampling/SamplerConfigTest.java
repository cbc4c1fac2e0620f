package dev.vela.sampling;

import dev.vela.VelaException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SamplerConfigTest {
    private static final SamplerConfig BASE = SamplerConfig.defaults().withSeed(1);

    @Test
    void defaultsAreLlamaCpps() {
        SamplerConfig d = SamplerConfig.defaults();
        assertEquals(0.8f, d.temperature());
        assertEquals(40, d.topK());
        assertEquals(0.95f, d.topP());
        assertEquals(0.05f, d.minP());
        assertEquals(1.0f, d.repeatPenalty());
        assertEquals(64, d.repeatLastN());
        assertFalse(d.greedy());
    }

    @Test
    void defaultSeedIsRandom() {
        // Two 64-bit random seeds collide with probability 2^-64.
        assertTrue(SamplerConfig.defaults().seed() != SamplerConfig.defaults().seed());
    }

    @Test
    void zeroTemperatureIsGreedy() {
        assertTrue(BASE.withTemperature(0).greedy());
    }

    @Test
    void offValuesAreAccepted() {
        assertDoesNotThrow(() -> new SamplerConfig(0, 0, 1, 0, 1, 0, -7));
        assertDoesNotThrow(() -> BASE.withMinP(1).withTopP(Float.MIN_VALUE).withRepeatPenalty(0.5f, 1));
    }

    @Test
    void rejectsOutOfRangeValuesWithTheirName() {
        assertRejected("temperature", () -> BASE.withTemperature(-0.1f));
        assertRejected("temperature", () -> BASE.withTemperature(Float.NaN));
        assertRejected("temperature", () -> BASE.withTemperature(Float.POSITIVE_INFINITY));
        assertRejected("top-k", () -> BASE.withTopK(-1));
        assertRejected("top-p", () -> BASE.withTopP(0));
        assertRejected("top-p", () -> BASE.withTopP(1.01f));
        assertRejected("top-p", () -> BASE.withTopP(Float.NaN));
        assertRejected("min-p", () -> BASE.withMinP(-0.01f));
        assertRejected("min-p", () -> BASE.withMinP(1.5f));
        assertRejected("repeat penalty", () -> BASE.withRepeatPenalty(0, 64));
        assertRejected("repeat penalty", () -> BASE.withRepeatPenalty(Float.NaN, 64));
        assertRejected("repeat-last-n", () -> BASE.withRepeatPenalty(1.1f, -1));
    }

    private static void assertRejected(String name, Runnable build) {
        VelaException e = assertThrows(VelaException.class, build::run);
        assertTrue(e.getMessage().startsWith(name), e.getMessage());
    }
}
