package dev.vela.tensor;

import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The tiled matrix-matrix product against its scalar twin, on odd shapes that leave partial tiles. */
class MatMulTest {
    /** Random bytes with bit 14 of every 16-bit word cleared: every fp16/bf16 field is finite and below 2. */
    static Tensor randomTensor(GGMLType type, int rows, int cols, long seed) {
        long bytes = type.bytesFor((long) rows * cols);
        byte[] b = new byte[(int) bytes];
        new SplittableRandom(seed).nextBytes(b);
        if (type == GGMLType.F32) {
            for (int i = 0; i + 3 < b.length; i += 4) {
                b[i + 3] = (byte) ((b[i + 3] & 0x80) | 0x3c); // exponent near 1: sane floats
            }
        } else {
            for (int i = 0; i + 1 < b.length; i += 2) {
                b[i + 1] &= (byte) ~0x40;
            }
        }
        MemorySegment seg = Arena.ofAuto().allocate(bytes, 64);
        MemorySegment.copy(MemorySegment.ofArray(b), 0, seg, 0, bytes);
        return type.view(seg, rows, cols);
    }

    @Test
    void tiledProductMatchesScalarTwin() {
        SplittableRandom rnd = new SplittableRandom(3);
        for (GGMLType type : new GGMLType[] {GGMLType.F32, GGMLType.F16, GGMLType.Q8_0, GGMLType.Q4_0, GGMLType.Q4_K}) {
            for (int[] shape : new int[][] {{7, 256}, {9, 4352}, {4, 2048}, {13, 512}}) {
                int rows = shape[0], cols = shape[1];
                Tensor w = randomTensor(type, rows, cols, rows * 31L + cols);
                for (int n : new int[] {1, 2, 5, 9, 33}) {
                    int xStride = cols + 3;
                    float[] x = new float[n * xStride];
                    for (int i = 0; i < x.length; i++) {
                        x[i] = (float) rnd.nextGaussian();
                    }
                    int outStride = rows + 2;
                    float[] got = new float[n * outStride];
                    float[] want = new float[n * outStride];
                    float[] scratch = new float[MatMul.scratchSize(cols)];
                    float[] packed = new float[MatMul.packedSize(n, cols)];
                    java.util.Arrays.fill(packed, Float.NaN); // padding must be written, not assumed zero
                    MatMul.pack(x, xStride, n, cols, 0, cols / 3, packed); // in two ranges, as threads do
                    MatMul.pack(x, xStride, n, cols, cols / 3, cols, packed);
                    MatMul.rows(w, packed, n, got, outStride, 1, rows, scratch);
                    MatMul.rowsScalar(w, x, xStride, n, want, outStride, 1, rows);
                    for (int t = 0; t < n; t++) {
                        for (int r = 1; r < rows; r++) {
                            double mag = 0;
                            float[] row = new float[cols];
                            w.dequantizeRow(r, row, 0);
                            for (int i = 0; i < cols; i++) {
                                mag += Math.abs(row[i] * x[t * xStride + i]);
                            }
                            assertEquals(want[t * outStride + r], got[t * outStride + r], 1e-4 * mag + 1e-6,
                                    type + " " + rows + "x" + cols + " n=" + n + " t=" + t + " r=" + r);
                        }
                        assertEquals(0f, got[t * outStride], "row 0 is outside the range");
                    }
                }
            }
        }
    }

    /**
     * Q4_0 and Q4_K repacked ({@link Q4_0x32Tensor}, {@link Q4_Kx32Tensor}) go through
     * column-major panels: the same products as the file layout's scalar twin (the panels hold
     * exactly the file's values), over one group of rows and over two, with a partial last slice
     * of columns.
     */
    @ParameterizedTest
    @EnumSource(names = {"Q8_0", "Q4_0", "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K", "IQ4_NL", "IQ4_XS"})
    void panelProductMatchesFileLayout(GGMLType type) {
        Assumptions.assumeTrue(KernelCases.repackedAtThisWidth(type), type + " keeps the file layout at this vector width");
        SplittableRandom rnd = new SplittableRandom(4);
        int group = KernelCases.group(type);
        for (int cols : new int[] {256, 4352}) {
            Tensor file = randomTensor(type, 2 * group, cols, cols);
            Tensor w = file.repacked(Arena.ofAuto());
            assertEquals(group, w.panelRows());
            for (int n : new int[] {1, 2, 33}) {
                float[] x = new float[n * cols];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) rnd.nextGaussian();
                }
                float[] packed = new float[MatMul.packedSize(n, cols)];
                MatMul.pack(x, cols, n, cols, 0, cols, packed);
                for (int from : new int[] {0, group}) {
                    float[] got = new float[n * 2 * group];
                    float[] want = new float[n * 2 * group];
                    MatMul.rows(w, packed, n, got, 2 * group, from, 2 * group, new float[MatMul.scratchSize(cols)]);
                    MatMul.rowsScalar(file, x, cols, n, want, 2 * group, from, 2 * group);
                    for (int i = 0; i < got.length; i++) {
                        assertEquals(want[i], got[i], 1e-4 * cols + 1e-5 * Math.abs(want[i]), type + " cols=" + cols + " n=" + n + " from=" + from + " at " + i);
                    }
                }
            }
            int k0 = type.blockSize == 32 ? 32 : 0; // slices start on a block
            int width = type.blockSize == 32 ? 64 : 256;
            float[] panel = new float[group * width];
            float[] row = new float[cols];
            w.dequantizePanel(group, k0, k0 + width, panel);
            for (int r = 0; r < group; r++) {
                file.dequantizeRow(group + r, row, 0);
                for (int k = k0; k < k0 + width; k++) {
                    assertEquals(row[k], panel[(k - k0) * group + r], type + " panel row " + r + " column " + k);
                }
            }
        }
    }

    /** The vectorized dequantization the tiled product relies on equals its scalar twin exactly. */
    @Test
    void vectorDequantizationEqualsScalar() {
        for (int cols : new int[] {32, 96, 2048}) {
            Q8_0Tensor q8 = (Q8_0Tensor) randomTensor(GGMLType.Q8_0, 3, cols, cols);
            Q4_0Tensor q4 = (Q4_0Tensor) randomTensor(GGMLType.Q4_0, 3, cols, cols + 1);
            for (int r = 0; r < 3; r++) {
                float[] a = new float[cols + 5], b = new float[cols + 5];
                q8.dequantizeRow(r, a, 5);
                q8.dequantizeRowScalar(r, b, 5);
                org.junit.jupiter.api.Assertions.assertArrayEquals(b, a, "Q8_0 cols " + cols);
                q4.dequantizeRow(r, a, 5);
                q4.dequantizeRowScalar(r, b, 5);
                org.junit.jupiter.api.Assertions.assertArrayEquals(b, a, "Q4_0 cols " + cols);
            }
        }
    }
}
