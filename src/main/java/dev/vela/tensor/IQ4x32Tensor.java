package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.KQuant.IQ4_LEVELS;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * IQ4_NL copied at load with {@link #GROUP} rows side by side, multiplied in 16-bit
 * integer lanes without a multiply: x is rounded to 8 bits per 32 values (as for
 * {@link Q4_0x32Tensor}), and before the rows are read each column k gets a table of its 16
 * products {@code xq[k] × level + 2^14}; a lane's 4-bit index then picks its product with one
 * permutation of that table ({@code vpermw}). The levels reach ±127, so a product reaches
 * ±16129: biased by 2^14 it is positive, and two of them sum below 2^16 as unsigned 16-bit
 * values. Each such pair sum is added into 32-bit lanes as it stands, two rows per int
 * (the low half of every int is one row, the high half another), and the high halves are
 * counted once more on their own; the two rows' exact sums come apart at the end of each 32
 * columns. Per 32 weights that is a shift, a permutation and about two additions. Tried
 * before this: a multiply per product after looking up the level, widened every second
 * product (12 GB/s from memory), and floats, a shift, mask, permutation and multiply-add per 16
 * weights (10 GB/s, no faster than the file layout's kernel). Tried after it: reading two or
 * four groups at once so that each table loaded serves them all (the table loads cost: with two
 * of a vector's four tables held in registers, wrongly, a test kernel ran 21 → 24 GB/s in cache):
 * no faster in cache and 8–12 against 17 GB/s from memory, whether the groups' tiles lay apart,
 * side by side or interleaved vector by vector; two columns' tables in one vector (the index's
 * bit 4 picking the half): no faster; a byte loaded 1–4.5 KB ahead of the stream as a prefetch:
 * slower. {@link IQ4_XSx32Tensor} shares the
 * tables and the lookups, with its own layout and scales. The layout's header fields and
 * sub-blocks per block are still written for any block size, as when IQ4_XS used this class.
 *
 * <p>Layout: per group of rows and block of the file ({@link #blockCols} columns), one tile of the same size as the group's blocks: first each field of
 * the block's header for the whole group (field by field, rows in order), then per sub-block
 * of 32 columns eight vectors of shorts: lane l of vector c holds bytes {@code 2c, 2c + 1} of
 * the 16 index bytes of row {@code l / 2} for even l, row {@code GROUP / 2 + l / 2} for odd l
 * (so that an int's low and high halves are rows m and m + GROUP / 2). A short's nibbles are
 * columns 2c, 2c + 16, 2c + 1 and 2c + 17 of the sub-block, as in {@link Q4_0x32Tensor}. The
 * tiles go slice by slice of {@link #SLICE} columns, in a slice group after group, so that a
 * product reads each slice as one stream while the slice's tables stay in the first-level
 * cache (the inner loop alone, timed with all 2048 columns' tables in the second-level cache,
 * ran at half the speed).
 *
 * <p>The permutation takes the low 5 bits of a 16-bit lane at 512 bits (the table is the 16
 * products twice) and the low 4 at 256; narrower machines keep the file's layout.
 */
abstract class IQ4x32Tensor extends RowGroupTensor {
    /** Columns whose tables are made at once, kept in the first-level cache (16 KB at 512 bits), and read slice by slice. */
    static final int SLICE = 256;
    /** Entries of a column's table ({@link LookupTables}). */
    private static final int TABLE = LookupTables.ENTRIES;
    static final short[] LEVELS = LookupTables.repeated(i -> IQ4_LEVELS[i]);
    /** Added to every product so that it is positive: |xq × level| ≤ 127 × 127 < 2^14. */
    private static final int BIAS = 1 << 14;
    /** The bias a row's sum over 32 columns carries. */
    static final int BLOCK_BIAS = 32 * BIAS;

    final int blockCols;
    final int headerBytes;
    final long tileBytes;
    /** From one sub-block's indices to the next within a slice: the next tile (a block is one sub-block) or the next 16 bytes of rows. */
    private final long subStride;

    IQ4x32Tensor(GGMLType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
        this.blockCols = type.blockSize;
        this.headerBytes = type.typeSize - type.blockSize / 2;
        this.tileBytes = (long) type.typeSize * GROUP;
        this.subStride = blockCols == 32 ? tileBytes : 16L * GROUP;
    }

    /**
     * The group's scales for {@code subs} sub-blocks from the tile at {@code first} on (IQ4_NL:
     * one a block, its tiles one after another): {@code GROUP}
     * floats per sub-block, rows in order, one sub-block after the other, into {@code into};
     * vectorized.
     */
    abstract void scales(long first, int subs, float[] into);

    /** The scalar twin of {@link #scales}: the scale of sub-block {@code sub} of the group's row {@code r}. */
    abstract float scale(long tile, int r, int sub);

    /**
     * Copies {@code source} into this layout, a group of rows at a time through byte arrays; the
     * header's fields are {@code fields} bytes long each, in file order.
     */
    static MemorySegment copy(Tensor source, Arena arena, int[] fields) {
        GGMLType type = source.type();
        int groups = source.rows() / GROUP, blocks = source.cols() / type.blockSize, blockBytes = type.typeSize;
        return copyByTiles(source, arena, (long) blockBytes * GROUP, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int lane = pairedLane(r);
                int block = r * rowBytes + b * blockBytes;
                int at = 0;
                for (int size : fields) {
                    System.arraycopy(in, block + at, tile, at * GROUP + r * size, size);
                    at += size;
                }
                for (; at < blockBytes; at += 16) {
                    for (int c = 0; c < 8; c++) {
                        tile[at * GROUP + 2 * (c * GROUP + lane)] = in[block + at + 2 * c];
                        tile[at * GROUP + 2 * (c * GROUP + lane) + 1] = in[block + at + 2 * c + 1];
                    }
                }
            }
        }, (g, b) -> tileAt(g, b, groups, blocks, SLICE / type.blockSize, (long) blockBytes * GROUP));
    }

    /**
     * Rows {@code [from, to)}, whole groups, a slice of {@link #SLICE} columns at a time (so that
     * the slice's tables stay in the first-level cache): the slice's tables, then per group and
     * sub-block eight loads of 32 rows' four columns each. A load's low two nibbles pick their
     * products and sum them (below 2^16), and so do its high two; each sum is added as ints to
     * {@code all} and its high halves to {@code high}. The low-half rows' sums are then
     * {@code all − high·2^16}, the high-half rows' {@code high}, each less the bias. A group's
     * sums carry from slice to slice in {@code out}. One loop runs over the slice's sub-blocks
     * (IQ4_NL's blocks), each tile's scales made just before its
     * indices are read. The shift counts are vectors (see {@link Q4_0x32Tensor#matvec}).
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        MemorySegment weights = data; // a local: read through the field, every load re-checked the segment's class
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantize(x, cols, xq, dx);
        short[] tables = new short[SLICE * TABLE];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        float[] s = new float[blockCols / 32 * GROUP];
        int groups = rows / GROUP, blocks = cols / blockCols, perSlice = SLICE / blockCols;
        long indices = (long) headerBytes * GROUP;
        int subsPerTile = blockCols / 32;
        for (int k0 = 0; k0 < cols; k0 += SLICE) {
            int k1 = Math.min(cols, k0 + SLICE), subs = (k1 - k0) / 32;
            tables(xq, k0, k1, tables);
            for (int g = from / GROUP; g < to / GROUP; g++) {
                long first = tileAt(g, k0 / blockCols, groups, blocks, perSlice, tileBytes);
                FloatVector acc0 = k0 == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP);
                FloatVector acc1 = k0 == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP + HALF);
                for (int u = 0; u < subs; u++) {
                    if (u % subsPerTile == 0) { // each tile's scales just before its indices: read front to back
                        scales(first + u / subsPerTile * tileBytes, subsPerTile, s);
                    }
                    long q = first + indices + u * subStride;
                    IntVector all = IntVector.zero(IS);
                    IntVector high = all;
                    for (int c = 0; c < 8; c++) {
                        ShortVector v = ShortVector.fromMemorySegment(SS, weights, q + 2L * c * GROUP, LITTLE_ENDIAN);
                        int t = (32 * u + 2 * c) * TABLE;
                        IntVector p01 = v.selectFrom(ShortVector.fromArray(SS, tables, t))
                                .add(v.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, t + 16 * TABLE))).reinterpretAsInts();
                        IntVector p23 = v.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, t + TABLE))
                                .add(v.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, t + 17 * TABLE))).reinterpretAsInts();
                        all = all.add(p01).add(p23);
                        high = high.add(p01.lanewise(LSHR, 16)).add(p23.lanewise(LSHR, 16));
                    }
                    float step = dx[k0 / 32 + u];
                    IntVector low = all.sub(high.lanewise(LSHL, 16)).sub(BLOCK_BIAS);
                    int at = u % subsPerTile * GROUP;
                    acc0 = ((FloatVector) low.convert(I2F, 0)).fma(FloatVector.fromArray(FS, s, at).mul(step), acc0);
                    acc1 = ((FloatVector) high.sub(BLOCK_BIAS).convert(I2F, 0)).fma(FloatVector.fromArray(FS, s, at + HALF).mul(step), acc1);
                }
                acc0.intoArray(out, g * GROUP);
                acc1.intoArray(out, g * GROUP + HALF);
            }
        }
    }

    /**
     * The tables of columns {@code [k0, k1)}. A method of its own so that its constant vector is
     * not live across the kernel's loops (see {@link Q3_Kx32Tensor}).
     */
    static void tables(short[] xq, int k0, int k1, short[] tables) {
        ShortVector levels = ShortVector.fromArray(SS, LEVELS, 0);
        for (int k = k0; k < k1; k++) {
            levels.mul(xq[k]).add((short) BIAS).intoArray(tables, (k - k0) * TABLE);
        }
    }

    /** The scalar twin of {@link #matvec}: the same rounding of x, the same exact sums, the same multiply-adds. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeScalar(x, xOff, cols, xq, dx);
        int r = row % GROUP, lane = pairedLane(r);
        float acc = 0f;
        for (int b = 0; b < cols / blockCols; b++) {
            long tile = tile(row, b);
            for (int i = 0; i < blockCols / 32; i++) {
                long q = tile + (long) (headerBytes + 16 * i) * GROUP;
                int k = b * blockCols + 32 * i;
                int sum = 0;
                for (int c = 0; c < 8; c++) {
                    int v = data.get(F16Tensor.HALF, q + 2L * (c * GROUP + lane));
                    sum += xq[k + 2 * c] * IQ4_LEVELS[v & 0xF]
                            + xq[k + 2 * c + 16] * IQ4_LEVELS[v >>> 4 & 0xF]
                            + xq[k + 2 * c + 1] * IQ4_LEVELS[v >>> 8 & 0xF]
                            + xq[k + 2 * c + 17] * IQ4_LEVELS[v >>> 12 & 0xF];
                }
                acc = Math.fma((float) sum, scale(tile, r, i) * dx[k / 32], acc);
            }
        }
        return acc;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int r = row % GROUP, lane = pairedLane(r);
        for (int b = 0; b < cols / blockCols; b++) {
            long tile = tile(row, b);
            for (int i = 0; i < blockCols / 32; i++) {
                long q = tile + (long) (headerBytes + 16 * i) * GROUP;
                float d = scale(tile, r, i);
                int at = off + b * blockCols + 32 * i;
                for (int c = 0; c < 8; c++) {
                    int v = data.get(F16Tensor.HALF, q + 2L * (c * GROUP + lane));
                    out[at + 2 * c] = d * IQ4_LEVELS[v & 0xF];
                    out[at + 2 * c + 16] = d * IQ4_LEVELS[v >>> 4 & 0xF];
                    out[at + 2 * c + 1] = d * IQ4_LEVELS[v >>> 8 & 0xF];
                    out[at + 2 * c + 17] = d * IQ4_LEVELS[v >>> 12 & 0xF];
                }
            }
        }
    }

    /**
     * The panel block by block: the rows' scales, then each sub-block through
     * {@link #subBlockIntoPanel}.
     */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int subs = blockCols / 32;
        float[] s = new float[subs * GROUP];
        for (int b = k0 / blockCols; b < k1 / blockCols; b++) {
            long tile = tile(first, b);
            scales(tile, blockCols / 32, s);
            for (int i = 0; i < subs; i++) {
                long q = tile + (long) (headerBytes + 16 * i) * GROUP;
                FloatVector d0 = FloatVector.fromArray(FS, s, i * GROUP);
                FloatVector d1 = FloatVector.fromArray(FS, s, i * GROUP + HALF);
                int column = (b * blockCols + 32 * i - k0) * GROUP;
                subBlockIntoPanel(data, q, d0, d1, panel, column);
            }
        }
    }

    /**
     * The eight vectors of a sub-block's indices at {@code q} as its 32 columns of a panel from
     * {@code column}: each nibble's level picked from the table of levels, the ints' low and high
     * halves (rows in the panel's first and second half) widened apart and scaled by {@code d0},
     * {@code d1}. IQ4_NL's and IQ4_XS's panels alike.
     */
    static void subBlockIntoPanel(MemorySegment data, long q, FloatVector d0, FloatVector d1, float[] panel, int column) {
        ShortVector levels = ShortVector.fromArray(SS, LEVELS, 0);
        for (int c = 0; c < 8; c++) {
            ShortVector v = ShortVector.fromMemorySegment(SS, data, q + 2L * c * GROUP, LITTLE_ENDIAN);
            for (int j = 0; j < 4; j++) {
                IntVector l = v.lanewise(LSHR, 4 * j).selectFrom(levels).reinterpretAsInts();
                int at = column + (2 * c + (j == 1 || j == 3 ? 16 : 0) + (j >= 2 ? 1 : 0)) * GROUP;
                ((FloatVector) l.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).mul(d0).intoArray(panel, at);
                ((FloatVector) l.lanewise(ASHR, 16).convert(I2F, 0)).mul(d1).intoArray(panel, at + HALF);
            }
        }
    }

    /** Where block {@code b} of the group holding {@code row} starts. */
    final long tile(int row, int b) {
        return tileAt(row / GROUP, b, rows / GROUP, cols / blockCols, SLICE / blockCols, tileBytes);
    }

    /**
     * Where block {@code b} of group {@code g} starts: slice by slice of {@link #SLICE} columns
     * ({@code perSlice} blocks, fewer in a last short one), in each slice group after group.
     */
    static long tileAt(int g, int b, int groups, int blocks, int perSlice, long tileBytes) {
        int first = b / perSlice * perSlice;
        int inSlice = Math.min(perSlice, blocks - first);
        return ((long) first * groups + (long) g * inSlice + (b - first)) * tileBytes;
    }
}
