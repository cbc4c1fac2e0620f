package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.vela.tensor.Block32.PARTS;
import static dev.vela.tensor.Block32.VALUES;
import static dev.vela.tensor.Block32.scale;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ADD;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * Blocks of 18 bytes: an fp16 scale d, then 16 bytes where byte j holds value j in its low
 * nibble and value j + 16 in its high nibble; value = d × (nibble − 8).
 */
public final class Q4_0Tensor extends Tensor {
    static final int BLOCK_BYTES = 18;
    private static final VectorSpecies<Float> S = Block32.FLOATS;
    private static final VectorSpecies<Byte> B = Block32.BYTES;

    public Q4_0Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_0, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    /**
     * Two blocks per step into two accumulators, as in {@link Q8_0Tensor#dot}, and for the same
     * reason all in one method. A block's 16 bytes come in one load; the low nibbles are values
     * 0..15 and the high nibbles values 16..31, so each meets a contiguous slice of x. Both are
     * unpacked and recentred as bytes (16 lanes per instruction) before widening to floats. The
     * byte shift is unsigned; measured faster than shifting 16-bit lanes and masking.
     */
    @Override
    public float dot(int row, float[] x, int xOff) {
        int n = S.length();
        int blocks = cols / VALUES;
        long block = row * rowBytes;
        int xi = xOff;
        FloatVector acc0 = FloatVector.zero(S);
        FloatVector acc1 = FloatVector.zero(S);
        int b = 0;
        for (; b + 1 < blocks; b += 2, block += 2 * BLOCK_BYTES, xi += 2 * VALUES) {
            long next = block + BLOCK_BYTES;
            ByteVector q0 = ByteVector.fromMemorySegment(B, data, block + 2, LITTLE_ENDIAN);
            ByteVector q1 = ByteVector.fromMemorySegment(B, data, next + 2, LITTLE_ENDIAN);
            ByteVector lo0 = q0.and((byte) 0x0F).sub((byte) 8);
            ByteVector lo1 = q1.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi0 = q0.lanewise(LSHR, 4).sub((byte) 8);
            ByteVector hi1 = q1.lanewise(LSHR, 4).sub((byte) 8);
            FloatVector sum0 = FloatVector.zero(S);
            FloatVector sum1 = FloatVector.zero(S);
            for (int p = 0; p < PARTS; p++) {
                sum0 = ((FloatVector) lo0.convertShape(B2F, S, p)).fma(FloatVector.fromArray(S, x, xi + p * n), sum0);
                sum1 = ((FloatVector) lo1.convertShape(B2F, S, p)).fma(FloatVector.fromArray(S, x, xi + VALUES + p * n), sum1);
                sum0 = ((FloatVector) hi0.convertShape(B2F, S, p)).fma(FloatVector.fromArray(S, x, xi + 16 + p * n), sum0);
                sum1 = ((FloatVector) hi1.convertShape(B2F, S, p)).fma(FloatVector.fromArray(S, x, xi + VALUES + 16 + p * n), sum1);
            }
            acc0 = sum0.fma(FloatVector.broadcast(S, scale(data, block)), acc0);
            acc1 = sum1.fma(FloatVector.broadcast(S, scale(data, next)), acc1);
        }
        if (b < blocks) {
            ByteVector q = ByteVector.fromMemorySegment(B, data, block + 2, LITTLE_ENDIAN);
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(LSHR, 4).sub((byte) 8);
            FloatVector sum = FloatVector.zero(S);
            for (int p = 0; p < PARTS; p++) {
                sum = ((FloatVector) lo.convertShape(B2F, S, p)).fma(FloatVector.fromArray(S, x, xi + p * n), sum);
                sum = ((FloatVector) hi.convertShape(B2F, S, p)).fma(FloatVector.fromArray(S, x, xi + 16 + p * n), sum);
            }
            acc0 = sum.fma(FloatVector.broadcast(S, scale(data, block)), acc0);
        }
        return acc0.add(acc1).reduceLanes(ADD);
    }

    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        long block = row * rowBytes;
        float sum = 0f;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            float blockSum = 0f;
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + 2 + j);
                blockSum += ((q & 0x0F) - 8) * x[xOff + i + j];
                blockSum += (((q >> 4) & 0x0F) - 8) * x[xOff + i + j + 16];
            }
            sum += scale(data, block) * blockSum;
        }
        return sum;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        long block = row * rowBytes;
        for (int i = 0; i < cols; i += VALUES, block += BLOCK_BYTES) {
            float d = scale(data, block);
            for (int j = 0; j < 16; j++) {
                int q = data.get(ValueLayout.JAVA_BYTE, block + 2 + j);
                out[off + i + j] = d * ((q & 0x0F) - 8);
                out[off + i + j + 16] = d * (((q >> 4) & 0x0F) - 8);
            }
        }
    }
}
