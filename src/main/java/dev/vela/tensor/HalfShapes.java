package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * The vector species the 16-bit weight kernels (F16, BF16) run at: floats, the 16-bit lanes
 * loaded from memory (same lane count, half the bits) and the 32-bit integers they are widened
 * to on the way. Constants, so that the JIT compiles every vector operation to instructions;
 * tests run other widths in a JVM started with a smaller {@code -XX:MaxVectorSize}.
 */
final class HalfShapes {
    private HalfShapes() {}

    /** The preferred width, but at least 128 bits: no 32-bit vector of halves exists to match a narrower one. */
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.vectorBitSize() < 128
            ? FloatVector.SPECIES_128 : FloatVector.SPECIES_PREFERRED;
    static final VectorSpecies<Short> HALVES = VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.vectorBitSize() / 2));
    static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, FLOATS.vectorShape());
}
