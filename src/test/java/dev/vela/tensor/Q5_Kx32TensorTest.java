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
 * Q5_K repacked ({@link Q5_Kx32Tensor}): where one hand-written row's nibbles, fifth bits and
 * scales land, and a product at the extremes (every quant 31, every scale and min 63, x all ±1),
 * where the 16-bit sums, the looked-up fifth bits' included, are largest.
 */
class Q5_Kx32TensorTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int GROUP = Q5_Kx32Tensor.GROUP;
    private static final int BLOCK_BYTES = 176;
    private static final long VECTOR = 2L * GROUP;

    @BeforeEach
    void wideEnough() {
        assumeTrue(KernelCases.repackedAtThisWidth(GGMLType.Q5_K), "Q5_K keeps the file layout at this vector width");
    }

    /**
     * Row 1, d = dmin = 1: scale bytes 0, 1 are 2 and 3 (sub-blocks 0, 1), byte 4 is 1 (sub-block
     * 0's min); qs byte 0 (file byte 48) is 0x05 (column 0's low nibble), qs byte 1 is 0xA0 (its
     * high nibble is column 32 + 1), qh byte 0 (file byte 16) has bit 0 set (column 0's fifth
     * bit), qh byte 1 bit 1 (column 33's). So column 0 is 2·(5 + 16) − 1 = 41, column 1 is
     * 2·0 − 1 = −1 and column 33 is 3·(10 + 16) = 78. In the copy (row 1 is lane 1), quant vector 0
     * (after d, dmin and four bit vectors) holds bytes 0, 1: 0xA005; its nibbles 0 and 3 are
     * columns 0 and 33, so bit vector 0 holds bits 0 and 12: 0x1001; the scale shorts
     * {@code scale | min << 8} of sub-blocks 0, 1 follow the 16 quant vectors: 0x0102 and 0x0003.
     */
    @Test
    void handCheckedRow() {
        MemorySegment file = Arena.ofAuto().allocate((long) BLOCK_BYTES * GROUP);
        long row1 = BLOCK_BYTES;
        file.set(SHORT, row1, (short) 0x3C00);
        file.set(SHORT, row1 + 2, (short) 0x3C00);
        file.set(ValueLayout.JAVA_BYTE, row1 + 4, (byte) 2);
        file.set(ValueLayout.JAVA_BYTE, row1 + 5, (byte) 3);
        file.set(ValueLayout.JAVA_BYTE, row1 + 8, (byte) 1);
        file.set(ValueLayout.JAVA_BYTE, row1 + 16, (byte) 0x01);
        file.set(ValueLayout.JAVA_BYTE, row1 + 17, (byte) 0x02);
        file.set(ValueLayout.JAVA_BYTE, row1 + 48, (byte) 0x05);
        file.set(ValueLayout.JAVA_BYTE, row1 + 49, (byte) 0xA0);
        Tensor w = GGMLType.Q5_K.view(file, GROUP, 256).repacked(Arena.ofAuto());
        assertInstanceOf(Q5_Kx32Tensor.class, w);
        MemorySegment tile = w.data();
        assertEquals((short) 0x1001, tile.get(SHORT, 2 * VECTOR + 2));
        assertEquals((short) 0xA005, tile.get(SHORT, 6 * VECTOR + 2));
        assertEquals((short) 0x0102, tile.get(SHORT, 22 * VECTOR + 2));
        assertEquals((short) 0x0003, tile.get(SHORT, 23 * VECTOR + 2));
        float[] row = new float[256];
        w.dequantizeRow(1, row, 0);
        assertEquals(41f, row[0]);
        assertEquals(-1f, row[1]);
        assertEquals(78f, row[33]);
    }

    /**
     * d = dmin = 1, every 6-bit scale and min 63 (all scale bytes 0xFF), every quant 31 (all
     * quant and fifth-bit bytes 0xFF): each weight is 63·31 − 63 = 1890. With x all 1 (rounded to
     * 127, step 1/127) a 16-bit sum of nibbles is 16·15·127 = 30480 and a sub-block's looked-up
     * fifth bits 32·127 = 4064 before the factor 16; each row is 1890 per column.
     */
    @Test
    void extremeSums() {
        int rows = 2 * GROUP, cols = 512;
        MemorySegment file = Arena.ofAuto().allocate((long) BLOCK_BYTES * rows * cols / 256);
        file.fill((byte) 0xFF);
        for (long b = 0; b < file.byteSize(); b += BLOCK_BYTES) {
            file.set(SHORT, b, (short) 0x3C00);
            file.set(SHORT, b + 2, (short) 0x3C00);
        }
        Tensor w = GGMLType.Q5_K.view(file, rows, cols).repacked(Arena.ofAuto());
        assertInstanceOf(Q5_Kx32Tensor.class, w);
        for (float sign : new float[] {1f, -1f}) {
            float[] x = new float[cols];
            Arrays.fill(x, sign);
            float[] out = new float[rows];
            w.matvec(x, out, 0, rows);
            for (int r = 0; r < rows; r++) {
                assertEquals(sign * 1890f * cols, out[r], 1e-5f * 1890 * cols, "row " + r + ", x = " + sign);
                assertEquals(w.dotScalar(r, x, 0), out[r], 0f, "row " + r + ": matvec vs dotScalar");
            }
        }
    }
}
