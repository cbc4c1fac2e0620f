package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.LSHL;

/**
 * Q2_K copied at load with {@link #GROUP} rows side by side, its products looked up two weights
 * at a time. Weight = d·scale[n]·q − dmin·min[n], q of 2 bits, a 4-bit scale and min per
 * sub-block n of 16 weights. x is rounded to 8 bits per super-block as llama.cpp's Q8_K
 * ({@link QuantizedInput#quantizeK}); before the rows are read, each pair of columns (a, a + 1)
 * gets a table of its 16 sums {@code xq[a]·(i & 3) + xq[a + 1]·(i >> 2)}, and the copy keeps
 * the two quants of each such pair in one nibble ({@code q[a] | q[a + 1] << 2}), so that one
 * permutation ({@code vpermw}) gives the sum of two products for 32 rows. A sub-block's eight
 * lookups sum within 16 bits (8 × 2 × 3 × 127); per sub-block the sums are widened and
 * multiplied by the scales in integers, the mins by Σ xq over the sub-block's 16 columns, and
 * both integer totals are scaled once per super-block. Per 32 weights that is half a shift,
 * half a mask, half a permutation and half an addition, against a mask, a shift, a multiply
 * and an addition per weight position in 16-bit lanes without tables (8.5–10.5 GB/s).
 *
 * <p>Layout: per group of rows and super-block, one tile of {@code 84 × GROUP} bytes (the
 * file's size): the rows' d and dmin ({@link #scaledUp}: times 2^10, in their paired lanes; a
 * matrix where one reaches 64 keeps the file's layout), then four quarters of four sub-blocks each. A
 * quarter holds the rows' scale bytes of its sub-blocks (one int per row: byte k is sub-block
 * 4w + k's {@code scale | min << 4}, as in the file), then per sub-block n two vectors of
 * shorts: lane r of vector t holds row r's pairs {@code 16n + 8t + 2j} (nibble j), where lane
 * r is row r's {@link #pairedLane} (the 16-bit sums are widened as ints' halves). The tiles go
 * one super-block at a time, in each the groups one after another, so that a product reads a
 * super-block's columns as one stream while their tables (8 KB at 512 bits) stay in the
 * first-level cache. Where the small parts go changes how fast the tiles stream from memory
 * more than the kernel's own speed, and not as one would guess; measured (GB/s from memory,
 * alternating runs): d and dmin at the tile's end 13.6–15.6, at its front (read last, as now)
 * 17.3–18.2; all scale ints at the front too 9–11; each quarter's scale ints after its quants
 * 7.5–10. Nested loops over quarters and vectors, widening through {@code convertShape}, ran at
 * 17.6 against 23 GB/s in cache for this flat loop.
 *
 * <p>The permutation takes the low 5 bits of a 16-bit lane at 512 bits (the table is the 16
 * sums twice) and the low 4 at 256; narrower machines keep the file's layout.
 */
public final class Q2_Kx32Tensor extends RowGroupTensor {
    private static final int BLOCK = 256;
    private static final int FILE_BLOCK_BYTES = 84;
    private static final long VECTOR = 2L * GROUP;
    private static final long D = 0;
    private static final long DMIN = 2L * GROUP;
    /** Where the quarters start, after d and dmin. */
    private static final long QUARTERS = 4L * GROUP;
    /** A quarter of a tile: four sub-blocks' scale bytes (one int per row), then their quants (eight vectors). */
    private static final long PART = 4L * GROUP + 8 * VECTOR;
    private static final long TILE = (long) FILE_BLOCK_BYTES * GROUP;
    /** Entries of a pair's table ({@link LookupTables}). */
    private static final int TABLE = LookupTables.ENTRIES;

