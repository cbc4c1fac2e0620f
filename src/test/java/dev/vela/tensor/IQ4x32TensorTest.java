package dev.vela.tensor;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * IQ4_NL and IQ4_XS repacked ({@link IQ4_NLx32Tensor}, {@link IQ4_XSx32Tensor}): the layout of one hand-written row, and
 * products at the extremes of the biased 16-bit sums (every product ±127 × 127), where a
 * mistake in the bias or in taking the two rows of an int apart would show.
 */
class IQ4x32TensorTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int GROUP = RowGroupTensor.GROUP;

    @BeforeEach
    void wideEnough() {
        assumeTrue(KernelCases.repackedAtThisWidth(GGMLType.IQ4_NL), "IQ4 keeps the file layout at this vector width");
    }

    /**
     * Row 1 of one block: d = 0.5 (fp16 0x3800), index bytes 0x10, 0xF2, then 0x88. Byte 0's
     * nibbles are columns 0 and 16 (indices 0 and 1: levels −127, −104), byte 1's columns 1 and
     * 17 (indices 2 and 15: −83, 113), the others index 8 (level 1). The row's lane is 2 (row m
     * of the first half group is lane 2m), so bytes 0, 1 as a short (0xF210) sit at lane 2 of
     * the first vector, after the group's scales, and its scale at lane 2 of those, times 2^10:
     * 512 (0x6000). Row GROUP / 2 takes lane 1; its d is subnormal, 3 · 2^-24 (0x0003), stored
     * as 3 · 2^-14 = 1.5 · 2^-13 (exponent field 2, mantissa 0x200: 0x0A00).
     */
    @Test
    void handCheckedRow() {
        MemorySegment file = Arena.ofAuto().allocate(18L * GROUP);
        long row1 = 18;
        file.set(SHORT, row1, (short) 0x3800);
        file.set(ValueLayout.JAVA_BYTE, row1 + 2, (byte) 0x10);
        file.set(ValueLayout.JAVA_BYTE, row1 + 3, (byte) 0xF2);
        for (int j = 2; j < 16; j++) {
            file.set(ValueLayout.JAVA_BYTE, row1 + 2 + j, (byte) 0x88);
        }
        long half = 18L * (GROUP / 2);
        file.set(SHORT, half, (short) 0x0003);
        file.set(ValueLayout.JAVA_BYTE, half + 2, (byte) 0x5A);
        Tensor w = GGMLType.IQ4_NL.view(file, GROUP, 32).repacked(Arena.ofAuto());
        assertInstanceOf(IQ4_NLx32Tensor.class, w);
        MemorySegment tile = w.data();
        assertEquals((short) 0x6000, tile.get(SHORT, 2 * 2)); // row 1's scale, lane 2
        assertEquals((short) 0x0A00, tile.get(SHORT, 2)); // row GROUP / 2's, lane 1
        assertEquals((short) 0xF210, tile.get(SHORT, 2L * GROUP + 2 * 2)); // vector 0, lane 2
        assertEquals((short) 0x005A, tile.get(SHORT, 2L * GROUP + 2)); // vector 0, lane 1: row GROUP / 2
        assertEquals((short) 0x8888, tile.get(SHORT, 2L * GROUP + 2 * GROUP + 2 * 2)); // vector 1, lane 2

        float[] row = new float[32];
        w.dequantizeRow(1, row, 0);
        float[] expected = new float[32];
        Arrays.fill(expected, 0.5f);
        expected[0] = -63.5f;
        expected[16] = -52f;
        expected[1] = -41.5f;
        expected[17] = 56.5f;
        assertArrayEquals(expected, row);
        w.dequantizeRow(GROUP / 2, row, 0);
        float d = 3 * 0x1p-24f;
        assertEquals(d * 25, row[0]); // byte 0x5A: index 10 (level 25) in column 0, 5 (−35) in column 16
        assertEquals(d * -35, row[16]);
        assertEquals(d * -127, row[1]); // index 0 elsewhere

        float[] x = new float[32];
        x[17] = -2f; // rounds to −127 with step 2/127: row 1 gives 0.5 × 113 × −127 × 2/127 = −113
        float[] out = new float[GROUP];
        w.matvec(x, out, 0, GROUP);
        assertEquals(-113f, out[1], 1e-4f);
        assertEquals(0f, out[0]);
    }

    /** A block's d of ±64 would be ±2^16 times 2^10, past fp16: such a matrix keeps the file's layout (and its kernel). */
    @Test
    void scaleTooLargeKeepsTheFileLayout() {
        MemorySegment file = Arena.ofAuto().allocate(18L * GROUP);
        file.set(SHORT, 18L * 3, (short) 0x5400); // 64
        assertInstanceOf(IQ4_NLTensor.class, GGMLType.IQ4_NL.view(file, GROUP, 32).repacked(Arena.ofAuto()));
        file.set(SHORT, 18L * 3, (short) 0x53FF); // 63.97: fits
        assertInstanceOf(IQ4_NLx32Tensor.class, GGMLType.IQ4_NL.view(file, GROUP, 32).repacked(Arena.ofAuto()));

        MemorySegment xs = Arena.ofAuto().allocate(136L * GROUP);
        xs.set(SHORT, 136L * 5, (short) 0xD400); // −64
        assertInstanceOf(IQ4_XSTensor.class, GGMLType.IQ4_XS.view(xs, GROUP, 256).repacked(Arena.ofAuto()));
        xs.set(SHORT, 136L * 5, (short) 0xD3FF);
        assertInstanceOf(IQ4_XSx32Tensor.class, GGMLType.IQ4_XS.view(xs, GROUP, 256).repacked(Arena.ofAuto()));
    }

    /** Every index 0 (level −127), d = 1, x all ±1 (rounded to ±127, step 1/127): each row is ∓127 per column. */
    @Test
    void extremeSumsNL() {
        int rows = 2 * GROUP, cols = 64;
        MemorySegment file = Arena.ofAuto().allocate(18L * rows * cols / 32);
        for (long b = 0; b < file.byteSize(); b += 18) {
            file.set(SHORT, b, (short) 0x3C00);
        }
        checkExtremes(GGMLType.IQ4_NL.view(file, rows, cols).repacked(Arena.ofAuto()), -127f);
    }

    /**
     * As {@link #extremeSumsNL} with IQ4_XS: d = 1, each sub-block's 6-bit scale 33 (low nibbles
     * 1: bytes 0x11; high bits 2: word 0xAAAA), so d·(33 − 32) = 1.
     */
    @Test
    void extremeSumsXS() {
        int rows = 2 * GROUP, cols = 512;
        MemorySegment file = Arena.ofAuto().allocate(136L * rows * cols / 256);
        for (long b = 0; b < file.byteSize(); b += 136) {
            file.set(SHORT, b, (short) 0x3C00);
            file.set(SHORT, b + 2, (short) 0xAAAA);
            file.set(ValueLayout.JAVA_INT_UNALIGNED, b + 4, 0x1111_1111);
        }
        Tensor w = GGMLType.IQ4_XS.view(file, rows, cols).repacked(Arena.ofAuto());
        assertInstanceOf(IQ4_XSx32Tensor.class, w);
        checkExtremes(w, -127f);
    }

    /**
     * IQ4_XS at the other extreme of its scales: every 6-bit scale 0 (s − 32 = −32), d = 1,
     * every index 0 (level −127): each weight is 4064, a sub-block's integer sum times its scale
     * 32·127·127·32 and a super-block's total eight times that (132 million, within an int).
     */
    @Test
    void extremeScalesXS() {
        int rows = 2 * GROUP, cols = 512;
        MemorySegment file = Arena.ofAuto().allocate(136L * rows * cols / 256);
        for (long b = 0; b < file.byteSize(); b += 136) {
            file.set(SHORT, b, (short) 0x3C00);
        }
        Tensor w = GGMLType.IQ4_XS.view(file, rows, cols).repacked(Arena.ofAuto());
        assertInstanceOf(IQ4_XSx32Tensor.class, w);
        checkExtremes(w, 4064f);
    }

    /**
     * Row 1 of one IQ4_XS super-block, d = 1: sub-block 0's scale has low nibble 1 (byte 4) and
     * high bits 2 (bits 0, 1 of the word at byte 2): s = 33, s − 32 = 1; sub-block 5's has low
     * nibble 15 (byte 6, high nibble) and high bits 0: s − 32 = −17; the others −32. Index byte 0
     * (file byte 8) is 0x10: columns 0 and 16 take indices 0 and 1 (levels −127, −104); byte 1 of
     * sub-block 5 (file byte 8 + 80 + 1) is 0xF0: column 160 + 17 takes index 15 (level 113); all
     * other indices are 0. In the copy (row 1 is lane 2 of the index vectors) the scales are
     * signed bytes: 1 at byte 0 of row 1's int of sub-blocks 0–3, −17 at byte 1 of its int of
     * sub-blocks 4–7; then d times 2^10 (1024: 0x6400) in row 1's lane, 2; then sub-block 0's
     * vector 0 holds 0x0010 and sub-block 5's 0xF000.
     */
    @Test
    void handCheckedRowXS() {
        MemorySegment file = Arena.ofAuto().allocate(136L * GROUP);
        long row1 = 136;
        file.set(SHORT, row1, (short) 0x3C00);
        file.set(SHORT, row1 + 2, (short) 0x0002);
        file.set(ValueLayout.JAVA_BYTE, row1 + 4, (byte) 0x01);
        file.set(ValueLayout.JAVA_BYTE, row1 + 6, (byte) 0xF0);
        file.set(ValueLayout.JAVA_BYTE, row1 + 8, (byte) 0x10);
        file.set(ValueLayout.JAVA_BYTE, row1 + 8 + 80 + 1, (byte) 0xF0);
        Tensor w = GGMLType.IQ4_XS.view(file, GROUP, 256).repacked(Arena.ofAuto());
        assertInstanceOf(IQ4_XSx32Tensor.class, w);
        MemorySegment tile = w.data();
        long scales47 = 4L * GROUP, d = 8L * GROUP, indices = d + 2L * GROUP, sub = 8 * 2L * GROUP;
        assertEquals((byte) 1, tile.get(ValueLayout.JAVA_BYTE, 4));
        assertEquals((byte) -32, tile.get(ValueLayout.JAVA_BYTE, 5));
        assertEquals((byte) -17, tile.get(ValueLayout.JAVA_BYTE, scales47 + 4 + 1));
        assertEquals((short) 0x6400, tile.get(SHORT, d + 2 * 2));
        assertEquals((short) 0x0010, tile.get(SHORT, indices + 2 * 2));
        assertEquals((short) 0xF000, tile.get(SHORT, indices + 5 * sub + 2 * 2));

        float[] row = new float[256];
        w.dequantizeRow(1, row, 0);
        float[] expected = new float[256];
        Arrays.fill(expected, 4064f);
        Arrays.fill(expected, 0, 32, -127f);
        expected[16] = -104f;
        Arrays.fill(expected, 160, 192, 2159f);
        expected[177] = -1921f;
        assertArrayEquals(expected, row);
    }

    private static void checkExtremes(Tensor w, float level) {
        int cols = w.cols();
        for (float sign : new float[] {1f, -1f}) {
            float[] x = new float[cols];
            Arrays.fill(x, sign);
            float[] out = new float[w.rows()];
            w.matvec(x, out, 0, w.rows());
            for (int r = 0; r < w.rows(); r++) {
                assertEquals(sign * level * cols, out[r], 1e-5f * cols * 127, "row " + r + ", x = " + sign);
                assertEquals(w.dotScalar(r, x, 0), out[r], 0f, "row " + r + ": matvec vs dotScalar");
            }
        }
    }
}
