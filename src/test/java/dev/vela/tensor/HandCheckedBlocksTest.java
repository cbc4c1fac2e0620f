package dev.vela.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Bytes written by hand, and the values they mean worked out by hand from the format. */
class HandCheckedBlocksTest {

    private static MemorySegment bytes(int... values) {
        MemorySegment data = Arena.ofAuto().allocate(values.length);
        for (int i = 0; i < values.length; i++) {
            data.set(java.lang.foreign.ValueLayout.JAVA_BYTE, i, (byte) values[i]);
        }
        return data;
    }

    /** Checks dequantizeRow, and dot and dotScalar against x = 1, 2, 3, ... (exact in float here). */
    private static void expect(Tensor t, float[] values) {
        float[] out = new float[values.length + 2];
        t.dequantizeRow(0, out, 1);
        assertArrayEquals(values, Arrays.copyOfRange(out, 1, 1 + values.length));
        float[] x = new float[values.length];
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
            x[i] = i + 1;
            sum += values[i] * x[i];
        }
        assertEquals((float) sum, t.dotScalar(0, x, 0));
        assertEquals((float) sum, t.dot(0, x, 0));
    }

    @Test
    void f16() {
        // 1.0, -2.0, 0.5, smallest subnormal 2^-24, -0.0, largest 65504, 2^-14 (smallest normal), -1.5
        int[] halves = {0x3C00, 0xC000, 0x3800, 0x0001, 0x8000, 0x7BFF, 0x0400, 0xBE00};
        float[] meaning = {1f, -2f, 0.5f, 0x1p-24f, -0f, 65504f, 0x1p-14f, -1.5f};
        // Repeated to 40 values so that every vector width sees whole vectors and a tail.
        int n = 40;
        int[] raw = new int[2 * n];
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            raw[2 * i] = halves[i % 8] & 0xFF;
            raw[2 * i + 1] = halves[i % 8] >>> 8;
            values[i] = meaning[i % 8];
        }
        Tensor t = GGMLType.F16.view(bytes(raw), 1, n);
        float[] out = new float[n];
        t.dequantizeRow(0, out, 0);
        for (int i = 0; i < n; i++) {
            // Bit patterns, so that -0.0 is told from 0.0.
            assertEquals(Float.floatToRawIntBits(values[i]), Float.floatToRawIntBits(out[i]), "value " + i);
        }
        // Without 65504, whose products would round: dot against 1, 2, 3, ... stays exact.
        float[] small = values.clone();
        for (int i = 5; i < n; i += 8) {
            small[i] = 0;
            raw[2 * i] = 0;
            raw[2 * i + 1] = 0;
        }
        expect(GGMLType.F16.view(bytes(raw), 1, n), small);
    }

    @Test
    void bf16() {
        // 1.0, -3.0, 0.25, 3.140625 (0x40490000), 0.0, -0.5 (0xBF000000)
        Tensor t = GGMLType.BF16.view(bytes(0x80, 0x3F, 0x40, 0xC0, 0x80, 0x3E, 0x49, 0x40, 0x00, 0x00, 0x00, 0xBF), 1, 6);
        expect(t, new float[] {1f, -3f, 0.25f, 3.140625f, 0f, -0.5f});
    }

    @Test
    void q8_0() {
        // Block 1: d = 0.5 (fp16 0x3800), q = 127, -128, then -14 .. 15.
        // Block 2: d = -2.0 (fp16 0xC000), q = 0, 1, 2, ..., 31.
        int[] raw = new int[68];
        float[] values = new float[64];
        raw[0] = 0x00;
        raw[1] = 0x38;
        raw[2] = 127;
        raw[3] = -128;
        values[0] = 63.5f;
        values[1] = -64f;
        for (int j = 2; j < 32; j++) {
            raw[2 + j] = j - 16;
            values[j] = (j - 16) * 0.5f;
        }
        raw[34] = 0x00;
        raw[35] = 0xC0;
        for (int j = 0; j < 32; j++) {
            raw[36 + j] = j;
            values[32 + j] = -2f * j;
        }
        expect(GGMLType.Q8_0.view(bytes(raw), 1, 64), values);
    }

    @Test
    void q4_0() {
        // Block 1: d = 0.5 (fp16 0x3800). Byte 0 = 0x0F: value 0 = 0.5 × (15 − 8) = 3.5,
        // value 16 = 0.5 × (0 − 8) = −4. Byte 1 = 0x80: value 1 = −4, value 17 = 0.
        // Byte 2 = 0x38: value 2 = 0, value 18 = 0.5 × (3 − 8) = −2.5.
        // Bytes 3..15 = 0x9A: low nibble 10 gives 1.0, high nibble 9 gives 0.5.
        // Block 2: d = −1.0 (fp16 0xBC00), every byte 0x21: low 1 gives 7, high 2 gives 6.
        int[] raw = new int[36];
        raw[0] = 0x00;
        raw[1] = 0x38;
        raw[2] = 0x0F;
        raw[3] = 0x80;
        raw[4] = 0x38;
        for (int j = 3; j < 16; j++) {
            raw[2 + j] = 0x9A;
        }
        raw[18] = 0x00;
        raw[19] = 0xBC;
        for (int j = 0; j < 16; j++) {
            raw[20 + j] = 0x21;
        }
        float[] values = new float[64];
        Arrays.fill(values, 3, 16, 1.0f);
        Arrays.fill(values, 19, 32, 0.5f);
        values[0] = 3.5f;
        values[16] = -4f;
        values[1] = -4f;
        values[17] = 0f;
        values[2] = 0f;
        values[18] = -2.5f;
        Arrays.fill(values, 32, 48, 7f);
        Arrays.fill(values, 48, 64, 6f);
        expect(GGMLType.Q4_0.view(bytes(raw), 1, 64), values);
    }
}
