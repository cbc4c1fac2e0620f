package dev.vela.tensor;

import jdk.incubator.vector.IntVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The repacked types (Q4_0 and its siblings), at this machine's preferred width ({@link VectorWidthsTest} runs the others). */
class Q4_0x32TensorTest {
    private static final ValueLayout.OfShort SHORT = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void kernelsAgreeBeforeWarmUp(GGMLType type) {
        Assumptions.assumeTrue(KernelCases.repackedAtThisWidth(type), type + " keeps the file layout at this vector width");
        List<String> problems = KernelCases.checkRepacked(type, 1);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void kernelsAgreeOnceCompiled(GGMLType type) {
        Assumptions.assumeTrue(KernelCases.repackedAtThisWidth(type), type + " keeps the file layout at this vector width");
        KernelCases.warmUpRepacked(type);
        List<String> problems = KernelCases.checkRepacked(type, 2);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @Test
    void onlyWholeGroupsOfRowsAreRepacked() {
        Random rnd = new Random(3);
        int group = Q4_0x32Tensor.GROUP;
        Tensor whole = RandomWeights.matrix(GGMLType.Q4_0, 3 * group, 64, rnd);
        Tensor repacked = whole.repacked(Arena.ofAuto());
        assertInstanceOf(Q4_0x32Tensor.class, repacked);
        assertEquals(GGMLType.Q4_0, repacked.type());
        assertEquals(whole.byteSize(), repacked.byteSize());
        assertEquals(group, repacked.rowsPerPass());
        Tensor ragged = RandomWeights.matrix(GGMLType.Q4_0, group + 1, 64, rnd);
        assertSame(ragged, ragged.repacked(Arena.ofAuto()));
        Tensor f16 = RandomWeights.matrix(GGMLType.F16, group, 64, rnd);
        assertSame(f16, f16.repacked(Arena.ofAuto()));
    }

    /**
     * One row group of one block, row 1 written by hand: d = 0.5 (fp16 0x3800), quant bytes
     * 0x0F, 0x80, 0x38, then 0x9A. Short 0 of the row (bytes 0, 1) is 0x800F; with every nibble
     * XOR 8 it is 0x0887, whose nibbles (low first) 7, 8, 8, 0 read in two's complement as
     * 7, −8, −8, 0: q − 8 of columns 0, 16, 1, 17 (15 − 8, 0 − 8, 0 − 8, 8 − 8). Short 1 (bytes
     * 2, 3 = 0x38, 0x9A) is 0x9A38, stored 0x12B0. The other rows are zero bytes with d = 0. The
     * scale is kept times 2^10 (512, fp16 0x6000) in row 1's paired lane, 2.
     */
    @Test
    void handCheckedBlock() {
        int group = Q4_0x32Tensor.GROUP;
        MemorySegment file = Arena.ofAuto().allocate(18L * group);
        long row1 = 18;
        file.set(SHORT, row1, (short) 0x3800);
        file.set(ValueLayout.JAVA_BYTE, row1 + 2, (byte) 0x0F);
        file.set(ValueLayout.JAVA_BYTE, row1 + 3, (byte) 0x80);
        file.set(ValueLayout.JAVA_BYTE, row1 + 4, (byte) 0x38);
        for (int j = 3; j < 16; j++) {
            file.set(ValueLayout.JAVA_BYTE, row1 + 2 + j, (byte) 0x9A);
        }
        Tensor w = GGMLType.Q4_0.view(file, group, 32).repacked(Arena.ofAuto());
        MemorySegment tile = w.data();
        assertEquals((short) 0x6000, tile.get(SHORT, 2 * 2)); // row 1's scale times 2^10 (512), in its paired lane
        assertEquals((short) 0x0887, tile.get(SHORT, 2L * group + 2)); // vector 0, lane 1
        assertEquals((short) 0x12B0, tile.get(SHORT, 4L * group + 2)); // vector 1, lane 1
        assertEquals((short) 0x8888, tile.get(SHORT, 2L * group)); // row 0: zero bytes are q − 8 = −8
        float[] values = new float[32];
        Arrays.fill(values, 3, 16, 1.0f); // low nibble 0xA: 0.5 × (10 − 8)
        Arrays.fill(values, 19, 32, 0.5f); // high nibble 0x9: 0.5 × (9 − 8)
        values[0] = 3.5f;
        values[16] = -4f;
        values[1] = -4f;
        values[17] = 0f;
        values[2] = 0f;
        values[18] = -2.5f;
        float[] out = new float[32];
        w.dequantizeRow(1, out, 0);
        assertArrayEquals(values, out);
        // x = 127 × e_0 rounds exactly (step 1): row 1 gives 3.5 × 127, row 0 gives −4 × 0 × 127 = 0.
        float[] x = new float[32];
        x[0] = 127f;
        float[] y = new float[group];
        w.matvec(x, y, 0, group);
        assertEquals(3.5f * 127f, y[1]);
        assertEquals(0f, y[0]);
    }

    /** x rounded per block of 32: step amax / 127, ties to even, an all-zero block left zero; vector and scalar alike. */
    @Test
    void quantizeRoundsPerBlock() {
        float[] x = new float[64];
        x[0] = -127f; // amax 127: step 1, and x / step is exact
        x[1] = -3.5f; // a tie: to even, −4
        x[2] = 2.5f; // a tie: 2
        x[3] = 0.49f;
        x[4] = 126.6f;
        x[32] = 0f; // the second block is all zero: step 0, values 0
        short[] q = new short[64];
        float[] d = new float[2];
        QuantizedInput.quantizeScalar(x, 0, 64, q, d);
        assertEquals(1f, d[0]);
        assertEquals(0f, d[1]);
        short[] expected = new short[64];
        expected[0] = -127;
        expected[1] = -4;
        expected[2] = 2;
        expected[3] = 0;
        expected[4] = 127;
        assertArrayEquals(expected, q);
        short[] vq = new short[64];
        float[] vd = new float[2];
        try (Arena arena = Arena.ofConfined()) {
            QuantizedInput.quantize(Activations.of(arena, x, 0, 64), 64, vq, vd);
        }
        assertArrayEquals(q, vq);
        assertArrayEquals(d, vd);
        Random rnd = new Random(5);
        float[] big = RandomWeights.vector(4096, rnd);
        short[] sq = new short[4096];
        float[] sd = new float[128];
        QuantizedInput.quantizeScalar(big, 0, 4096, sq, sd);
        try (Arena arena = Arena.ofConfined()) {
            QuantizedInput.quantize(Activations.of(arena, big, 0, 4096), 4096, vq = new short[4096], vd = new float[128]);
        }
        assertArrayEquals(sq, vq);
        assertArrayEquals(sd, vd);
    }

    /** K-quants' x: one step per super-block of 256, 1 / (127 / amax), the same for its eight blocks. */
    @Test
    void quantizeKRoundsPerSuperBlock() {
        float[] x = new float[512];
        x[3] = -254f; // amax 254: step 2
        x[4] = 3f; // 1.5 steps, a tie: to even, 2
        x[300] = 0.5f; // the second super-block alone: step 0.5 / 127
        short[] q = new short[512];
        float[] d = new float[16];
        QuantizedInput.quantizeKScalar(x, 0, 512, q, d);
        for (int j = 0; j < 8; j++) {
            assertEquals(2f, d[j]);
            assertEquals(1f / (127f / 0.5f), d[8 + j]);
        }
        assertEquals(-127, q[3]);
        assertEquals(2, q[4]);
        assertEquals(127, q[300]);
        assertEquals(0, q[5]);
        Random rnd = new Random(6);
        float[] big = RandomWeights.vector(4096, rnd);
        short[] sq = new short[4096], vq = new short[4096];
        float[] sd = new float[128], vd = new float[128];
        QuantizedInput.quantizeKScalar(big, 0, 4096, sq, sd);
        try (Arena arena = Arena.ofConfined()) {
            QuantizedInput.quantizeK(Activations.of(arena, big, 0, 4096), 4096, vq, vd);
        }
        assertArrayEquals(sq, vq);
        assertArrayEquals(sd, vd);
    }

    /**
     * Every fp16 scale a repacked layout keeps (finite, below 64 in magnitude: normal, subnormal,
     * zero, either sign), scaled up by 2^10 into its row's paired lane, comes back exactly as
     * Float.float16ToFloat reads the file's fp16, through the vector conversion
     * ({@link RowGroupTensor#lowScales}, {@link RowGroupTensor#highScales}) and the scalar one.
     * From 64 on the scale does not fit and the matrix keeps the file's layout.
     */
    @Test
    void scaledUpScalesComeBackExactlyForEveryFp16ThatFits() {
        int group = Q4_0x32Tensor.GROUP, half = group / 2;
        RowGroupTensor w = (RowGroupTensor) RandomWeights.matrix(GGMLType.Q4_0, group, 32, new Random(9)).repacked(Arena.ofAuto());
        byte[] file = new byte[2];
        byte[] tile = new byte[2 * group];
        float[] vector = new float[group];
        int checked = 0;
        for (int first = 0; first < 0x10000; first += group) {
            float[] expected = new float[group];
            for (int r = 0; r < group; r++) {
                short bits = (short) (first + r);
                float value = Float.float16ToFloat(bits);
                boolean fits = Math.abs(value) < 64; // false for inf and NaN too
                if (fits) {
                    checked++;
                }
                expected[r] = fits ? value : 0f;
                file[0] = (byte) bits;
                file[1] = (byte) (bits >> 8);
                if (!fits) {
                    file[0] = file[1] = 0;
                }
                RowGroupTensor.putScaledUp(file, 0, r, tile, 0);
            }
            MemorySegment.copy(tile, 0, w.data(), ValueLayout.JAVA_BYTE, 0, tile.length);
            IntVector h = IntVector.fromMemorySegment(RowGroupTensor.IS, w.data(), 0, ByteOrder.LITTLE_ENDIAN);
            RowGroupTensor.lowScales(h).intoArray(vector, 0);
            RowGroupTensor.highScales(h).intoArray(vector, half);
            for (int r = 0; r < group; r++) {
                String at = "fp16 " + Integer.toHexString(first + r);
                assertEquals(Float.floatToRawIntBits(expected[r]), Float.floatToRawIntBits(vector[r]), at);
                assertEquals(Float.floatToRawIntBits(expected[r]), Float.floatToRawIntBits(w.scaledDown(0, r)), at);
            }
        }
        assertEquals(2 * 0x5400, checked, "every fp16 below 64 in magnitude: 0x0000-0x53FF, either sign");
    }

    /** Q4_0's vectorized row dequantization (a row's shorts gathered back into the file's bytes) against its scalar twin. */
    @Test
    void dequantizeRowEqualsItsScalarTwin() {
        int group = Q4_0x32Tensor.GROUP;
        for (int cols : new int[] {32, 96, 2048}) {
            Q4_0x32Tensor w = (Q4_0x32Tensor) RandomWeights.matrix(GGMLType.Q4_0, 2 * group, cols, new Random(cols)).repacked(Arena.ofAuto());
            float[] vector = new float[cols + 3];
            float[] scalar = new float[cols + 3];
            for (int r = 0; r < 2 * group; r++) {
                w.dequantizeRow(r, vector, 3);
                w.dequantizeRowScalar(r, scalar, 3);
                assertArrayEquals(scalar, vector, "row " + r + " of " + cols + " columns");
            }
        }
    }
}
