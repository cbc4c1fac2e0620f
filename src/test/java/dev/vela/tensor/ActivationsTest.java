package dev.vela.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ActivationsTest {
    @Test
    void allocatesOnA64ByteBoundary() {
        try (Arena arena = Arena.ofConfined()) {
            for (int floats : new int[] {1, 3, 16, 17, 2048, 8193}) {
                MemorySegment s = Activations.allocate(arena, floats);
                assertEquals(0, s.address() % 64, floats + " floats at " + s.address());
                assertEquals(4L * floats, s.byteSize());
            }
        }
    }

    @Test
    void copiesTheRangeAskedForAndReadsItBack() {
        float[] x = {9f, 1.5f, -2f, 3.25f, 7f};
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment s = Activations.of(arena, x, 1, 3);
            assertEquals(0, s.address() % 64);
            assertArrayEquals(new float[] {1.5f, -2f, 3.25f}, Activations.toArray(s, 3));
            assertEquals(-2f, s.get(Activations.FLOAT, 4));
        }
    }
}
