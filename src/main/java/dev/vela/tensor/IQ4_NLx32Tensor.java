package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.IQ4Lookups.BLOCK_BIAS;
import static dev.vela.tensor.KQuant.IQ4_LEVELS;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * IQ4_NL copied at load with {@link #GROUP} rows side by side, its products looked up
 * ({@link IQ4Lookups}): x is rounded to 8 bits per 32 values (as for {@link Q4_0x32Tensor}),
 * each column gets a table of its 16 products, and a lane's 4-bit index picks its product with
 * one permutation; two rows share each int and are taken apart per block.
 *
 * <p>Layout: per group of rows and block of 32 columns, one tile of the group's 18-byte blocks'
 * size: first the rows' scales, then eight vectors of shorts where lane l of vector c holds
 * bytes {@code 2c, 2c + 1} of the 16 index bytes of row {@link #pairedLane} l (an int's low and
 * high halves are rows m and m + GROUP / 2). A short's nibbles are columns 2c, 2c + 16, 2c + 1
 * and 2c + 17, as in {@link Q4_0x32Tensor}. The scales take the same lanes as the rows' sums,
 * each the file's d times 2^10 ({@link #scaledUp}), made floats in five integer
 * operations; a matrix whose |d| reaches 64 keeps the file layout. The
 * tiles go slice by slice of {@link #SLICE} columns, in a slice group after group, so that a
 * product reads each slice as one stream while the slice's tables stay in the first-level cache.
 */
final class IQ4_NLx32Tensor extends RowGroupTensor {
    /** Columns whose tables are made at once, kept in the first-level cache (16 KB at 512 bits), and read slice by slice. */
    static final int SLICE = 256;
    private static final int BLOCK = 32;
    private static final int BLOCK_BYTES = 18;
    private static final long TILE = (long) BLOCK_BYTES * GROUP;
    private static final long SCALES = 2L * GROUP;
    private static final int TABLE = LookupTables.ENTRIES;
    private IQ4_NLx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_NL, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_NL;
    }

    /** The copy of {@code source} (whose scales fit, {@link #scalesFit}) in this layout, a group of rows at a time through byte arrays. */
    static IQ4_NLx32Tensor of(Tensor source, Arena arena) {
        int groups = source.rows() / GROUP, blocks = source.cols() / BLOCK;
        MemorySegment to = copyByTiles(source, arena, TILE, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int lane = pairedLane(r);
                int block = r * rowBytes + b * BLOCK_BYTES;
                putScaledUp(in, block, r, tile, 0);
                for (int c = 0; c < 8; c++) {
                    tile[(int) SCALES + 2 * (c * GROUP + lane)] = in[block + 2 + 2 * c];
                    tile[(int) SCALES + 2 * (c * GROUP + lane) + 1] = in[block + 2 + 2 * c + 1];
                }
            }
        }, (g, b) -> tileAt(g, b, groups, blocks));
        return new IQ4_NLx32Tensor(to, source.rows(), source.cols());
    }

    /**
     * Rows {@code [from, to)}, whole groups, a slice of {@link #SLICE} columns at a time (so that
     * the slice's tables stay in the first-level cache): the slice's tables, then per group and
     * block eight loads of 32 rows' four columns each. A load's low two nibbles pick their
     * products and sum them (below 2^16), and so do its high two; each sum is added as ints to
     * {@code all} and its high halves to {@code high}. The low-half rows' sums are then
     * {@code all − high·2^16}, the high-half rows' {@code high}, each less the bias; each times
     * its scale and x's step is added to the row's float. A group's sums carry from slice to
     * slice in {@code out}. A block's scales are loaded before its indices, so that a tile is
     * read front to back (loaded after them, the shares of Q4_0's GB/s from memory in alternating
     * rounds were 81–94% against 89–99%). The shift counts are vectors (see {@link Q4_0x32Tensor#matvec}). The
     * scales are converted as {@link #lowScales} and {@link #highScales}
     * do, written out: through those calls the kernel's vectors were boxed (0.6 GB/s).
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        MemorySegment weights = data; // a local: read through the field, every load re-checked the segment's class
        short[] xq = new short[cols];
        float[] dx = new float[cols / BLOCK];
        QuantizedInput.quantize(x, cols, xq, dx);
        short[] tables = new short[SLICE * TABLE];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        int groups = rows / GROUP, blocks = cols / BLOCK;
        for (int k0 = 0; k0 < cols; k0 += SLICE) {
            int inSlice = (Math.min(cols, k0 + SLICE) - k0) / BLOCK;
            IQ4Lookups.tables(xq, k0, k0 + inSlice * BLOCK, tables);
            for (int g = from / GROUP; g < to / GROUP; g++) {
                long first = tileAt(g, k0 / BLOCK, groups, blocks);
                FloatVector acc0 = k0 == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP);
                FloatVector acc1 = k0 == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP + HALF);
                for (int u = 0; u < inSlice; u++) {
                    long tile = first + u * TILE;
                    IntVector h = IntVector.fromMemorySegment(IS, weights, tile, LITTLE_ENDIAN);
                    IntVector all = IntVector.zero(IS);
                    IntVector high = all;
                    for (int c = 0; c < 8; c++) {
                        ShortVector v = ShortVector.fromMemorySegment(SS, weights, tile + SCALES + c * SCALES, LITTLE_ENDIAN);
                        int t = (BLOCK * u + 2 * c) * TABLE;
                        IntVector p01 = v.selectFrom(ShortVector.fromArray(SS, tables, t))
                                .add(v.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, t + 16 * TABLE))).reinterpretAsInts();
                        IntVector p23 = v.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, t + TABLE))
                                .add(v.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, t + 17 * TABLE))).reinterpretAsInts();
                        all = all.add(p01).add(p23);
                        high = high.add(p01.lanewise(LSHR, 16)).add(p23.lanewise(LSHR, 16));
                    }
                    IntVector low = all.sub(high.lanewise(LSHL, 16)).sub(BLOCK_BIAS);
                    float step = dx[k0 / BLOCK + u];
                    FloatVector d0 = h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                    FloatVector d1 = h.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                    acc0 = ((FloatVector) low.convert(I2F, 0)).fma(d0.mul(step), acc0);
                    acc1 = ((FloatVector) high.sub(BLOCK_BIAS).convert(I2F, 0)).fma(d1.mul(step), acc1);
                }
                acc0.intoArray(out, g * GROUP);
                acc1.intoArray(out, g * GROUP + HALF);
            }
        }
    }

    /** The scalar twin of {@link #matvec}: the same rounding of x, the same exact sums, the same multiply-adds. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / BLOCK];
        QuantizedInput.quantizeScalar(x, xOff, cols, xq, dx);
        int lane = pairedLane(row % GROUP);
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            int k = b * BLOCK;
            int sum = 0;
            for (int c = 0; c < 8; c++) {
                int v = data.get(F16Tensor.HALF, tile + SCALES + 2L * (c * GROUP + lane));
                sum += xq[k + 2 * c] * IQ4_LEVELS[v & 0xF]
                        + xq[k + 2 * c + 16] * IQ4_LEVELS[v >>> 4 & 0xF]
                        + xq[k + 2 * c + 1] * IQ4_LEVELS[v >>> 8 & 0xF]
                        + xq[k + 2 * c + 17] * IQ4_LEVELS[v >>> 12 & 0xF];
            }
            acc = Math.fma((float) sum, scaledDown(tile, row % GROUP) * dx[b], acc);
        }
        return acc;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int lane = pairedLane(row % GROUP);
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            float d = scaledDown(tile, row % GROUP);
            int at = off + b * BLOCK;
            for (int c = 0; c < 8; c++) {
                int v = data.get(F16Tensor.HALF, tile + SCALES + 2L * (c * GROUP + lane));
                out[at + 2 * c] = d * IQ4_LEVELS[v & 0xF];
                out[at + 2 * c + 16] = d * IQ4_LEVELS[v >>> 4 & 0xF];
                out[at + 2 * c + 1] = d * IQ4_LEVELS[v >>> 8 & 0xF];
                out[at + 2 * c + 17] = d * IQ4_LEVELS[v >>> 12 & 0xF];
            }
        }
    }

    /** The panel block by block: the rows' scales, then the block's indices through {@link IQ4Lookups#subBlockIntoPanel}. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
            IQ4Lookups.subBlockIntoPanel(data, tile + SCALES, lowScales(h), highScales(h), panel, (b * BLOCK - k0) * GROUP);
        }
    }

    /** Where block {@code b} of the group holding {@code row} starts. */
    private long tile(int row, int b) {
        return tileAt(row / GROUP, b, rows / GROUP, cols / BLOCK);
    }

    /**
     * Where block {@code b} of group {@code g} starts: slice by slice of {@link #SLICE} columns
     * (fewer blocks in a last short one), in each slice group after group.
     */
    private static long tileAt(int g, int b, int groups, int blocks) {
        int perSlice = SLICE / BLOCK;
        int first = b / perSlice * perSlice;
        int inSlice = Math.min(perSlice, blocks - first);
        return ((long) first * groups + (long) g * inSlice + (b - first)) * TILE;
    }
}
