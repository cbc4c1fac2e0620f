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
 * Q3_K repacked ({@link Q3_Kx32Tensor}): where one hand-written row's low-bit pairs, high-bit
 * quads and scale land, and a product at the extremes (every quant −4, every scale −32, x all
 * ±1), where the 16-bit sub-block sums and the integer totals are largest.
 */
class Q3_Kx32TensorTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int GROUP = Q3_Kx32Tensor.GROUP;
    private static final int BLOCK_BYTES = 110;

    @BeforeEach
    void wideEnough() {
        assumeTrue(KernelCases.repackedAtThisWidth(GGMLType.Q3_K), "Q3_K keeps the file layout at this vector width");
    }

    /**
     * Row 1, d = 1: high-bit byte 0 is 0x01 (column 0's high bit, bit 4h + j = 0, set), quant
     * bytes 0 and 1 (file bytes 32, 33) are 0xE4 and 0x1B (bits 2j of byte l are column 32j + l:
     * columns 0, 1 hold low bits 0 and 3), scale 0 is 35 (low nibble 3 in byte 96, top bits 2 in
     * byte 104): v = low − 4 + 4·high makes columns 0 and 1 worth 3·0 and 3·(−1). In the copy,
     * pair (0, 1) is the nibble 0 | 3 << 2 = 0xC, the first of sub-block 0's first pair vector;
     * the quad of columns 0..3 is the nibble 0x1, the first of its quad vector (after two pair
     * vectors); scale 0 is the signed byte 3 at the start of the row's int; row 1 is lane 2; the
     * rows' d come first in the tile (times 2^10, in their lanes: 0x6400 at lane 2).
     */
    @Test
    void handCheckedRow() {
        MemorySegment file = Arena.ofAuto().allocate((long) BLOCK_BYTES * GROUP);
        long row1 = BLOCK_BYTES;
        file.set(ValueLayout.JAVA_BYTE, row1, (byte) 0x01);
        file.set(ValueLayout.JAVA_BYTE, row1 + 32, (byte) 0xE4);
        file.set(ValueLayout.JAVA_BYTE, row1 + 33, (byte) 0x1B);
        file.set(ValueLayout.JAVA_BYTE, row1 + 96, (byte) 0x03);
        file.set(ValueLayout.JAVA_BYTE, row1 + 104, (byte) 0x02);
        file.set(SHORT, row1 + 108, (short) 0x3C00);
        Tensor w = GGMLType.Q3_K.view(file, GROUP, 256).repacked(Arena.ofAuto());
        assertInstanceOf(Q3_Kx32Tensor.class, w);
        MemorySegment tile = w.data();
        long quarters = 2L * GROUP; // after the rows' d
        assertEquals((short) 0x6400, tile.get(SHORT, 2 * 2)); // d times 2^10, in row 1's lane
        assertEquals((short) 0xC, tile.get(SHORT, quarters + 4L * GROUP + 2 * 2));
        assertEquals((short) 0x1, tile.get(SHORT, quarters + 4L * GROUP + 2 * 2L * GROUP + 2 * 2));
        assertEquals((byte) 3, tile.get(ValueLayout.JAVA_BYTE, quarters + 4));
        float[] row = new float[256];
        w.dequantizeRow(1, row, 0);
        assertEquals(0f, row[0]);
        assertEquals(-3f, row[1]);
    }

    /**
     * d = 1, every scale −32 (all 6-bit fields 0), every quant −4 (low and high bits 0): each
     * weight is 128. With x all 1 (rounded to 127, step 1/127) a sub-block's 16-bit sum is
     * 16·(−4)·127 = −8128 and a super-block's integer total 16·32·8128; each row is 128 per column.
     */
    @Test
    void extremeSums() {
        int rows = 2 * GROUP, cols = 512;
        MemorySegment file = Arena.ofAuto().allocate((long) BLOCK_BYTES * rows * cols / 256);
        for (long b = 0; b < file.byteSize(); b += BLOCK_BYTES) {
            file.set(SHORT, b + 108, (short) 0x3C00);
        }
        Tensor w = GGMLType.Q3_K.view(file, rows, cols).repacked(Arena.ofAuto());
        assertInstanceOf(Q3_Kx32Tensor.class, w);
        for (float sign : new float[] {1f, -1f}) {
            float[] x = new float[cols];
            Arrays.fill(x, sign);
            float[] out = new float[rows];
            w.matvec(x, out, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertEquals(sign * 128f * cols, out[r], 1e-5f * 128 * cols, "row " + r + ", x = " + sign);
                assertEquals(w.dotScalar(r, x, 0), out[r], 0f, "row " + r + ": matvec vs dotScalar");
            }
        }
    }
}
