package dev.vela.tensor;

import org.junit.jupiter.api.Test;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The vectorized half-to-float widening is exact for every finite half, warm and cold. */
class F16WideningTest {

    @Test
    void everyFiniteHalfWidensExactly() {
        ValueLayout.OfShort le = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        // All halves but infinities and NaNs (exponent 31), in one row of 63488.
        int n = 0x10000 - 2 * 0x400;
        MemorySegment data = Arena.ofAuto().allocate(2L * n);
        int i = 0;
        for (int bits = 0; bits < 0x10000; bits++) {
            if ((bits & 0x7C00) != 0x7C00) {
                data.set(le, 2L * i++, (short) bits);
            }
        }
        Tensor t = GGMLType.F16.view(data, 1, n);
        float[] out = new float[n];
        for (int rep = 0; rep < 300; rep++) {
            t.dequantizeRow(0, out, 0);
            for (int k = 0; k < n; k++) {
                short half = data.get(le, 2L * k);
                int expected = Float.floatToRawIntBits(Float.float16ToFloat(half));
                if (expected != Float.floatToRawIntBits(out[k])) {
                    assertEquals(Float.float16ToFloat(half), out[k], "half 0x" + Integer.toHexString(half & 0xFFFF) + " (pass " + rep + ")");
                    assertEquals(expected, Float.floatToRawIntBits(out[k]), "sign of zero, half 0x" + Integer.toHexString(half & 0xFFFF));
                }
            }
        }
    }
}
