package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.vela.tensor.KQuant.IQ4_LEVELS;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * IQ4_XS with {@link #GROUP} rows side by side, its products looked up as {@link IQ4Lookups}'s
 * (a table per column of {@code xq × level + 2^14}, two products summed in 16 bits, pairs of
 * rows taken apart per 32 columns). Unlike IQ4_NL, x is rounded to 8 bits per super-block of
 * 256 (as llama.cpp's Q8_K, which it uses for IQ4_XS), so that a super-block's eight sub-block
 * sums are multiplied by their 6-bit scales in ints and the total is scaled once, d·step, as
 * {@link Q3_Kx32Tensor} does: unpacking the packed scales to floats per super-block and scaling
 * every sub-block in floats took about a tenth of the kernel (19–20 against 22–23 GB/s in
 * cache). The copy keeps each scale {@code s − 32} as a signed byte (138 bytes a super-block
 * and row against the file's 136).
 *
 * <p>Layout: per super-block and group of rows, one tile of {@code 138 × GROUP} bytes: the rows'
 * scales of sub-blocks 0–3 (one int per row, byte k for sub-block k), of sub-blocks 4–7, the
 * rows' d ({@link #scaledUp}), then per sub-block eight vectors of indices as {@link IQ4_NLx32Tensor}'s (lane l of
 * vector c: bytes 2c, 2c + 1 of the 16 of row {@link #pairedLane} l). The tiles go one
 * super-block at a time, in each the groups one after another, so that the super-block's
 * tables stay in the first-level cache. With each half's scales just before its indices
 * instead, the kernel was as fast in cache but streamed 13.5 against 17 GB/s from memory.
 */
final class IQ4_XSx32Tensor extends RowGroupTensor {
    private static final int BLOCK = 256;
    private static final int FILE_BLOCK_BYTES = 136;
    private static final long VECTOR = 2L * GROUP;
    /** A sub-block's indices: eight vectors. */
    private static final long SUB = 8 * VECTOR;
    /** Four sub-blocks' scales: one int per row. */
    private static final long PART = 4L * GROUP;
    private static final long D = 2 * PART;
    private static final long INDICES = D + 2L * GROUP;
    private static final long TILE = INDICES + 8 * SUB;
    private static final int TABLE = LookupTables.ENTRIES;

    private IQ4_XSx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.IQ4_XS, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.IQ4_XS;
    }

    /** The copy of {@code source} in this layout, in memory of {@code arena}, a group of rows at a time through byte arrays. */
    static IQ4_XSx32Tensor of(Tensor source, Arena arena) {
        int groups = source.rows() / GROUP;
        MemorySegment to = copyByTiles(source, arena, TILE, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int block = r * rowBytes + b * FILE_BLOCK_BYTES;
                int lane = pairedLane(r);
                putScaledUp(in, block, r, tile, (int) D);
                int high = (in[block + 2] & 0xFF) | (in[block + 3] & 0xFF) << 8;
                for (int u = 0; u < 8; u++) {
                    int low = (in[block + 4 + u / 2] & 0xFF) >>> 4 * (u % 2) & 0xF;
                    tile[(int) (u / 4 * PART) + 4 * r + u % 4] = (byte) ((low | (high >>> 2 * u & 3) << 4) - 32);
                    int sub = (int) indices(u);
                    for (int c = 0; c < 8; c++) {
                        tile[sub + 2 * (c * GROUP + lane)] = in[block + 8 + 16 * u + 2 * c];
                        tile[sub + 2 * (c * GROUP + lane) + 1] = in[block + 8 + 16 * u + 2 * c + 1];
                    }
                }
            }
        }, (g, b) -> ((long) b * groups + g) * TILE);
        return new IQ4_XSx32Tensor(to, source.rows(), source.cols());
    }

    /** Where sub-block u's indices start in a tile. */
    private static long indices(int u) {
        return INDICES + u * SUB;
    }

    /**
     * Rows {@code [from, to)}, whole groups, a super-block at a time: its columns' tables, then
     * per group and sub-block {@link IQ4_NLx32Tensor#matvec}'s eight loads and lookups; the
     * sub-block's two sums (rows of the first and second half group) times the rows' scales,
     * added in ints; per super-block the totals scaled, d·step. A group's sums carry from
     * super-block to super-block in {@code out}.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        MemorySegment weights = data; // a local: read through the field, every load re-checked the segment's class
        int blocks = cols / BLOCK, groups = rows / GROUP;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        short[] tables = new short[BLOCK * TABLE];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        int subs = dx.length / Math.max(1, blocks); // 8, but not a constant to the JIT: unrolled whole, the loop kept its vectors on the stack
        for (int b = 0; b < blocks; b++) {
            IQ4Lookups.tables(xq, b * BLOCK, b * BLOCK + BLOCK, tables);
            float step = dx[b * 8];
            for (int g = from / GROUP; g < to / GROUP; g++) {
                long tile = ((long) b * groups + g) * TILE;
                IntVector total0 = IntVector.zero(IS), total1 = total0;
                for (int u = 0; u < subs; u++) {
                    long q = tile + INDICES + u * SUB;
                    IntVector all = IntVector.zero(IS);
                    IntVector high = all;
                    for (int c = 0; c < 8; c++) {
                        ShortVector v = ShortVector.fromMemorySegment(SS, weights, q + c * VECTOR, LITTLE_ENDIAN);
                        int t = (32 * u + 2 * c) * TABLE;
                        IntVector p01 = v.selectFrom(ShortVector.fromArray(SS, tables, t))
                                .add(v.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, t + 16 * TABLE))).reinterpretAsInts();
                        IntVector p23 = v.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, t + TABLE))
                                .add(v.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, t + 17 * TABLE))).reinterpretAsInts();
                        all = all.add(p01).add(p23);
                        high = high.add(p01.lanewise(LSHR, 16)).add(p23.lanewise(LSHR, 16));
                    }
                    IntVector low = all.sub(high.lanewise(LSHL, 16)).sub(IQ4Lookups.BLOCK_BIAS);
                    long scales = tile + (u >> 2) * PART;
                    int up = 24 - 8 * (u & 3);
                    IntVector sc0 = IntVector.fromMemorySegment(IS, weights, scales, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                    IntVector sc1 = IntVector.fromMemorySegment(IS, weights, scales + 4L * HALF, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                    total0 = low.mul(sc0).add(total0);
                    total1 = high.sub(IQ4Lookups.BLOCK_BIAS).mul(sc1).add(total1);
                }
                IntVector h = IntVector.fromMemorySegment(IS, weights, tile + D, LITTLE_ENDIAN);
                FloatVector d0 = h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = h.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector acc0 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP);
                FloatVector acc1 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP + HALF);
                ((FloatVector) total0.convert(I2F, 0)).fma(d0.mul(step), acc0).intoArray(out, g * GROUP);
                ((FloatVector) total1.convert(I2F, 0)).fma(d1.mul(step), acc1).intoArray(out, g * GROUP + HALF);
            }
        }
    }

    /** The scalar twin of {@link #matvec}: the same rounding of x, the same integer total, the same multiply-add. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeKScalar(x, xOff, cols, xq, dx);
        int r = row % GROUP;
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            int total = 0;
            for (int i = 0; i < BLOCK; i += 32) {
                int sum = 0;
                for (int k = i; k < i + 32; k++) {
                    sum += IQ4_LEVELS[index(tile, r, k)] * xq[b * BLOCK + k];
                }
                total += sum * scale(tile, r, i / 32);
            }
            acc = Math.fma((float) total, d(tile, r) * dx[b * 8], acc);
        }
        return acc;
    }

    /** Weight {@code d·(s − 32)·level}, as {@link IQ4_XSTensor} reads the file. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int r = row % GROUP;
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            float d = d(tile, r);
            for (int i = 0; i < BLOCK; i++) {
                out[off + b * BLOCK + i] = d * scale(tile, r, i / 32) * IQ4_LEVELS[index(tile, r, i)];
            }
        }
    }

    /** The 4-bit index of column i (0..255) of row {@code r} in the tile at {@code tile}: byte l of sub-block i / 32 holds columns l and l + 16. */
    private int index(long tile, int r, int i) {
        int u = i / 32, l = i % 32 % 16;
        int at = (int) indices(u) + 2 * ((l / 2) * GROUP + pairedLane(r)) + l % 2;
        int packed = data.get(ValueLayout.JAVA_BYTE, tile + at) & 0xFF;
        return i % 32 < 16 ? packed & 0xF : packed >>> 4;
    }

    /** The file's d of row {@code r} in the tile at {@code tile}. */
    private float d(long tile, int r) {
        return scaledDown(tile + D, r);
    }

    /** Scale − 32 of sub-block u of row {@code r}. */
    private int scale(long tile, int r, int u) {
        return data.get(ValueLayout.JAVA_BYTE, tile + u / 4 * PART + 4L * r + u % 4);
    }

    /**
     * The panel super-block by super-block: the rows' d·scale per sub-block, then each
     * sub-block through {@link IQ4Lookups#subBlockIntoPanel}.
     */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            IntVector h = IntVector.fromMemorySegment(IS, data, tile + D, LITTLE_ENDIAN);
            FloatVector dLow = lowScales(h), dHigh = highScales(h);
            for (int u = 0; u < 8; u++) {
                int up = 24 - 8 * (u % 4);
                IntVector sc0 = IntVector.fromMemorySegment(IS, data, tile + u / 4 * PART, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                IntVector sc1 = IntVector.fromMemorySegment(IS, data, tile + u / 4 * PART + 4L * HALF, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                FloatVector d0 = dLow.mul((FloatVector) sc0.convert(I2F, 0));
                FloatVector d1 = dHigh.mul((FloatVector) sc1.convert(I2F, 0));
                int column = (b * BLOCK + 32 * u - k0) * GROUP;
                IQ4Lookups.subBlockIntoPanel(data, tile + indices(u), d0, d1, panel, column);
            }
        }
    }

    /** Where super-block {@code b} of the group holding {@code row} starts. */
    private long tile(int row, int b) {
        return ((long) b * (rows / GROUP) + row / GROUP) * TILE;
    }
}
