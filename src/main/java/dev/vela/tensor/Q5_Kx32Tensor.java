package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Q5_K copied at load into the layout of {@link Q4_Kx32Tensor}, plus a bit plane for the fifth
 * bit. Weight = d·scale[j]·q − dmin·min[j] with q from 0 to 31; the kernel takes q − 16 (from
 * −16 to 15), so that 16 products with x rounded to 8 bits stay exact in 16-bit lanes
 * (16 × 16 × 127 = 32512), and adds 16·Σ xq back per sub-block, exactly, in 32-bit integers.
 * A byte per weight would unpack faster but make the copy 1.6 times the file.
 *
 * <p>Layout: per group of rows, per super-block of 256 columns, one tile of {@code 180 × GROUP}
 * bytes (the file's 176 per row, plus the 6-bit scales unpacked): the rows' fp16 d, their fp16
 * dmin, then per pair c of sub-blocks four vectors of fifth bits, 16 vectors of quant nibbles
 * laid out as {@link Q4_Kx32Tensor}'s, and two of shorts {@code scale | min << 8}. Bit
 * {@code 4j + k mod 4} of lane r in bit vector {@code k / 4} is the fifth bit of nibble j of quant
 * vector k, inverted: nibble and inverted bit read as q − 16 in five-bit two's complement.
 */
public final class Q5_Kx32Tensor extends RowGroupTensor {
    private static final int BLOCK = 256;
    private static final int FILE_BLOCK_BYTES = 176;
    private static final long VECTOR = 2L * GROUP;
    private static final long DMIN = VECTOR;
    /** Where pair {@code c} of sub-blocks starts: its four vectors of fifth bits, 16 of quants, two of scales. */
    private static final long PAIRS = 2 * VECTOR;
    private static final long PAIR = 22 * VECTOR;
    private static final long PAIR_QUANTS = 4 * VECTOR;
    private static final long PAIR_SCALES = 20 * VECTOR;
    private static final long TILE = PAIRS + 4 * PAIR;

    private Q5_Kx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q5_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q5_K;
    }

    /**
     * The copy of {@code source} in this layout, in memory of {@code arena}, a group of rows at a
     * time through arrays of shorts (see {@link Q4_0x32Tensor#of}).
     */
    static Q5_Kx32Tensor of(Tensor source, Arena arena) {
        int rows = source.rows(), cols = source.cols(), blocks = cols / BLOCK;
        int rowShorts = (int) (source.rowBytes / 2);
        int blockShorts = FILE_BLOCK_BYTES / 2;
        int tileShorts = (int) (TILE / 2);
        short[] in = new short[GROUP * rowShorts];
        short[] out = new short[blocks * tileShorts];
        MemorySegment to = arena.allocate((long) rows / GROUP * out.length * 2, 64);
        for (int g = 0; g < rows / GROUP; g++) {
            MemorySegment.copy(source.data(), F16Tensor.HALF, 2L * g * in.length, in, 0, in.length);
            for (int r = 0; r < GROUP; r++) {
                for (int b = 0; b < blocks; b++) {
                    int block = r * rowShorts + b * blockShorts;
                    int lane = b * tileShorts + r;
                    out[lane] = in[block];
                    out[lane + GROUP] = in[block + 1];
                    for (int j = 0; j < 8; j++) {
                        out[lane + (2 + 22 * (j / 2) + 20 + j % 2) * GROUP] = KQuant.scaleAndMin(in, block + 2, j);
                    }
                    for (int v = 0; v < 64; v++) {
                        out[lane + (2 + 22 * (v / 16) + 4 + v % 16) * GROUP] = in[block + 24 + v];
                    }
                    // The fifth bit of column 64c + l (sub-block 2c) is bit 2c of qh[l] (bytes 16..47),
                    // of column 64c + 32 + l (sub-block 2c + 1) bit 2c + 1.
                    for (int c = 0; c < 4; c++) {
                        for (int v = 0; v < 4; v++) {
                            int bits = 0;
                            for (int k = 4 * v; k < 4 * v + 4; k++) {
                                for (int n = 0; n < 4; n++) {
                                    int l = 2 * k + n / 2;
                                    int qh = in[block + 8 + l / 2] >>> 8 * (l % 2) & 0xFF;
                                    int bit = qh >>> 2 * c + n % 2 & 1;
                                    bits |= (bit ^ 1) << 4 * n + k % 4;
                                }
                            }
                            out[lane + (2 + 22 * c + v) * GROUP] = (short) bits;
                        }
                    }
                }
            }
            MemorySegment.copy(out, 0, to, F16Tensor.HALF, 2L * g * out.length, out.length);
        }
        release(source);
        return new Q5_Kx32Tensor(to, rows, cols);
    }

    /**
     * Rows {@code [from, to)}, whole groups: {@link Q4_Kx32Tensor#matvec}'s loop, each nibble
     * less its inverted fifth bit × 16 (from the bit vector shifted down k mod 4 places), and
     * 16·Σ xq added to each sub-block's sum.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int blocks = cols / BLOCK;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        int[] xsum = QuantizedInput.blockSums(xq);
        float[] d = new float[GROUP];
        float[] dmin = new float[GROUP];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        int half = IS.length();
        for (int g = from / GROUP; g < to / GROUP; g++) {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = ((long) g * blocks + b) * TILE;
                halves(tile, d);
                halves(tile + DMIN, dmin);
                FloatVector d0 = FloatVector.fromArray(FS, d, 0);
                FloatVector d1 = FloatVector.fromArray(FS, d, half);
                FloatVector m0 = FloatVector.fromArray(FS, dmin, 0);
                FloatVector m1 = FloatVector.fromArray(FS, dmin, half);
                for (int c = 0; c < 4; c++) {
                    ShortVector s0 = ShortVector.zero(SS), s1 = s0, s2 = s0, s3 = s0;
                    int k0 = b * BLOCK + 64 * c;
                    for (int k = 0; k < 16; k++) {
                        ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + PAIR_QUANTS + k * VECTOR, LITTLE_ENDIAN);
                        ShortVector bits = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + (k >> 2) * VECTOR, LITTLE_ENDIAN)
                                .lanewise(LSHR, k & 3);
                        int kx = k0 + 2 * k;
                        s0 = q.and((short) 0xF).sub(bits.lanewise(LSHL, by4).and((short) 0x10)).mul(xq[kx]).add(s0);
                        s1 = q.lanewise(LSHR, by4).and((short) 0xF).sub(bits.and((short) 0x10)).mul(xq[kx + 32]).add(s1);
                        s2 = q.lanewise(LSHR, by8).and((short) 0xF).sub(bits.lanewise(LSHR, by4).and((short) 0x10)).mul(xq[kx + 1]).add(s2);
                        s3 = q.lanewise(LSHR, by12).sub(bits.lanewise(LSHR, by8).and((short) 0x10)).mul(xq[kx + 33]).add(s3);
                    }
                    for (int h = 0; h < 2; h++) {
                        int j = 2 * c + h;
                        ShortVector low = h == 0 ? s0 : s1;
                        ShortVector high = h == 0 ? s2 : s3;
                        int back = 16 * xsum[b * 8 + j]; // q = (q − 16) + 16
                        FloatVector sum0 = (FloatVector) ((IntVector) low.convertShape(S2I, IS, 0)).add(high.convertShape(S2I, IS, 0)).add(back).convert(I2F, 0);
                        FloatVector sum1 = (FloatVector) ((IntVector) low.convertShape(S2I, IS, 1)).add(high.convertShape(S2I, IS, 1)).add(back).convert(I2F, 0);
                        // Written out, not scales(j): the JIT left that call in the loop (the method is large).
                        ShortVector sm = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + PAIR_SCALES + h * VECTOR, LITTLE_ENDIAN);
                        IntVector sm0 = (IntVector) sm.convertShape(S2I, IS, 0);
                        IntVector sm1 = (IntVector) sm.convertShape(S2I, IS, 1);
                        float step = dx[b * 8 + j];
                        float offset = -step * xsum[b * 8 + j];
                        acc0 = sum0.mul((FloatVector) sm0.and(0xFF).convert(I2F, 0)).fma(d0.mul(step), acc0);
                        acc1 = sum1.mul((FloatVector) sm1.and(0xFF).convert(I2F, 0)).fma(d1.mul(step), acc1);
                        acc0 = ((FloatVector) sm0.lanewise(LSHR, 8).convert(I2F, 0)).fma(m0.mul(offset), acc0);
                        acc1 = ((FloatVector) sm1.lanewise(LSHR, 8).convert(I2F, 0)).fma(m1.mul(offset), acc1);
                    }
                }
            }
            acc0.intoArray(out, g * GROUP);
            acc1.intoArray(out, g * GROUP + half);
        }
    }

    /** The scalar twin of {@link #matvec}: the same rounding of x, sums and float operations in the same order. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeKScalar(x, xOff, cols, xq, dx);
        int[] xsum = QuantizedInput.blockSums(xq);
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = Float.float16ToFloat(data.get(F16Tensor.HALF, lane));
            float dmin = Float.float16ToFloat(data.get(F16Tensor.HALF, lane + DMIN));
            for (int j = 0; j < 8; j++) {
                int sum = 0;
                for (int i = 0; i < 32; i++) {
                    sum += (quant(lane, j, i) - 16) * xq[b * BLOCK + 32 * j + i];
                }
                sum += 16 * xsum[b * 8 + j];
                short sm = data.get(F16Tensor.HALF, lane + scales(j));
                float step = dx[b * 8 + j];
                float offset = -step * xsum[b * 8 + j];
                acc = Math.fma((float) sum * (sm & 0xFF), d * step, acc);
                acc = Math.fma(sm >>> 8 & 0xFF, dmin * offset, acc);
            }
        }
        return acc;
    }

    /** Weight {@code (d·scale)·q − dmin·min}, as {@link Q5_KTensor} reads the file. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = Float.float16ToFloat(data.get(F16Tensor.HALF, lane));
            float dmin = Float.float16ToFloat(data.get(F16Tensor.HALF, lane + DMIN));
            for (int j = 0; j < 8; j++) {
                short sm = data.get(F16Tensor.HALF, lane + scales(j));
                float scale = d * (sm & 0xFF);
                float min = dmin * (sm >>> 8 & 0xFF);
                for (int i = 0; i < 32; i++) {
                    out[off + b * BLOCK + 32 * j + i] = scale * quant(lane, j, i) - min;
                }
            }
        }
    }

    /** Quant i (0..31, five bits) of sub-block j of the row whose lane starts at {@code lane} in its tile. */
    private int quant(long lane, int j, int i) {
        int c = j / 2;
        int k = i / 2;
        int n = 2 * (i % 2) + j % 2;
        short q = data.get(F16Tensor.HALF, lane + PAIRS + c * PAIR + PAIR_QUANTS + k * VECTOR);
        short bits = data.get(F16Tensor.HALF, lane + PAIRS + c * PAIR + k / 4 * VECTOR);
        return (q >>> 4 * n & 0xF) | ((bits >>> 4 * n + k % 4 & 1) ^ 1) << 4;
    }

    /** As {@link Q4_Kx32Tensor#dequantizePanel}, each nibble joined with its fifth bit. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int half = IS.length();
        float[] d = new float[GROUP];
        float[] dmin = new float[GROUP];
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            halves(tile, d);
            halves(tile + DMIN, dmin);
            for (int j = 0; j < 8; j++) {
                ShortVector sm = ShortVector.fromMemorySegment(SS, data, tile + scales(j), LITTLE_ENDIAN);
                IntVector sm0 = (IntVector) sm.convertShape(S2I, IS, 0);
                IntVector sm1 = (IntVector) sm.convertShape(S2I, IS, 1);
                FloatVector scale0 = FloatVector.fromArray(FS, d, 0).mul((FloatVector) sm0.and(0xFF).convert(I2F, 0));
                FloatVector scale1 = FloatVector.fromArray(FS, d, half).mul((FloatVector) sm1.and(0xFF).convert(I2F, 0));
                FloatVector min0 = FloatVector.fromArray(FS, dmin, 0).mul((FloatVector) sm0.lanewise(LSHR, 8).convert(I2F, 0));
                FloatVector min1 = FloatVector.fromArray(FS, dmin, half).mul((FloatVector) sm1.lanewise(LSHR, 8).convert(I2F, 0));
                int c = j / 2;
                int shift = 4 * (j % 2);
                for (int k = 0; k < 16; k++) {
                    ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + PAIR_QUANTS + k * VECTOR, LITTLE_ENDIAN);
                    ShortVector bits = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + k / 4 * VECTOR, LITTLE_ENDIAN)
                            .not().lanewise(LSHR, shift + k % 4);
                    ShortVector even = q.lanewise(LSHR, shift).and((short) 0xF).or(bits.and((short) 1).lanewise(LSHL, 4));
                    ShortVector odd = q.lanewise(LSHR, shift + 8).and((short) 0xF).or(bits.lanewise(LSHR, 8).and((short) 1).lanewise(LSHL, 4));
                    int at = (b * BLOCK + 32 * j + 2 * k - k0) * GROUP;
                    ((FloatVector) even.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(scale0).sub(min0).intoArray(panel, at);
                    ((FloatVector) even.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(scale1).sub(min1).intoArray(panel, at + half);
                    ((FloatVector) odd.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(scale0).sub(min0).intoArray(panel, at + GROUP);
                    ((FloatVector) odd.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(scale1).sub(min1).intoArray(panel, at + GROUP + half);
                }
            }
        }
    }

    /** Where sub-block j's scales and mins are in a tile. */
    private static long scales(int j) {
        return PAIRS + j / 2 * PAIR + PAIR_SCALES + j % 2 * VECTOR;
    }

    /** Where super-block {@code b} of the group holding {@code row} starts, plus the row's lane. */
    private long tile(int row, int b) {
        return ((long) (row / GROUP) * (cols / BLOCK) + b) * TILE + 2L * (row % GROUP);
    }
}
