package dev.vela.tensor;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Q2_K repacked ({@link Q2_Kx32Tensor}): where one hand-written row's pairs of quants land, and a
 * product at the extremes (every quant 3, every scale and min 15, x all ±1) where the 16-bit
 * sub-block sums are largest.
 */
class Q2_Kx32TensorTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int GROUP = Q2_Kx32Tensor.GROUP;
    private static final int BLOCK_BYTES = 84;

    @BeforeEach
    void wideEnough() {
        assumeTrue(KernelCases.repackedAtThisWidth(GGMLType.Q2_K), "Q2_K keeps the file layout at this vector width");
    }

    /**
     * Row 1's quant bytes 0 and 1 are 0xE4 and 0x1B: byte l's bits 2j are column 32j + l, so
     * columns 0, 32, 64, 96 hold 0, 1, 2, 3 and columns 1, 33, 65, 97 hold 3, 2, 1, 0. A pair
     * (c, c + 1) becomes the nibble {@code q[c] | q[c + 1] << 2}: 0xC, 0x9, 0x6, 0x3. Pair c of
     * sub-block n = c / 16 is nibble (c mod 8) / 2 of quant vector c / 8, which for c = 0, 32,
     * 64, 96 is the first nibble of vectors 0, 4, 8, 12; the tile starts with the rows' d and
     * dmin (2 × GROUP bytes each, times 2^10, in the rows' lanes: d = 1 is 0x6400), then a quarter holds four sub-blocks' scale ints (4 × GROUP
     * bytes) and their eight quant vectors (2 × GROUP bytes each). Row 1 is lane 2 (row m of the first half group is lane 2m, see
     * {@link RowGroupTensor#pairedLane}).
     */
    @Test
    void handCheckedPairs() {
        MemorySegment file = Arena.ofAuto().allocate((long) BLOCK_BYTES * GROUP);
        long row1 = BLOCK_BYTES;
        file.set(ValueLayout.JAVA_BYTE, row1 + 16, (byte) 0xE4);
        file.set(ValueLayout.JAVA_BYTE, row1 + 17, (byte) 0x1B);
        file.set(ValueLayout.JAVA_BYTE, row1 + 3, (byte) 0x5A); // sub-block 3's scale 0xA, min 5
        file.set(SHORT, row1 + 80, (short) 0x3C00); // d = 1
        file.set(SHORT, row1 + 82, (short) 0x0001); // dmin = 2^-24, subnormal
        Tensor w = GGMLType.Q2_K.view(file, GROUP, 256).repacked(Arena.ofAuto());
        assertInstanceOf(Q2_Kx32Tensor.class, w);
        MemorySegment tile = w.data();
        long quarters = 4L * GROUP, part = 4L * GROUP + 16L * GROUP;
        assertEquals((short) 0x6400, tile.get(SHORT, 2 * 2)); // row 1's d times 2^10, in its lane
        assertEquals((short) 0x0400, tile.get(SHORT, 2L * GROUP + 2 * 2)); // its dmin times 2^10: 2^-14, the smallest normal fp16
        assertEquals((short) 0xC, tile.get(SHORT, quarters + 4L * GROUP + 2 * 2));
        assertEquals((short) 0x9, tile.get(SHORT, quarters + 4L * GROUP + 4 * 2L * GROUP + 2 * 2));
        assertEquals((short) 0x6, tile.get(SHORT, quarters + part + 4L * GROUP + 2 * 2));
        assertEquals((short) 0x3, tile.get(SHORT, quarters + part + 4L * GROUP + 4 * 2L * GROUP + 2 * 2));
        assertEquals(0x5A00_0000, tile.get(ValueLayout.JAVA_INT_UNALIGNED, quarters + 4)); // row 1's first scale int, byte 3
    }

    /**
     * d = dmin = 1, every scale and min 15, every quant 3: each weight is 15·3 − 15 = 30. With x
     * all 1 (rounded to 127, step 1/127) a sub-block's 16-bit sum is 16·3·127 = 6096, the most
     * there is; each row is 30 per column. With x all −1 it is −30 per column.
     */
    @Test
    void extremeSums() {
        int rows = 2 * GROUP, cols = 512;
        MemorySegment file = Arena.ofAuto().allocate((long) BLOCK_BYTES * rows * cols / 256);
        for (long b = 0; b < file.byteSize(); b += BLOCK_BYTES) {
            for (int i = 0; i < 80; i++) {
                file.set(ValueLayout.JAVA_BYTE, b + i, (byte) 0xFF);
            }
            file.set(SHORT, b + 80, (short) 0x3C00);
            file.set(SHORT, b + 82, (short) 0x3C00);
        }
        Tensor w = GGMLType.Q2_K.view(file, rows, cols).repacked(Arena.ofAuto());
        assertInstanceOf(Q2_Kx32Tensor.class, w);
        for (float sign : new float[] {1f, -1f}) {
            float[] x = new float[cols];
            Arrays.fill(x, sign);
            float[] out = new float[rows];
            w.matvec(x, out, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertEquals(sign * 30f * cols, out[r], 1e-5f * 30 * cols, "row " + r + ", x = " + sign);
                assertEquals(w.dotScalar(r, x, 0), out[r], 0f, "row " + r + ": matvec vs dotScalar");
            }
        }
    }
}
