package dev.vela.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * One block per type, its bytes written out and the values they mean worked out by hand from
 * the ggml layout (fp16 0x3800 = 0.5, 0x3400 = 0.25). Complements the vectorized-vs-scalar
 * tests, which cannot notice a misreading of the layout that both kernels share.
 */
class QuantDequantizeTest {
    private static byte[] block(GGMLType type, int fill) {
        byte[] b = new byte[type.typeSize];
        Arrays.fill(b, (byte) fill);
        return b;
    }

    private static void put(byte[] b, int at, int... bytes) {
        for (int i = 0; i < bytes.length; i++) {
            b[at + i] = (byte) bytes[i];
        }
    }

    private static float[] dequantize(GGMLType type, byte[] b) {
        Tensor t = type.view(MemorySegment.ofArray(b), 1, type.blockSize);
        float[] out = new float[type.blockSize + 2];
        t.dequantizeRow(0, out, 1);
        return Arrays.copyOfRange(out, 1, type.blockSize + 1);
    }

    @Test
    void q4_1() {
        byte[] b = block(GGMLType.Q4_1, 0);
        put(b, 0, 0x00, 0x38, 0x00, 0x34); // d 0.5, m 0.25
        for (int j = 0; j < 16; j++) {
            b[4 + j] = (byte) (j | (15 - j) << 4);
        }
        float[] w = dequantize(GGMLType.Q4_1, b);
        assertEquals(0.25f, w[0]);          // 0·0.5 + 0.25
        assertEquals(2.75f, w[5]);          // 5·0.5 + 0.25
        assertEquals(7.75f, w[16]);         // high nibble of byte 0: 15
        assertEquals(0.25f, w[31]);         // high nibble of byte 15: 0
    }

    @Test
    void q5_0() {
        byte[] b = block(GGMLType.Q5_0, 0xA5); // nibbles: low 5, high 10
        put(b, 0, 0x00, 0x38);                 // d 0.5
        put(b, 2, 0x01, 0x00, 0x00, 0x80);     // fifth bits of weights 0 and 31
        float[] w = dequantize(GGMLType.Q5_0, b);
        assertEquals(2.5f, w[0]);           // (5 + 16 − 16)·0.5
        assertEquals(-5.5f, w[1]);          // (5 − 16)·0.5
        assertEquals(-3f, w[16]);           // (10 − 16)·0.5
        assertEquals(5f, w[31]);            // (10 + 16 − 16)·0.5
    }

    @Test
    void q5_1() {
        byte[] b = block(GGMLType.Q5_1, 0xA5);
        put(b, 0, 0x00, 0x38, 0x00, 0x34);     // d 0.5, m 0.25
        put(b, 4, 0x01, 0x00, 0x00, 0x80);
        float[] w = dequantize(GGMLType.Q5_1, b);
        assertEquals(10.75f, w[0]);         // 21·0.5 + 0.25
        assertEquals(2.75f, w[1]);          // 5·0.5 + 0.25
        assertEquals(5.25f, w[16]);         // 10·0.5 + 0.25
        assertEquals(13.25f, w[31]);        // 26·0.5 + 0.25
    }

    @Test
    void iq4_nl() {
        byte[] b = block(GGMLType.IQ4_NL, 0);
        put(b, 0, 0x00, 0x38);
        for (int j = 0; j < 16; j++) {
            b[2 + j] = (byte) (j | (15 - j) << 4);
        }
        float[] w = dequantize(GGMLType.IQ4_NL, b);
        assertEquals(-63.5f, w[0]);         // 0.5·(−127)
        assertEquals(-32.5f, w[3]);         // 0.5·(−65)
        assertEquals(56.5f, w[16]);         // 0.5·113
        assertEquals(-5f, w[24]);           // index 7: 0.5·(−10)
        assertEquals(-63.5f, w[31]);
    }

    @Test
    void q2_K() {
        byte[] b = block(GGMLType.Q2_K, 0xE4);  // every quant byte: 2-bit fields 0, 1, 2, 3
        Arrays.fill(b, 0, 15, (byte) 0x21);     // scale 1, min 2
        b[15] = 0x3F;                           // last pair: scale 15, min 3
        put(b, 80, 0x00, 0x38, 0x00, 0x34);     // d 0.5, dmin 0.25
        float[] w = dequantize(GGMLType.Q2_K, b);
        assertEquals(-0.5f, w[0]);          // q 0: −0.25·2
        assertEquals(0f, w[40]);            // half 0, shift 2: q 1, pair 2: 0.5·1·1 − 0.5
        assertEquals(1f, w[239]);           // half 1, shift 6: q 3, pair 14: 1.5 − 0.5
        assertEquals(21.75f, w[240]);       // pair 15: 0.5·15·3 − 0.25·3
        assertEquals(21.75f, w[255]);
    }

