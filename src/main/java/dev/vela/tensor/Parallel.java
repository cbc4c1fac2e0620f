package dev.vela.tensor;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * One persistent set of worker threads for all matrix work. {@link #forRange} cuts a range into
 * a few contiguous chunks per thread, which the threads claim in turn until none are left, so a
 * thread that the machine slows down (another process, the JIT, the garbage collector on its
 * core) takes fewer of them instead of making every other thread wait for it. The calling
 * thread works too, so a call creates no task objects and no threads. Workers spin briefly between calls (the next
 * matrix product follows within microseconds while generating) and then park, so an idle chat
 * costs no CPU.
 */
public final class Parallel implements AutoCloseable {
    /** Work on the half-open range {@code [from, to)}. */
    @FunctionalInterface
    public interface RangeTask {
        void run(int from, int to);
    }

    /** Work on {@code [from, to)} by thread number {@code thread} (0 .. threads-1), for per-thread scratch space. */
    @FunctionalInterface
    public interface ThreadRangeTask {
        void run(int thread, int from, int to);
    }

    private static final int SPINS = 20_000;
    /** Chunks per thread: more even out a slowed thread better, each costs one atomic increment. */
    private static final int CHUNKS_PER_THREAD = 4;

    private final int threads;
    private final Thread[] workers;
    private final AtomicInteger pending = new AtomicInteger();
    private final AtomicInteger nextChunk = new AtomicInteger();
    private volatile int generation;
    private volatile boolean closed;
    private volatile ThreadRangeTask task;
    private volatile int size;
    private volatile int grain;
    private volatile Throwable failure;
    private volatile Thread caller;

    public Parallel(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, got " + threads);
        }
        this.threads = threads;
        this.workers = new Thread[threads - 1];
        for (int w = 0; w < workers.length; w++) {
            int index = w + 1;
            workers[w] = Thread.ofPlatform().daemon().name("vela-worker-" + index).unstarted(() -> workLoop(index));
            workers[w].start();
        }
    }

    public int threads() {
        return threads;
    }

    /** Runs {@code task} over {@code [0, n)} split across all threads; returns when all are done. */
    public void forRange(int n, RangeTask task) {
        forRange(n, 1, task);
    }

    /**
     * As {@link #forRange(int, RangeTask)}, with chunk borders on multiples of {@code grain}
     * (for kernels that handle several rows together).
     */
    public void forRange(int n, int grain, RangeTask task) {
        forRange(n, grain, (thread, from, to) -> task.run(from, to));
    }

    /** As {@link #forRange(int, int, RangeTask)}, telling each chunk which thread runs it. */
    public void forRange(int n, int grain, ThreadRangeTask task) {
        if (n < 0 || grain < 1) {
            throw new IllegalArgumentException("forRange(" + n + ", grain " + grain + ")");
        }
        if (n == 0) {
            return;
        }
        if (threads == 1 || n <= grain) {
            task.run(0, 0, n);
            return;
        }
        this.task = task;
        this.size = n;
        this.grain = grain;
        this.failure = null;
        this.caller = Thread.currentThread();
        nextChunk.set(0);
        pending.set(workers.length);
        generation++;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
        Throwable mine = null;
        try {
            runChunks(0);
        } catch (Throwable t) {
            mine = t;
        }
        int spins = 0;
        while (pending.get() != 0) {
            if (++spins < SPINS) {
                Thread.onSpinWait();
            } else {
                LockSupport.park(this);
            }
        }
        this.task = null;
        Throwable failed = mine != null ? mine : failure;
        if (failed instanceof RuntimeException re) {
            throw re;
        }
        if (failed instanceof Error e) {
            throw e;
        }
        if (failed != null) {
            throw new RuntimeException(failed);
        }
    }

    /** Claims chunks of the current range for thread {@code index} until none are left. */
    private void runChunks(int index) {
        int n = size;
        int g = grain;
        int units = (n + g - 1) / g;
        int chunks = Math.min(units, threads * CHUNKS_PER_THREAD);
        ThreadRangeTask t = task;
        for (int c = nextChunk.getAndIncrement(); c < chunks; c = nextChunk.getAndIncrement()) {
            int from = (int) Math.min(n, (long) units * c / chunks * g);
            int to = (int) Math.min(n, (long) units * (c + 1) / chunks * g);
            if (from < to) {
                t.run(index, from, to);
            }
        }
    }

    private void workLoop(int index) {
        int seen = 0;
        while (true) {
            int spins = 0;
            while (generation == seen && !closed) {
                if (++spins < SPINS) {
                    Thread.onSpinWait();
                } else {
                    LockSupport.park(this);
                }
            }
            if (closed) {
                return;
            }
            seen = generation;
            try {
                runChunks(index);
            } catch (Throwable t) {
                failure = t;
            }
            if (pending.decrementAndGet() == 0) {
                LockSupport.unpark(caller);
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        for (Thread w : workers) {
            LockSupport.unpark(w);
        }
    }
}