    private Q2_Kx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q2_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q2_K;
    }

    /** The copy of {@code source} in this layout, in memory of {@code arena}, a group of rows at a time through byte arrays. */
    static Q2_Kx32Tensor of(Tensor source, Arena arena) {
        int groups = source.rows() / GROUP;
        MemorySegment to = copyByTiles(source, arena, TILE, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int block = r * rowBytes + b * FILE_BLOCK_BYTES;
                putScaledUp(in, block + 80, r, tile, (int) D);
                putScaledUp(in, block + 82, r, tile, (int) DMIN);
                for (int w = 0; w < 4; w++) {
                    System.arraycopy(in, block + 4 * w, tile, (int) (QUARTERS + w * PART) + 4 * r, 4);
                }
                for (int v = 0; v < 32; v++) {
                    int pairs = 0;
                    for (int j = 0; j < 4; j++) {
                        int column = 8 * v + 2 * j; // = 16n + 8t + 2j for v = 2n + t
                        pairs |= (quant(in, block, column) | quant(in, block, column + 1) << 2) << 4 * j;
                    }
                    int at = (int) quants(v) + 2 * pairedLane(r);
                    tile[at] = (byte) pairs;
                    tile[at + 1] = (byte) (pairs >>> 8);
                }
            }
        }, (g, b) -> ((long) b * groups + g) * TILE);
        return new Q2_Kx32Tensor(to, source.rows(), source.cols());
    }

    /** Quant i (0..255) of the file's super-block at {@code block}: bits 2j of byte 16 + 32h + l. */
    private static int quant(byte[] in, int block, int i) {
        int h = i / 128, j = i % 128 / 32, l = i % 32;
        return in[block + 16 + 32 * h + l] >>> 2 * j & 3;
    }

    /**
     * Rows {@code [from, to)}, whole groups, a super-block at a time: its pairs' tables, then
     * per group and sub-block two loads of 32 rows' four pairs each, every nibble's sum looked up
     * and added; the sub-block's sums widened and multiplied by the rows' scales, their mins by
     * the sub-block's Σ xq, both in ints; per super-block the two totals scaled, d·step and
     * −dmin·step. A group's sums carry from super-block to super-block in {@code out}.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        MemorySegment weights = data; // a local: read through the field, every load re-checked the segment's class
        int blocks = cols / BLOCK, groups = rows / GROUP;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        int[] xsum = sums16(xq);
        short[] tables = new short[BLOCK / 2 * TABLE];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        for (int b = 0; b < blocks; b++) {
            int k0 = b * BLOCK;
            LookupTables.pairs(xq, k0, BLOCK / 2, tables, 0); // a call of its own: its constant vectors stay out of the kernel's registers
            float step = dx[b * 8];
            for (int g = from / GROUP; g < to / GROUP; g++) {
                long tile = ((long) b * groups + g) * TILE;
                IntVector scaled0 = IntVector.zero(IS), scaled1 = scaled0, mins0 = scaled0, mins1 = scaled0;
                for (int n = 0; n < 16; n++) {
                    long scales = tile + QUARTERS + (n >> 2) * PART;
                    long q = scales + 4L * GROUP + (n & 3) * 2 * VECTOR;
                    int shift = 8 * (n & 3);
                    IntVector sm0 = IntVector.fromMemorySegment(IS, weights, scales, LITTLE_ENDIAN).lanewise(LSHR, shift);
                    IntVector sm1 = IntVector.fromMemorySegment(IS, weights, scales + 4L * HALF, LITTLE_ENDIAN).lanewise(LSHR, shift);
                    ShortVector p0 = ShortVector.fromMemorySegment(SS, weights, q, LITTLE_ENDIAN);
                    ShortVector p1 = ShortVector.fromMemorySegment(SS, weights, q + VECTOR, LITTLE_ENDIAN);
                    int at = 8 * n * TABLE;
                    IntVector sums = p0.selectFrom(ShortVector.fromArray(SS, tables, at))
                            .add(p0.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, at + TABLE)))
                            .add(p0.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, at + 2 * TABLE)))
                            .add(p0.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, at + 3 * TABLE)))
                            .add(p1.selectFrom(ShortVector.fromArray(SS, tables, at + 4 * TABLE)))
                            .add(p1.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, at + 5 * TABLE)))
                            .add(p1.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, at + 6 * TABLE)))
                            .add(p1.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, at + 7 * TABLE)))
                            .reinterpretAsInts();
                    int xs = xsum[k0 / 16 + n];
                    scaled0 = sums.lanewise(LSHL, 16).lanewise(ASHR, 16).mul(sm0.and(0xF)).add(scaled0);
                    scaled1 = sums.lanewise(ASHR, 16).mul(sm1.and(0xF)).add(scaled1);
                    mins0 = sm0.lanewise(LSHR, 4).and(0xF).mul(xs).add(mins0);
                    mins1 = sm1.lanewise(LSHR, 4).and(0xF).mul(xs).add(mins1);
                }
                IntVector d = IntVector.fromMemorySegment(IS, weights, tile + D, LITTLE_ENDIAN);
                IntVector dmin = IntVector.fromMemorySegment(IS, weights, tile + DMIN, LITTLE_ENDIAN);
                FloatVector d0 = d.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = d.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector dmin0 = dmin.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector dmin1 = dmin.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector acc0 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP);
                FloatVector acc1 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP + HALF);
                acc0 = ((FloatVector) scaled0.convert(I2F, 0)).fma(d0.mul(step), acc0);
                acc1 = ((FloatVector) scaled1.convert(I2F, 0)).fma(d1.mul(step), acc1);
                acc0 = ((FloatVector) mins0.convert(I2F, 0)).fma(dmin0.mul(-step), acc0);
                acc1 = ((FloatVector) mins1.convert(I2F, 0)).fma(dmin1.mul(-step), acc1);
                acc0.intoArray(out, g * GROUP);
                acc1.intoArray(out, g * GROUP + HALF);
            }
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

    /** The scalar twin of {@link #matvec}: the same rounding of x, the same integer totals, the same multiply-adds. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeKScalar(x, xOff, cols, xq, dx);
        int[] xsum = sums16(xq);
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            int r = row % GROUP;
            int scaled = 0, mins = 0;
            for (int n = 0; n < 16; n++) {
                int sum = 0;
                for (int i = 0; i < 16; i++) {
                    sum += quant(tile, r, 16 * n + i) * xq[b * BLOCK + 16 * n + i];
                }
                int sm = scaleMin(tile, r, n);
                scaled += sum * (sm & 0xF);
                mins += (sm >>> 4) * xsum[b * BLOCK / 16 + n];
            }
            float step = dx[b * 8];
            acc = Math.fma((float) scaled, scaledDown(tile + D, r) * step, acc);
            acc = Math.fma((float) mins, scaledDown(tile + DMIN, r) * -step, acc);
        }
        return acc;
    }

    /** Weight {@code (d·scale)·q − dmin·min}, as {@link Q2_KTensor} reads the file. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int r = row % GROUP;
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            float d = scaledDown(tile + D, r);
            float dmin = scaledDown(tile + DMIN, r);
            for (int i = 0; i < BLOCK; i++) {
                int sm = scaleMin(tile, r, i / 16);
                out[off + b * BLOCK + i] = d * (sm & 0xF) * quant(tile, r, i) - dmin * (sm >>> 4);
            }
        }
    }

    /** Quant i (0..255) of row {@code r} in the tile at {@code tile}. */
    private int quant(long tile, int r, int i) {
        short v = data.get(F16Tensor.HALF, tile + quants(i / 8) + 2L * pairedLane(r));
        int nibble = v >>> 4 * (i % 8 / 2) & 0xF;
        return i % 2 == 0 ? nibble & 3 : nibble >>> 2;
    }

    /** Sub-block n's byte of row {@code r}, scale | min << 4. */
    private int scaleMin(long tile, int r, int n) {
        return data.get(ValueLayout.JAVA_BYTE, tile + QUARTERS + n / 4 * PART + 4L * r + n % 4) & 0xFF;
    }

    /** Where quant vector {@code v} (0..31: sub-block v / 2, half v % 2) starts in a tile. */
    private static long quants(int v) {
        return QUARTERS + v / 8 * PART + 4L * GROUP + v % 8 * VECTOR;
    }

    /**
     * Each nibble of a tile's vector of shorts is two columns of the panel: its two quants
     * widened, times the rows' d·scale, less their dmin·min.
     */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            IntVector d = IntVector.fromMemorySegment(IS, data, tile + D, LITTLE_ENDIAN);
            IntVector dmin = IntVector.fromMemorySegment(IS, data, tile + DMIN, LITTLE_ENDIAN);
            FloatVector d0 = lowScales(d), d1 = highScales(d), dmin0 = lowScales(dmin), dmin1 = highScales(dmin);
            for (int n = 0; n < 16; n++) {
                int shift = 8 * (n % 4);
                IntVector sm0 = IntVector.fromMemorySegment(IS, data, tile + QUARTERS + n / 4 * PART, LITTLE_ENDIAN).lanewise(LSHR, shift);
                IntVector sm1 = IntVector.fromMemorySegment(IS, data, tile + QUARTERS + n / 4 * PART + 4L * HALF, LITTLE_ENDIAN).lanewise(LSHR, shift);
                FloatVector scale0 = d0.mul((FloatVector) sm0.and(0xF).convert(I2F, 0));
                FloatVector scale1 = d1.mul((FloatVector) sm1.and(0xF).convert(I2F, 0));
                FloatVector min0 = dmin0.mul((FloatVector) sm0.lanewise(LSHR, 4).and(0xF).convert(I2F, 0));
                FloatVector min1 = dmin1.mul((FloatVector) sm1.lanewise(LSHR, 4).and(0xF).convert(I2F, 0));
                for (int t = 0; t < 2; t++) {
                    ShortVector v = ShortVector.fromMemorySegment(SS, data, tile + quants(2 * n + t), LITTLE_ENDIAN);
                    for (int j = 0; j < 4; j++) {
                        ShortVector nibble = v.lanewise(LSHR, 4 * j);
                        int column = b * BLOCK + 16 * n + 8 * t + 2 * j - k0;
                        for (int e = 0; e < 2; e++) {
                            IntVector q = nibble.lanewise(LSHR, 2 * e).and((short) 3).reinterpretAsInts();
                            ((FloatVector) q.and(0xFFFF).convert(I2F, 0)).mul(scale0).sub(min0).intoArray(panel, (column + e) * GROUP);
                            ((FloatVector) q.lanewise(LSHR, 16).convert(I2F, 0)).mul(scale1).sub(min1).intoArray(panel, (column + e) * GROUP + HALF);
                        }
                    }
                }
            }
        }
    }

    /** Where super-block {@code b} of the group holding {@code row} starts. */
    private long tile(int row, int b) {
        return ((long) b * (rows / GROUP) + row / GROUP) * TILE;
    }
}
