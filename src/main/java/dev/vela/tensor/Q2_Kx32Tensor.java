package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Q2_K copied at load with {@link #GROUP} rows side by side, for 16-bit integer products with x
 * rounded to 8 bits per super-block ({@link QuantizedInput#quantizeK}). Weight = d·scale[j]·q −
 * dmin·min[j], q of 2 bits, a 4-bit scale and min per 16 weights. A short holds eight quants of a
 * row; each is masked out, multiplied by its column's x and summed with the 15 others of its
 * sub-block (16 × 3 × 127 stays far within 16 bits); the sums are widened and scaled per
 * sub-block.
 *
 * <p>The file keeps quant i (h = i / 128, j = (i mod 128) / 32, l = i mod 32) at bits 2j of byte
 * 16 + 32h + l, and sub-block i / 16's scale and min as the low and high nibble of byte i / 16.
 * Layout: per group, per super-block, one tile of {@code 84 × GROUP} bytes (the file's size):
 * the rows' fp16 d, their fp16 dmin, then four passes (h, s): two vectors of scale bytes (lane r
 * of the first holds sub-blocks 8h + s and 8h + 2 + s, of the second 8h + 4 + s and 8h + 6 + s),
 * then eight vectors of quants, lane r of vector k holding bytes l = 16s + 2k and l + 1 of half h
 * of row r's quants: bits 2j of the low byte are column 128h + 32j + l, of the high byte that
 * column + 1, all of sub-block 8h + 2j + s.
 */
public final class Q2_Kx32Tensor extends RowGroupTensor {
    private static final int BLOCK = 256;
    private static final int FILE_BLOCK_BYTES = 84;
    private static final long VECTOR = 2L * GROUP;
    private static final long DMIN = VECTOR;
    private static final long PASSES = 2 * VECTOR;
    private static final long PASS = 10 * VECTOR;
    private static final long TILE = PASSES + 4 * PASS;

    private Q2_Kx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q2_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q2_K;
    }

    /** The copy of {@code source} in this layout, in memory of {@code arena} (see {@link Q4_0x32Tensor#of}). */
    static Q2_Kx32Tensor of(Tensor source, Arena arena) {
        int rows = source.rows(), cols = source.cols(), blocks = cols / BLOCK;
        int rowShorts = (int) (source.rowBytes / 2);
        int blockShorts = FILE_BLOCK_BYTES / 2;
        int tileShorts = (int) (TILE / 2);
        short[] in = new short[GROUP * rowShorts];
        short[] out = new short[blocks * tileShorts];
        MemorySegment to = arena.allocate(source.byteSize(), 64);
        for (int g = 0; g < rows / GROUP; g++) {
            MemorySegment.copy(source.data(), F16Tensor.HALF, 2L * g * in.length, in, 0, in.length);
            for (int r = 0; r < GROUP; r++) {
                for (int b = 0; b < blocks; b++) {
                    int block = r * rowShorts + b * blockShorts;
                    int lane = b * tileShorts + r;
                    out[lane] = in[block + 40];
                    out[lane + GROUP] = in[block + 41];
                    for (int pass = 0; pass < 4; pass++) {
                        int h = pass / 2, s = pass % 2;
                        int at = lane + (int) ((PASSES + pass * PASS) / 2);
                        out[at] = (short) (scaleByte(in, block, 8 * h + s) | scaleByte(in, block, 8 * h + 2 + s) << 8);
                        out[at + GROUP] = (short) (scaleByte(in, block, 8 * h + 4 + s) | scaleByte(in, block, 8 * h + 6 + s) << 8);
                        for (int k = 0; k < 8; k++) {
                            out[at + (2 + k) * GROUP] = in[block + 8 + 16 * h + 8 * s + k];
                        }
                    }
                }
            }
            MemorySegment.copy(out, 0, to, F16Tensor.HALF, 2L * g * out.length, out.length);
        }
        release(source);
        return new Q2_Kx32Tensor(to, rows, cols);
    }

    /** Byte n of the block whose shorts start at {@code block}. */
    private static int scaleByte(short[] in, int block, int n) {
        return in[block + n / 2] >>> 8 * (n % 2) & 0xFF;
    }

    /**
     * Rows {@code [from, to)}, whole groups. Per group, super-block and pass: eight loads of the
     * rows' eight quants each, every quant masked out and multiplied into the accumulator of its
     * sub-block (four per pass); then per sub-block the sums widened and scaled, d·scale and
     * dmin·min per row, the step and Σ xq of x's 16 columns.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int blocks = cols / BLOCK;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        int[] xsum = sums16(xq);
        float[] d = new float[GROUP];
        float[] dmin = new float[GROUP];
        ShortVector three = ShortVector.broadcast(SS, (short) 3);
        ShortVector by2 = ShortVector.broadcast(SS, (short) 2);
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by6 = ShortVector.broadcast(SS, (short) 6);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by10 = ShortVector.broadcast(SS, (short) 10);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        ShortVector by14 = ShortVector.broadcast(SS, (short) 14);
        int half = IS.length();
        for (int g = from / GROUP; g < to / GROUP; g++) {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = ((long) g * blocks + b) * TILE;
                halves(tile, d);
                halves(tile + DMIN, dmin);
                float step = dx[b * 8];
                FloatVector ds0 = FloatVector.fromArray(FS, d, 0).mul(step);
                FloatVector ds1 = FloatVector.fromArray(FS, d, half).mul(step);
                FloatVector m0 = FloatVector.fromArray(FS, dmin, 0);
                FloatVector m1 = FloatVector.fromArray(FS, dmin, half);
                for (int pass = 0; pass < 4; pass++) {
                    int h = pass / 2, s = pass % 2;
                    long at = tile + PASSES + pass * PASS;
                    ShortVector s0 = ShortVector.zero(SS), s1 = s0, s2 = s0, s3 = s0;
                    int kx = b * BLOCK + 128 * h + 16 * s;
                    for (int k = 0; k < 8; k++) {
                        ShortVector q = ShortVector.fromMemorySegment(SS, data, at + (2 + k) * VECTOR, LITTLE_ENDIAN);
                        int c = kx + 2 * k;
                        s0 = q.and(three).mul(xq[c]).add(q.lanewise(LSHR, by8).and(three).mul(xq[c + 1])).add(s0);
                        s1 = q.lanewise(LSHR, by2).and(three).mul(xq[c + 32]).add(q.lanewise(LSHR, by10).and(three).mul(xq[c + 33])).add(s1);
                        s2 = q.lanewise(LSHR, by4).and(three).mul(xq[c + 64]).add(q.lanewise(LSHR, by12).and(three).mul(xq[c + 65])).add(s2);
                        s3 = q.lanewise(LSHR, by6).and(three).mul(xq[c + 96]).add(q.lanewise(LSHR, by14).mul(xq[c + 97])).add(s3);
                    }
                    ShortVector scalesA = ShortVector.fromMemorySegment(SS, data, at, LITTLE_ENDIAN);
                    ShortVector scalesB = ShortVector.fromMemorySegment(SS, data, at + VECTOR, LITTLE_ENDIAN);
                    for (int j = 0; j < 4; j++) {
                        ShortVector sum = j == 0 ? s0 : j == 1 ? s1 : j == 2 ? s2 : s3;
                        ShortVector sm = (j < 2 ? scalesA : scalesB).lanewise(LSHR, 8 * (j % 2));
                        IntVector sm0 = (IntVector) sm.convertShape(S2I, IS, 0);
                        IntVector sm1 = (IntVector) sm.convertShape(S2I, IS, 1);
                        float offset = -step * xsum[(b * BLOCK + 128 * h + 32 * j + 16 * s) / 16];
                        acc0 = ((FloatVector) sum.convertShape(S2I, IS, 0).convert(I2F, 0)).mul((FloatVector) sm0.and(0xF).convert(I2F, 0)).fma(ds0, acc0);
                        acc1 = ((FloatVector) sum.convertShape(S2I, IS, 1).convert(I2F, 0)).mul((FloatVector) sm1.and(0xF).convert(I2F, 0)).fma(ds1, acc1);
                        acc0 = ((FloatVector) sm0.lanewise(LSHR, 4).and(0xF).convert(I2F, 0)).fma(m0.mul(offset), acc0);
                        acc1 = ((FloatVector) sm1.lanewise(LSHR, 4).and(0xF).convert(I2F, 0)).fma(m1.mul(offset), acc1);
                    }
                }
            }
            acc0.intoArray(out, g * GROUP);
            acc1.intoArray(out, g * GROUP + half);
        }
    }

    /** Σ xq over each 16 columns: the sub-blocks' share of the mins. */
    private static int[] sums16(short[] xq) {
        int[] sums = new int[xq.length / 16];
        for (int i = 0; i < xq.length; i++) {
            sums[i / 16] += xq[i];
        }
        return sums;
    }

    /**
     * The scalar twin of {@link #matvec}: the same rounding of x, sums and float operations in
     * the same order (pass by pass, the four sub-blocks of a pass in turn).
     */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeKScalar(x, xOff, cols, xq, dx);
        int[] xsum = sums16(xq);
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = Float.float16ToFloat(data.get(F16Tensor.HALF, lane));
            float dmin = Float.float16ToFloat(data.get(F16Tensor.HALF, lane + DMIN));
            float step = dx[b * 8];
            for (int pass = 0; pass < 4; pass++) {
                int h = pass / 2, s = pass % 2;
                for (int j = 0; j < 4; j++) {
                    int sub = 8 * h + 2 * j + s;
                    int sum = 0;
                    for (int i = 0; i < 16; i++) {
                        sum += quant(lane, sub * 16 + i) * xq[b * BLOCK + sub * 16 + i];
                    }
                    int sm = scaleMin(lane, sub);
                    float offset = -step * xsum[(b * BLOCK) / 16 + sub];
                    acc = Math.fma((float) sum * (sm & 0xF), d * step, acc);
                    acc = Math.fma(sm >>> 4, dmin * offset, acc);
                }
            }
        }
        return acc;
    }

    /** Weight {@code (d·scale)·q − dmin·min}, as {@link Q2_KTensor} reads the file. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = Float.float16ToFloat(data.get(F16Tensor.HALF, lane));
            float dmin = Float.float16ToFloat(data.get(F16Tensor.HALF, lane + DMIN));
            for (int i = 0; i < BLOCK; i++) {
                int sm = scaleMin(lane, i / 16);
                out[off + b * BLOCK + i] = d * (sm & 0xF) * quant(lane, i) - dmin * (sm >>> 4);
            }
        }
    }

    /** Quant i (0..255) of the row whose lane starts at {@code lane} in its tile. */
    private int quant(long lane, int i) {
        int h = i / 128, j = i % 128 / 32, l = i % 32;
        int s = l / 16, k = l % 16 / 2;
        short q = data.get(F16Tensor.HALF, lane + PASSES + (2 * h + s) * PASS + (2 + k) * VECTOR);
        return q >>> 8 * (l % 2) + 2 * j & 3;
    }

    /** Sub-block n's byte, scale | min << 4. */
    private int scaleMin(long lane, int n) {
        int h = n / 8, j = n % 8 / 2, s = n % 2;
        short v = data.get(F16Tensor.HALF, lane + PASSES + (2 * h + s) * PASS + (j / 2) * VECTOR);
        return v >>> 8 * (j % 2) & 0xFF;
    }

    /** As {@link Q4_0x32Tensor#dequantizePanel}: each vector of a tile is eight columns of the group. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int half = IS.length();
        float[] d = new float[GROUP];
        float[] dmin = new float[GROUP];
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            halves(tile, d);
            halves(tile + DMIN, dmin);
            for (int pass = 0; pass < 4; pass++) {
                int h = pass / 2, s = pass % 2;
                long at = tile + PASSES + pass * PASS;
                for (int j = 0; j < 4; j++) {
                    ShortVector sm = ShortVector.fromMemorySegment(SS, data, at + (j / 2) * VECTOR, LITTLE_ENDIAN).lanewise(LSHR, 8 * (j % 2));
                    IntVector sm0 = (IntVector) sm.convertShape(S2I, IS, 0);
                    IntVector sm1 = (IntVector) sm.convertShape(S2I, IS, 1);
                    FloatVector scale0 = FloatVector.fromArray(FS, d, 0).mul((FloatVector) sm0.and(0xF).convert(I2F, 0));
                    FloatVector scale1 = FloatVector.fromArray(FS, d, half).mul((FloatVector) sm1.and(0xF).convert(I2F, 0));
                    FloatVector min0 = FloatVector.fromArray(FS, dmin, 0).mul((FloatVector) sm0.lanewise(LSHR, 4).and(0xF).convert(I2F, 0));
                    FloatVector min1 = FloatVector.fromArray(FS, dmin, half).mul((FloatVector) sm1.lanewise(LSHR, 4).and(0xF).convert(I2F, 0));
                    for (int k = 0; k < 8; k++) {
                        ShortVector q = ShortVector.fromMemorySegment(SS, data, at + (2 + k) * VECTOR, LITTLE_ENDIAN);
                        ShortVector even = q.lanewise(LSHR, 2 * j).and((short) 3);
                        ShortVector odd = q.lanewise(LSHR, 8 + 2 * j).and((short) 3);
                        int column = b * BLOCK + 128 * h + 32 * j + 16 * s + 2 * k - k0;
                        ((FloatVector) even.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(scale0).sub(min0).intoArray(panel, column * GROUP);
                        ((FloatVector) even.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(scale1).sub(min1).intoArray(panel, column * GROUP + half);
                        ((FloatVector) odd.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(scale0).sub(min0).intoArray(panel, (column + 1) * GROUP);
                        ((FloatVector) odd.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(scale1).sub(min1).intoArray(panel, (column + 1) * GROUP + half);
                    }
                }
            }
        }
    }

    /** Where super-block {@code b} of the group holding {@code row} starts, plus the row's lane. */
    private long tile(int row, int b) {
        return ((long) (row / GROUP) * (cols / BLOCK) + b) * TILE + 2L * (row % GROUP);
    }
}
