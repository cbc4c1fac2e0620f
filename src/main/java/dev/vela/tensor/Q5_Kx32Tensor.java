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
 * Q5_K copied at load into the layout of {@link Q4_Kx32Tensor}, plus a bit plane for the fifth
 * bit. Weight = d·scale[j]·q − dmin·min[j] with q = low + 16·high from 0 to 31, so a
 * sub-block's sum Σ q·xq is Q4_K's Σ low·xq (products in 16-bit lanes, 16 columns per sum) plus
 * 16·Σ high·xq, which is looked up as {@link Q3_Kx32Tensor} looks up its high bits: each quad
 * of columns gets a table of {@code Σ xq[k]·(bit k of i)} and the copy keeps the quad's four
 * fifth bits in one nibble, so that one permutation adds four columns' high bits for 32 rows.
 * Multiplying each nibble's bit instead (a shift, a mask and a subtraction more per 32 weights)
 * ran at 19.7 GB/s in cache against Q4_K's 26. A byte per weight would unpack faster but make
 * the copy 1.6 times the file.
 *
 * <p>Layout: per super-block of 256 columns and group of rows, one tile of {@code 180 × GROUP}
 * bytes (the file's 176 per row, plus the 6-bit scales unpacked): the rows' d, their dmin
 * ({@link ScaleMinx32Tensor}), then per pair c of sub-blocks four vectors of fifth bits, 16 vectors of quant nibbles
 * laid out as {@link Q4_Kx32Tensor}'s, and two of shorts {@code scale | min << 8}. Bit
 * {@code 4j + k mod 4} of lane r in bit vector {@code k / 4} is the fifth bit of nibble j of quant
 * vector k: nibble j of a bit vector is a quad of columns two apart. The tiles go one
 * super-block at a time, in each the groups one after another, so that a super-block's tables
 * (4 KB) stay in the first-level cache while every group reads them.
 *
 * <p>The permutation takes the low 5 bits of a 16-bit lane at 512 bits (the tables are their 16
 * entries twice) and the low 4 at 256; narrower machines keep the file's layout.
 */
public final class Q5_Kx32Tensor extends ScaleMinx32Tensor {
    private static final int FILE_BLOCK_BYTES = 176;
    /** Where pair {@code c} of sub-blocks starts: its four vectors of fifth bits, 16 of quants, two of scales. */
    private static final long PAIRS = 2 * VECTOR;
    private static final long PAIR = 22 * VECTOR;
    private static final long PAIR_QUANTS = 4 * VECTOR;
    private static final long PAIR_SCALES = 20 * VECTOR;
    private static final long TILE = PAIRS + 4 * PAIR;
    /** Entries of a table ({@link LookupTables}). */
    private static final int TABLE = LookupTables.ENTRIES;
    /** Bit k of a quad's index. */
    private static final short[][] QUAD = new short[4][];
    static {
        for (int k = 0; k < 4; k++) {
            int bit = k;
            QUAD[k] = LookupTables.repeated(i -> i >> bit & 1);
        }
    }

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
        int rows = source.rows(), cols = source.cols(), blocks = cols / BLOCK, groups = rows / GROUP;
        int rowShorts = (int) (source.rowBytes / 2);
        int blockShorts = FILE_BLOCK_BYTES / 2;
        int tileShorts = (int) (TILE / 2);
        short[] in = new short[GROUP * rowShorts];
        short[] out = new short[blocks * tileShorts];
        MemorySegment to = arena.allocate((long) groups * out.length * 2, 64);
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(source.data(), F16Tensor.HALF, 2L * g * in.length, in, 0, in.length);
            for (int r = 0; r < GROUP; r++) {
                for (int b = 0; b < blocks; b++) {
                    int block = r * rowShorts + b * blockShorts;
                    int lane = b * tileShorts + r;
                    putScales(in, block, r, out, b * tileShorts);
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
                                    bits |= bit << 4 * n + k % 4;
                                }
                            }
                            out[lane + (2 + 22 * c + v) * GROUP] = (short) bits;
                        }
                    }
                }
            }
            for (int b = 0; b < blocks; b++) {
                MemorySegment.copy(out, b * tileShorts, to, F16Tensor.HALF, ((long) b * groups + g) * TILE, tileShorts);
            }
        }
        release(source);
        return new Q5_Kx32Tensor(to, rows, cols);
    }

    /**
     * Rows {@code [from, to)}, whole groups, a super-block at a time: its quads' tables, then per
     * group and pair of sub-blocks eight lookups per sub-block for the fifth bits and
     * {@link Q4_Kx32Tensor#matvec}'s loop for the nibbles; per sub-block the sums are widened,
     * the looked-up one times 16, and scaled as Q4_K's. A group's sums carry from super-block to
     * super-block in {@code out}.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        MemorySegment weights = data; // a local: read through the field, every load re-checked the segment's class
        int blocks = cols / BLOCK, groups = rows / GROUP;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        int[] xsum = QuantizedInput.blockSums(xq);
        short[] tables = new short[BLOCK / 4 * TABLE];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        for (int b = 0; b < blocks; b++) {
            tables(xq, b * BLOCK, tables);
            for (int g = from / GROUP; g < to / GROUP; g++) {
                long tile = ((long) b * groups + g) * TILE;
                IntVector d = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
                IntVector dmin = IntVector.fromMemorySegment(IS, data, tile + DMIN, LITTLE_ENDIAN);
                FloatVector d0 = d.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = d.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector m0 = dmin.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector m1 = dmin.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector acc0 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP);
                FloatVector acc1 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP + HALF);
                for (int c = 0; c < 4; c++) {
                    long pair = tile + PAIRS + c * PAIR;
                    ShortVector e0 = ShortVector.fromMemorySegment(SS, weights, pair, LITTLE_ENDIAN);
                    ShortVector e1 = ShortVector.fromMemorySegment(SS, weights, pair + VECTOR, LITTLE_ENDIAN);
                    ShortVector e2 = ShortVector.fromMemorySegment(SS, weights, pair + 2 * VECTOR, LITTLE_ENDIAN);
                    ShortVector e3 = ShortVector.fromMemorySegment(SS, weights, pair + 3 * VECTOR, LITTLE_ENDIAN);
                    int quad = 16 * c * TABLE;
                    // Nibbles 0 and 2 of a bit vector are sub-block 2c's, 1 and 3 sub-block 2c + 1's.
                    ShortVector h0 = e0.selectFrom(ShortVector.fromArray(SS, tables, quad))
                            .add(e0.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, quad + 2 * TABLE)))
                            .add(e1.selectFrom(ShortVector.fromArray(SS, tables, quad + 4 * TABLE)))
                            .add(e1.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, quad + 6 * TABLE)))
                            .add(e2.selectFrom(ShortVector.fromArray(SS, tables, quad + 8 * TABLE)))
                            .add(e2.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, quad + 10 * TABLE)))
                            .add(e3.selectFrom(ShortVector.fromArray(SS, tables, quad + 12 * TABLE)))
                            .add(e3.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, quad + 14 * TABLE)));
                    ShortVector h1 = e0.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, quad + TABLE))
                            .add(e0.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, quad + 3 * TABLE)))
                            .add(e1.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, quad + 5 * TABLE)))
                            .add(e1.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, quad + 7 * TABLE)))
                            .add(e2.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, quad + 9 * TABLE)))
                            .add(e2.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, quad + 11 * TABLE)))
                            .add(e3.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, quad + 13 * TABLE)))
                            .add(e3.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, quad + 15 * TABLE)));
                    ShortVector s0 = ShortVector.zero(SS), s1 = s0, s2 = s0, s3 = s0;
                    int k0 = b * BLOCK + 64 * c;
                    for (int k = 0; k < 16; k++) {
                        ShortVector q = ShortVector.fromMemorySegment(SS, weights, pair + PAIR_QUANTS + k * VECTOR, LITTLE_ENDIAN);
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
                        ShortVector fifth = h == 0 ? h0 : h1;
                        FloatVector sum0 = (FloatVector) ((IntVector) low.convertShape(S2I, IS, 0)).add(high.convertShape(S2I, IS, 0))
                                .add(((IntVector) fifth.convertShape(S2I, IS, 0)).lanewise(LSHL, 4)).convert(I2F, 0);
                        FloatVector sum1 = (FloatVector) ((IntVector) low.convertShape(S2I, IS, 1)).add(high.convertShape(S2I, IS, 1))
                                .add(((IntVector) fifth.convertShape(S2I, IS, 1)).lanewise(LSHL, 4)).convert(I2F, 0);
                        // Written out, not scales(j): the JIT left that call in the loop (the method is large).
                        ShortVector sm = ShortVector.fromMemorySegment(SS, weights, pair + PAIR_SCALES + h * VECTOR, LITTLE_ENDIAN);
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
                acc0.intoArray(out, g * GROUP);
                acc1.intoArray(out, g * GROUP + HALF);
            }
        }
    }

    /**
     * The 64 quads' tables of the super-block starting at column {@code k0}, quad
     * {@code 16c + 4v + j} for nibble j of bit vector v of pair c: columns
     * {@code 64c + 8v + j / 2 + 32·(j % 2)} and the next three of every second. A method of its
     * own so that its constant vectors are not live across the kernel's loops.
     */
    private static void tables(short[] xq, int k0, short[] tables) {
        ShortVector bit0 = ShortVector.fromArray(SS, QUAD[0], 0);
        ShortVector bit1 = ShortVector.fromArray(SS, QUAD[1], 0);
        ShortVector bit2 = ShortVector.fromArray(SS, QUAD[2], 0);
        ShortVector bit3 = ShortVector.fromArray(SS, QUAD[3], 0);
        for (int u = 0; u < BLOCK / 4; u++) {
            int j = u % 4;
            int c = k0 + 64 * (u / 16) + 8 * (u / 4 % 4) + j / 2 + 32 * (j % 2);
            bit0.mul(xq[c]).add(bit1.mul(xq[c + 2])).add(bit2.mul(xq[c + 4]).add(bit3.mul(xq[c + 6])))
                    .intoArray(tables, u * TABLE);
        }
    }

    /** Quant i (0..31, five bits) of sub-block j of the row whose lane starts at {@code lane} in its tile. */
    @Override
    int quant(long lane, int j, int i) {
        int c = j / 2;
        int k = i / 2;
        int n = 2 * (i % 2) + j % 2;
        short q = data.get(F16Tensor.HALF, lane + PAIRS + c * PAIR + PAIR_QUANTS + k * VECTOR);
        short bits = data.get(F16Tensor.HALF, lane + PAIRS + c * PAIR + k / 4 * VECTOR);
        return (q >>> 4 * n & 0xF) | (bits >>> 4 * n + k % 4 & 1) << 4;
    }

    /** As {@link Q4_Kx32Tensor#dequantizePanel}, each nibble joined with its fifth bit. */
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
                    ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + PAIR_QUANTS + k * VECTOR, LITTLE_ENDIAN);
                    ShortVector bits = ShortVector.fromMemorySegment(SS, data, tile + PAIRS + c * PAIR + k / 4 * VECTOR, LITTLE_ENDIAN)
                            .lanewise(LSHR, shift + k % 4);
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
    @Override
    long scales(int j) {
        return PAIRS + j / 2 * PAIR + PAIR_SCALES + j % 2 * VECTOR;
    }

    /** Where super-block {@code b} of the group holding {@code row} starts, plus the row's lane. */
    @Override
    long tile(int row, int b) {
        return ((long) b * (rows / GROUP) + row / GROUP) * TILE + 2L * (row % GROUP);
    }
}
