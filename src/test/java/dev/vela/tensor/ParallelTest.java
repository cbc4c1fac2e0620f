package dev.vela.tensor;

import org.junit.jupiter.api.Test;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicIntegerArray;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParallelTest {

    @Test
    void everyIndexRunsExactlyOnce() {
        int[] sizes = {0, 1, 2, 3, 5, 7, 8, 16, 63, 100, 1001};
        int[] grains = {1, 2, 3, 4, 32};
        for (int threads : new int[] {1, 2, 3, 4, 8}) {
            try (Parallel pool = new Parallel(threads)) {
                assertEquals(threads, pool.threads());
                for (int n : sizes) {
                    for (int grain : grains) {
                        // Twice in a row, so that the second call finds the workers from the first.
                        for (int round = 0; round < 2; round++) {
                            AtomicIntegerArray seen = new AtomicIntegerArray(n);
                            int g = grain;
                            pool.forRange(n, grain, (from, to) -> {
                                assertTrue(from % g == 0 && from < to && to <= n, "chunk [" + from + ", " + to + ")");
                                for (int i = from; i < to; i++) {
                                    seen.incrementAndGet(i);
                                }
                            });
                            for (int i = 0; i < n; i++) {
                                assertEquals(1, seen.get(i), "index " + i + " of " + n + ", grain " + grain + ", " + threads + " threads");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void chunksAreSplitAcrossThreads() {
        try (Parallel pool = new Parallel(4)) {
            AtomicInteger chunks = new AtomicInteger();
            AtomicIntegerArray seen = new AtomicIntegerArray(400);
            pool.forRange(400, (from, to) -> {
                chunks.incrementAndGet();
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            assertEquals(16, chunks.get()); // four per thread
            for (int i = 0; i < 400; i++) {
                assertEquals(1, seen.get(i), "index " + i);
            }
        }
    }

    @Test
    void aSlowThreadTakesFewerChunks() {
        try (Parallel pool = new Parallel(2)) {
            AtomicIntegerArray taken = new AtomicIntegerArray(2);
            pool.forRange(80, 1, (thread, from, to) -> {
                taken.incrementAndGet(thread);
                if (thread == 0) {
                    LockSupport.parkNanos(200_000_000L); // the calling thread, slowed down
                }
            });
            assertEquals(8, taken.get(0) + taken.get(1));
            assertTrue(taken.get(1) > taken.get(0), "worker took " + taken.get(1) + " of 8 chunks");
        }
    }

    @Test
    void failureInAWorkerReachesTheCaller() {
        try (Parallel pool = new Parallel(4)) {
            IllegalStateException boom = new IllegalStateException("boom");
            // Whichever thread claims the chunk holding index 99 fails.
            IllegalStateException thrown = assertThrows(IllegalStateException.class, () -> pool.forRange(100, (from, to) -> {
                if (from <= 99 && 99 < to) {
                    throw boom;
                }
            }));
            assertSame(boom, thrown);
            // The pool still works afterwards.
            AtomicIntegerArray seen = new AtomicIntegerArray(100);
            pool.forRange(100, (from, to) -> {
                for (int i = from; i < to; i++) {
                    seen.incrementAndGet(i);
                }
            });
            for (int i = 0; i < 100; i++) {
                assertEquals(1, seen.get(i));
            }
        }
    }

    @Test
    void failureInTheCallersChunkReachesTheCaller() {
        try (Parallel pool = new Parallel(3)) {
            assertThrows(ArithmeticException.class, () -> pool.forRange(30, (from, to) -> {
                if (from == 0) {
                    throw new ArithmeticException("first chunk");
                }
            }));
        }
    }

    @Test
    void errorsAndCheckedExceptionsAreNotLost() {
        try (Parallel pool = new Parallel(2)) {
            assertThrows(AssertionError.class, () -> pool.forRange(10, (from, to) -> {
                if (from > 0) {
                    throw new AssertionError("in worker");
                }
            }));
        }
    }

    @Test
    void rejectsZeroThreadsAndBadRanges() {
        assertThrows(IllegalArgumentException.class, () -> new Parallel(0));
        try (Parallel pool = new Parallel(2)) {
            assertThrows(IllegalArgumentException.class, () -> pool.forRange(-1, (from, to) -> { }));
            assertThrows(IllegalArgumentException.class, () -> pool.forRange(10, 0, (from, to) -> { }));
        }
    }
}
