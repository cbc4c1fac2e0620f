package dev.vela.tensor;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * Activation vectors as the decode kernels read them: floats in native memory that starts on a
 * 64-byte boundary. The JVM places a {@code float[]} on an 8-byte boundary only, so a 512-bit
 * load from one splits across two cache lines unless the array happens to sit right; measured
 * on a 512 × 2048 Q8_0 matrix in L2, one thread, the same kernel read 17 GB/s from a misaligned
 * array, 20 from an aligned one and 24 from aligned native memory.
 */
public final class Activations {
    private Activations() {}

    /** How the kernels' floats are laid out: little-endian, like every vector load of them. */
    public static final ValueLayout.OfFloat FLOAT = ValueLayout.JAVA_FLOAT.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final long ALIGNMENT = 64;

    /** Room for {@code floats} activations on a 64-byte boundary, zeroed. */
    public static MemorySegment allocate(Arena arena, int floats) {
        return arena.allocate(4L * floats, ALIGNMENT);
    }

    /** {@code x[off .. off+n)} copied to the start of {@code to}. */
    public static void copy(float[] x, int off, MemorySegment to, int n) {
        MemorySegment.copy(x, off, to, FLOAT, 0, n);
    }

    /** {@code x[off .. off+n)} in new aligned memory of {@code arena}. */
    public static MemorySegment of(Arena arena, float[] x, int off, int n) {
        MemorySegment s = allocate(arena, n);
        copy(x, off, s, n);
        return s;
    }

    /** The first {@code n} floats of {@code x} as an array, for the kernels that reorder x anyway. */
    static float[] toArray(MemorySegment x, int n) {
        float[] a = new float[n];
        MemorySegment.copy(x, FLOAT, 0, a, 0, n);
        return a;
    }
}