    @Test
    void q3_K() {
        byte[] b = block(GGMLType.Q3_K, 0xE4);  // quants: 2-bit fields 0, 1, 2, 3
        Arrays.fill(b, 0, 32, (byte) 0x0F);     // high bits set for half 0 (bits 0..3), clear for half 1
        Arrays.fill(b, 96, 104, (byte) 0x11);   // low 4 bits of every scale: 1
        b[103] = (byte) 0x81;                   // scale 15: low 4 bits 8
        Arrays.fill(b, 104, 108, (byte) 0xAA);  // top 2 bits of every scale: 2 -> scales 33 (+1), scale 15: 40 (+8)
        put(b, 108, 0x00, 0x38);                // d 0.5
        float[] w = dequantize(GGMLType.Q3_K, b);
        assertEquals(0f, w[0]);             // v 0
        assertEquals(1.5f, w[100]);         // half 0, j 3: v 3, scale 6: 0.5·1·3
        assertEquals(-2f, w[128]);          // half 1, j 0: v 0 − 4, scale 8: 0.5·1·(−4)
        assertEquals(-0.5f, w[239]);        // half 1, j 3: v −1, scale 14
        assertEquals(-4f, w[255]);          // scale 15: 0.5·8·(−1)
    }

    /** Q4_K and Q5_K share this header: sub-block scales 1,2,3,4,5,5,5,21, mins 1,1,1,1,2,2,2,50. */
    private static void k4Header(byte[] b) {
        put(b, 0, 0x00, 0x38, 0x00, 0x34);                     // d 0.5, dmin 0.25
        put(b, 4, 0x01, 0x02, 0x03, 0x44, 0x01, 0x01, 0x01, 0xC1, 0x25, 0x25, 0x25, 0x25);
    }

    @Test
    void q4_K() {
        byte[] b = block(GGMLType.Q4_K, 0x7A);  // nibbles: low 10, high 7
        k4Header(b);
        float[] w = dequantize(GGMLType.Q4_K, b);
        assertEquals(4.75f, w[0]);          // sub-block 0: 0.5·1·10 − 0.25·1
        assertEquals(6.75f, w[32]);         // sub-block 1: 0.5·2·7 − 0.25
        assertEquals(24.5f, w[200]);        // sub-block 6: 0.5·5·10 − 0.25·2
        assertEquals(61f, w[255]);          // sub-block 7: 0.5·21·7 − 0.25·50
    }

    @Test
    void q5_K() {
        byte[] b = block(GGMLType.Q5_K, 0x7A);
        k4Header(b);
        Arrays.fill(b, 16, 48, (byte) 0x80);    // fifth bit only for sub-block 7
        float[] w = dequantize(GGMLType.Q5_K, b);
        assertEquals(4.75f, w[0]);
        assertEquals(24.5f, w[200]);
        assertEquals(229f, w[224]);         // sub-block 7: 0.5·21·(7 + 16) − 0.25·50
        assertEquals(229f, w[255]);
    }

    @Test
    void q6_K() {
        byte[] b = block(GGMLType.Q6_K, 0x21);  // low bytes: nibbles 1 (low), 2 (high)
        Arrays.fill(b, 128, 192, (byte) 0xE4);  // high bytes: 2-bit fields 0, 1, 2, 3
        for (int n = 0; n < 16; n++) {
            b[192 + n] = (byte) (n - 8);        // scales −8 .. 7
        }
        put(b, 208, 0x00, 0x38);                // d 0.5
        float[] w = dequantize(GGMLType.Q6_K, b);
        assertEquals(124f, w[0]);           // q 1 − 32, scale −8: 0.5·(−8)·(−31)
        assertEquals(45f, w[40]);           // k 1: q 17 − 32, scale 2 (−6)
        assertEquals(0f, w[136], 0f);       // half 1, k 0: scale 8 (0)
        assertEquals(63f, w[255]);          // half 1, k 3: q 2 + 48 − 32 = 18, scale 15 (7)
    }

    @Test
    void iq4_xs() {
        byte[] b = block(GGMLType.IQ4_XS, 0xF0);   // indices: low 0 (−127), high 15 (113)
        put(b, 0, 0x00, 0x38);                     // d 0.5
        put(b, 2, 0x00, 0x80);                     // top scale bits: 2 for sub-block 7 only
        put(b, 4, 0x10, 0x32, 0x54, 0x76);         // low scale bits: sub-block ib -> ib
        float[] w = dequantize(GGMLType.IQ4_XS, b);
        assertEquals(2032f, w[0]);          // 0.5·(0 − 32)·(−127)
        assertEquals(-1808f, w[16]);        // 0.5·(−32)·113
        assertEquals(1968.5f, w[40]);       // sub-block 1: 0.5·(1 − 32)·(−127)
        assertEquals(-444.5f, w[224]);      // sub-block 7: scale 7 + 32: 0.5·7·(−127)
        assertEquals(395.5f, w[255]);       // 0.5·7·113
    }
}
