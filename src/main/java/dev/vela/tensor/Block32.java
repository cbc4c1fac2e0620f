package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;

/** What the formats with 32 values per block and an fp16 scale in front (Q8_0, Q4_0) share. */
final class Block32 {
    private Block32() {}

    static final int VALUES = 32;

    /**
     * The float width their kernels run at: the preferred one, but at most 512 bits, because a
     * kernel widens 16 quants at a time and 16 floats must fill whole vectors.
     */
    static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    /** 16 quants, loaded at once. */
    static final VectorSpecies<Byte> BYTES = ByteVector.SPECIES_128;
    /** Float vectors 16 widened quants make: 1 at 512 bits, 2 at 256, 4 at 128. */
    static final int PARTS = 16 / FLOATS.length();

    /**
     * Rows at least this long go two per pass in the decode kernels (Q4_0Tensor#dot2): their x
     * no longer stays in L1 while the weights stream past. Each type keeps its own copy of the
     * little dispatch in {@code matvec}, so that each call site sees one kernel.
     */
    static final int WIDE = 4096;

    /** The block's scale, the fp16 at its start. */
    static float scale(MemorySegment data, long block) {
        return Float.float16ToFloat(data.get(F16Tensor.HALF, block));
    }
}
