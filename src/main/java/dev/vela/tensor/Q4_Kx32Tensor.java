package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Q4_K copied at load into the layout of {@link Q4_0x32Tensor}: {@link #GROUP} rows side by side
 * in the lanes of short vectors, for 16-bit integer products with x rounded to 8 bits per
 * super-block ({@link QuantizedInput#quantizeK}). Weight = d·scale[j]·q − dmin·min[j] with q from 0
 * to 15, so a sub-block's dot product is d·scale[j]·Σ q·xq·step − dmin·min[j]·Σ xq·step: the
 * first sum is exact in 16-bit lanes over 16 columns (16 × 15 × 127 = 30480), the second is the
 * same for every row and made once per call.
 *
 * <p>Layout: per group of rows, per super-block of 256 columns, one tile of {@code 148 × GROUP}
 * bytes (the file's 144 per row, plus the 6-bit scales unpacked): the rows' d, their dmin
 * ({@link ScaleMinx32Tensor}), then per pair c of sub-blocks 16 vectors of quants and two of shorts
 * {@code scale | min << 8} (sub-blocks 2c and 2c + 1). In quant vector k, lane r holds bytes 2k
 * and 2k + 1 of row r's quant bytes {@code 32c .. 32c + 31}: its nibbles (low first) are
 * columns 64c + 2k and 64c + 2k + 1 of sub-block 2c (nibbles 0 and 2) and the same columns + 32
 * of sub-block 2c + 1 (nibbles 1, 3). The kernel reads a tile front to back: with all scales
 * first, it went back for each pair's and streamed 8.4 GB/s from memory instead of 19.
 */
public final class Q4_Kx32Tensor extends ScaleMinx32Tensor {
    private static final int FILE_BLOCK_BYTES = 144;
    /** Where pair {@code c} of sub-blocks starts: its 16 vectors of quants, then its two of scales. */
    private static final long PAIRS = 2 * VECTOR;
    private static final long PAIR = 18 * VECTOR;
    private static final long PAIR_SCALES = 16 * VECTOR;
    private static final long TILE = PAIRS + 4 * PAIR;

    private Q4_Kx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_K;
    }

    /**
     * The copy of {@code source} in this layout, in memory of {@code arena}, a group of rows at a
     * time through arrays of shorts (see {@link Q4_0x32Tensor#of}).
     */
    static Q4_Kx32Tensor of(Tensor source, Arena arena) {
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
                    putScales(in, block, r, out, b * tileShorts);
                    for (int j = 0; j < 8; j++) {
                        out[lane + (2 + 18 * (j / 2) + 16 + j % 2) * GROUP] = KQuant.scaleAndMin(in, block + 2, j);
                    }
                    for (int v = 0; v < 64; v++) {
                        out[lane + (2 + 18 * (v / 16) + v % 16) * GROUP] = in[block + 8 + v];
                    }
                }
            }
            MemorySegment.copy(out, 0, to, F16Tensor.HALF, 2L * g * out.length, out.length);
        }
        release(source);
        return new Q4_Kx32Tensor(to, rows, cols);
    }

    /**
     * Rows {@code [from, to)}, whole groups. Per group, super-block and pair of sub-blocks: 16
     * loads of the rows' four columns each; each nibble is masked out, multiplied by its
     * column's x and summed in one of four accumulators (two per sub-block). The sums are widened
     * and scaled once per sub-block: d·scale and dmin·min per row, the step and Σ xq of x.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int blocks = cols / BLOCK;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        int[] xsum = QuantizedInput.blockSums(xq);
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        int half = IS.length();
        for (int g = from / GROUP; g < to / GROUP; g++) {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = ((long) g * blocks + b) * TILE;
                IntVector d = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
                IntVector dmin = IntVector.fromMemorySegment(IS, data, tile + DMIN, LITTLE_ENDIAN);
                FloatVector d0 = d.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = d.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector m0 = dmin.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector m1 = dmin.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                for (int c = 0; c < 4; c++) {
                    ShortVector s0 = ShortVector.zero(SS), s1 = s0, s2 = s0, s3 = s0;
                    int k0 = b * BLOCK + 64 * c;
                    for (int k = 0; k < 16; k++) {
                        ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + k * VECTOR, LITTLE_ENDIAN);
                        int kx = k0 + 2 * k;
                        s0 = q.and((short) 0xF).mul(xq[kx]).add(s0);
                        s1 = q.lanewise(LSHR, by4).and((short) 0xF).mul(xq[kx + 32]).add(s1);
                        s2 = q.lanewise(LSHR, by8).and((short) 0xF).mul(xq[kx + 1]).add(s2);
                        s3 = q.lanewise(LSHR, by12).mul(xq[kx + 33]).add(s3);
                    }
                    for (int h = 0; h < 2; h++) {
                        int j = 2 * c + h;
                        ShortVector low = h == 0 ? s0 : s1;
                        ShortVector high = h == 0 ? s2 : s3;
                        FloatVector sum0 = (FloatVector) ((IntVector) low.convertShape(S2I, IS, 0)).add(high.convertShape(S2I, IS, 0)).convert(I2F, 0);
                        FloatVector sum1 = (FloatVector) ((IntVector) low.convertShape(S2I, IS, 1)).add(high.convertShape(S2I, IS, 1)).convert(I2F, 0);
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

    /** Quant i (0..31) of sub-block j of the row whose lane starts at {@code lane} in its tile. */
    @Override
    int quant(long lane, int j, int i) {
        int c = j / 2;
        short q = data.get(F16Tensor.HALF, lane + PAIRS + c * PAIR + i / 2 * VECTOR);
        return q >>> 4 * (2 * (i % 2) + j % 2) & 0xF;
    }

    /** As {@link Q4_0x32Tensor#dequantizePanel}: each vector of a tile is four columns of the group. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int half = IS.length();
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            IntVector d = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
            IntVector dmin = IntVector.fromMemorySegment(IS, data, tile + DMIN, LITTLE_ENDIAN);
            FloatVector d0 = lowScales(d), d1 = highScales(d), m0 = lowScales(dmin), m1 = highScales(dmin);
            for (int j = 0; j < 8; j++) {
                ShortVector sm = ShortVector.fromMemorySegment(SS, data, tile + scales(j), LITTLE_ENDIAN);
                IntVector sm0 = (IntVector) sm.convertShape(S2I, IS, 0);
                IntVector sm1 = (IntVector) sm.convertShape(S2I, IS, 1);
                FloatVector scale0 = d0.mul((FloatVector) sm0.and(0xFF).convert(I2F, 0));
                FloatVector scale1 = d1.mul((FloatVector) sm1.and(0xFF).convert(I2F, 0));
                FloatVector min0 = m0.mul((FloatVector) sm0.lanewise(LSHR, 8).convert(I2F, 0));
                FloatVector min1 = m1.mul((FloatVector) sm1.lanewise(LSHR, 8).convert(I2F, 0));
                int c = j / 2;
                int shift = 4 * (j % 2);
                for (int k = 0; k < 16; k++) {
                    ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + k * VECTOR, LITTLE_ENDIAN);
                    ShortVector even = q.lanewise(LSHR, shift).and((short) 0xF);
                    ShortVector odd = q.lanewise(LSHR, shift + 8).and((short) 0xF);
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
    @Override
    long scales(int j) {
        return PAIRS + j / 2 * PAIR + PAIR_SCALES + j % 2 * VECTOR;
    }

    /** Where super-block {@code b} of the group holding {@code row} starts, plus the row's lane. */
    @Override
    long tile(int row, int b) {
        return ((long) (row / GROUP) * (cols / BLOCK) + b) * TILE + 2L * (row % GROUP);
    }
}
