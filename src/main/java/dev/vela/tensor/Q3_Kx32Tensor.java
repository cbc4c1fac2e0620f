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
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;

/**
 * Q3_K copied at load with {@link #GROUP} rows side by side, its products looked up from tables
 * as {@link Q2_Kx32Tensor} does. A quant is {@code v = low − 4 + 4·high} (2 low bits, 1 high
 * bit), so Σ x·v over a sub-block of 16 is Σ x·low, looked up for pairs of columns as in
 * Q2_K, plus Σ −4·x·(1 − high), looked up for four columns at a time: each quad of columns gets
 * a table of {@code −4·Σ xq[c + k]·(1 − bit k of i)} and the copy keeps the quad's four high
 * bits in one nibble. A sub-block's twelve lookups sum within 16 bits (8 × 762 + 4 × 2032); per
 * sub-block the sums are widened and multiplied by the rows' signed scales in ints, and the
 * total is scaled once per super-block, d·step. The scales are unpacked from their 6-bit fields
 * at load, a byte each (the copy is 114 bytes a super-block and row against the file's 110).
 * Per 32 weights that is three quarters of a lookup (a shift, the mask the permutation's index
 * wrapping adds, the permutation and an addition), against about five float operations per 16
 * weights of the file layout's kernel (8.4–8.7 GB/s).
 *
 * <p>Layout: per group of rows and super-block, one tile of {@code 114 × GROUP} bytes: the rows'
 * d ({@link #scaledUp}: times 2^10, in their paired lanes; a matrix where one reaches 64 keeps
 * the file's layout; read last, after the quarters: at the tile's end the best runs streamed 16.5–18
 * against 18–20 GB/s from memory, as {@link Q2_Kx32Tensor}'s d and dmin), then four quarters of
 * four sub-blocks each. A quarter holds the rows' four scales {@code scale − 32} as signed
 * bytes (one int per row, byte k for sub-block k of the quarter), then per sub-block n three
 * vectors of shorts: lane r of vector t (0, 1) holds row
 * r's low-bit pairs {@code 16n + 8t + 2j} (nibble j: {@code low[c] | low[c + 1] << 2}), lane r
 * of the third its high-bit quads {@code 16n + 4j} (nibble j: bit k is column 16n + 4j + k),
 * where lane r is row r's {@link #pairedLane} (the 16-bit sums are widened as ints' halves).
 * Each scale int comes just before its quants: with all four at the front of the tile, so that
 * reading went back to them, the kernel streamed 10 GB/s from memory against 24 in cache. The
 * tiles go one super-block at a time, in each the groups one after another (see
 * {@link Q2_Kx32Tensor}). The kernel is one flat loop over the sub-blocks, their addresses
 * computed: nested loops over quarters and vectors kept a third of its vectors on the stack
 * (12 against 24 GB/s in cache).
 *
 * <p>The permutation takes the low 5 bits of a 16-bit lane at 512 bits (the tables are their 16
 * entries twice) and the low 4 at 256; narrower machines keep the file's layout.
 */
public final class Q3_Kx32Tensor extends RowGroupTensor {
    private static final int BLOCK = 256;
    private static final int FILE_BLOCK_BYTES = 110;
    private static final long VECTOR = 2L * GROUP;
    /** A sub-block's quants: two vectors of pairs, one of quads. */
    private static final long SUB = 3 * VECTOR;
    /** A quarter of a tile: four sub-blocks' scales (one int per row), then their quants. */
    private static final long PART = 4L * GROUP + 4 * SUB;
    private static final long D = 0;
    /** Where the quarters start, after d. */
    private static final long QUARTERS = 2L * GROUP;
    private static final long TILE = QUARTERS + 4 * PART;
    /** Entries of a table ({@link LookupTables}). */
    private static final int TABLE = LookupTables.ENTRIES;
    /** Where the quads' tables start, after the 128 pairs'. */
    private static final int QUADS = BLOCK / 2 * TABLE;
    /** Bit k of a quad's index, times 4. */
    private static final short[][] QUAD = new short[4][];
    static {
        for (int k = 0; k < 4; k++) {
            int bit = k;
            QUAD[k] = LookupTables.repeated(i -> 4 * (i >> bit & 1));
        }
    }

    private Q3_Kx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q3_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q3_K;
    }

    /** The copy of {@code source} in this layout, in memory of {@code arena}, a group of rows at a time through byte arrays. */
    static Q3_Kx32Tensor of(Tensor source, Arena arena) {
        int groups = source.rows() / GROUP;
        MemorySegment to = copyByTiles(source, arena, TILE, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int block = r * rowBytes + b * FILE_BLOCK_BYTES;
                putScaledUp(in, block + 108, r, tile, (int) D);
                for (int n = 0; n < 16; n++) {
                    tile[(int) (QUARTERS + n / 4 * PART) + 4 * r + n % 4] = (byte) (scale(in, block, n) - 32);
                    for (int t = 0; t < 2; t++) {
                        int pairs = 0;
                        for (int j = 0; j < 4; j++) {
                            int column = 16 * n + 8 * t + 2 * j;
                            pairs |= (low(in, block, column) | low(in, block, column + 1) << 2) << 4 * j;
                        }
                        put(tile, (int) quants(n, t) + 2 * pairedLane(r), pairs);
                    }
                    int quads = 0;
                    for (int j = 0; j < 4; j++) {
                        for (int k = 0; k < 4; k++) {
                            quads |= high(in, block, 16 * n + 4 * j + k) << 4 * j + k;
                        }
                    }
                    put(tile, (int) quants(n, 2) + 2 * pairedLane(r), quads);
                }
            }
        }, (g, b) -> ((long) b * groups + g) * TILE);
        return new Q3_Kx32Tensor(to, source.rows(), source.cols());
    }

    private static void put(byte[] tile, int at, int value) {
        tile[at] = (byte) value;
        tile[at + 1] = (byte) (value >>> 8);
    }

    /** The low 2 bits of quant i (0..255) of the file's super-block at {@code block}: bits 2j of byte 32 + 32h + l. */
    private static int low(byte[] in, int block, int i) {
        int h = i / 128, j = i % 128 / 32, l = i % 32;
        return in[block + 32 + 32 * h + l] >>> 2 * j & 3;
    }

    /** The high bit of quant i: bit 4h + j of byte l. */
    private static int high(byte[] in, int block, int i) {
        int h = i / 128, j = i % 128 / 32, l = i % 32;
        return in[block + l] >>> 4 * h + j & 1;
    }

    /** Scale n's 6 bits: low 4 in byte 96 + n (n < 8, low nibble) or 96 + n − 8 (high), top 2 in byte 104 + n % 4 at bit 2·(n / 4). */
    private static int scale(byte[] in, int block, int n) {
        int low = n < 8 ? in[block + 96 + n] & 0xF : (in[block + 96 + n - 8] & 0xFF) >>> 4;
        int top = (in[block + 104 + n % 4] & 0xFF) >>> 2 * (n / 4) & 3;
        return low | top << 4;
    }

    /** Where quant vector {@code v} of sub-block {@code n} starts in a tile: 0, 1 the low-bit pairs, 2 the high-bit quads. */
    private static long quants(int n, int v) {
        return QUARTERS + n / 4 * PART + 4L * GROUP + n % 4 * SUB + v * VECTOR;
    }

    /**
     * Rows {@code [from, to)}, whole groups, a super-block at a time: its pairs' and quads'
     * tables, then per group and sub-block three loads of 32 rows' four pairs or quads each,
     * every nibble's sum looked up and added; the sub-block's sums widened and multiplied by the
     * rows' scales in ints; per super-block the total scaled, d·step. A group's sums carry from
     * super-block to super-block in {@code out}.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        MemorySegment weights = data; // a local: read through the field, every load re-checked the segment's class
        int blocks = cols / BLOCK, groups = rows / GROUP;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        short[] tables = new short[QUADS + BLOCK / 4 * TABLE];
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        for (int b = 0; b < blocks; b++) {
            tables(xq, b * BLOCK, tables);
            float step = dx[b * 8];
            for (int g = from / GROUP; g < to / GROUP; g++) {
                long tile = ((long) b * groups + g) * TILE;
                IntVector total0 = IntVector.zero(IS), total1 = total0;
                for (int n = 0; n < 16; n++) {
                    long scales = tile + QUARTERS + (n >> 2) * PART;
                    long sub = scales + 4L * GROUP + (n & 3) * SUB;
                    int up = 24 - 8 * (n % 4);
                    IntVector sc0 = IntVector.fromMemorySegment(IS, weights, scales, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                    IntVector sc1 = IntVector.fromMemorySegment(IS, weights, scales + 4L * HALF, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                    ShortVector p0 = ShortVector.fromMemorySegment(SS, weights, sub, LITTLE_ENDIAN);
                    ShortVector p1 = ShortVector.fromMemorySegment(SS, weights, sub + VECTOR, LITTLE_ENDIAN);
                    ShortVector h = ShortVector.fromMemorySegment(SS, weights, sub + 2 * VECTOR, LITTLE_ENDIAN);
                    int at = 8 * n * TABLE, quad = QUADS + 4 * n * TABLE;
                    ShortVector sum = p0.selectFrom(ShortVector.fromArray(SS, tables, at))
                            .add(p0.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, at + TABLE)))
                            .add(p0.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, at + 2 * TABLE)))
                            .add(p0.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, at + 3 * TABLE)))
                            .add(p1.selectFrom(ShortVector.fromArray(SS, tables, at + 4 * TABLE)))
                            .add(p1.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, at + 5 * TABLE)))
                            .add(p1.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, at + 6 * TABLE)))
                            .add(p1.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, at + 7 * TABLE)))
                            .add(h.selectFrom(ShortVector.fromArray(SS, tables, quad)))
                            .add(h.lanewise(LSHR, by4).selectFrom(ShortVector.fromArray(SS, tables, quad + TABLE)))
                            .add(h.lanewise(LSHR, by8).selectFrom(ShortVector.fromArray(SS, tables, quad + 2 * TABLE)))
                            .add(h.lanewise(LSHR, by12).selectFrom(ShortVector.fromArray(SS, tables, quad + 3 * TABLE)));
                    IntVector sums = sum.reinterpretAsInts();
                    total0 = sums.lanewise(LSHL, 16).lanewise(ASHR, 16).mul(sc0).add(total0);
                    total1 = sums.lanewise(ASHR, 16).mul(sc1).add(total1);
                }
                IntVector d = IntVector.fromMemorySegment(IS, weights, tile + D, LITTLE_ENDIAN);
                FloatVector d0 = d.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = d.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector acc0 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP);
                FloatVector acc1 = b == 0 ? FloatVector.zero(FS) : FloatVector.fromArray(FS, out, g * GROUP + HALF);
                ((FloatVector) total0.convert(I2F, 0)).fma(d0.mul(step), acc0).intoArray(out, g * GROUP);
                ((FloatVector) total1.convert(I2F, 0)).fma(d1.mul(step), acc1).intoArray(out, g * GROUP + HALF);
            }
        }
    }

    /**
     * The tables of the super-block starting at column {@code k0}: its 128 pairs' sums, then its
     * 64 quads'. A method of its own so that its constant vectors are not live across the
     * kernel's loops (they were, and pushed the kernel's vectors out of registers).
     */
    private static void tables(short[] xq, int k0, short[] tables) {
        LookupTables.pairs(xq, k0, BLOCK / 2, tables, 0);
        ShortVector bit0 = ShortVector.fromArray(SS, QUAD[0], 0);
        ShortVector bit1 = ShortVector.fromArray(SS, QUAD[1], 0);
        ShortVector bit2 = ShortVector.fromArray(SS, QUAD[2], 0);
        ShortVector bit3 = ShortVector.fromArray(SS, QUAD[3], 0);
        for (int u = 0; u < BLOCK / 4; u++) {
            int c = k0 + 4 * u;
            short all = (short) (-4 * (xq[c] + xq[c + 1] + xq[c + 2] + xq[c + 3]));
            bit0.mul(xq[c]).add(bit1.mul(xq[c + 1])).add(bit2.mul(xq[c + 2]).add(bit3.mul(xq[c + 3]))).add(all)
                    .intoArray(tables, QUADS + u * TABLE);
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
            for (int n = 0; n < 16; n++) {
                int sum = 0;
                for (int i = 16 * n; i < 16 * n + 16; i++) {
                    sum += quant(tile, r, i) * xq[b * BLOCK + i];
                }
                total += sum * scale(tile, r, n);
            }
            acc = Math.fma((float) total, scaledDown(tile + D, r) * dx[b * 8], acc);
        }
        return acc;
    }

    /** Weight {@code (d·scale)·v}, as {@link Q3_KTensor} reads the file. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int r = row % GROUP;
        for (int b = 0; b < cols / BLOCK; b++) {
            long tile = tile(row, b);
            float d = scaledDown(tile + D, r);
            for (int i = 0; i < BLOCK; i++) {
                out[off + b * BLOCK + i] = d * scale(tile, r, i / 16) * quant(tile, r, i);
            }
        }
    }

    /** Quant i (0..255) of row {@code r} in the tile at {@code tile}, −4..3. */
    private int quant(long tile, int r, int i) {
        int n = i / 16, c = i % 16;
        short pairs = data.get(F16Tensor.HALF, tile + quants(n, c / 8) + 2L * pairedLane(r));
        short quads = data.get(F16Tensor.HALF, tile + quants(n, 2) + 2L * pairedLane(r));
        int low = pairs >>> 4 * (c % 8 / 2) + 2 * (c % 2) & 3;
        int high = quads >>> c & 1;
        return low - 4 + 4 * high;
    }

    /** Scale − 32 of sub-block n of row {@code r}. */
    private int scale(long tile, int r, int n) {
        return data.get(ValueLayout.JAVA_BYTE, tile + QUARTERS + n / 4 * PART + 4L * r + n % 4);
    }

    /** Each nibble of a tile's pair vectors is two columns of the panel: low − 4 + 4·high, times the rows' d·scale. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            IntVector d = IntVector.fromMemorySegment(IS, data, tile + D, LITTLE_ENDIAN);
            FloatVector d0 = lowScales(d), d1 = highScales(d);
            for (int n = 0; n < 16; n++) {
                int up = 24 - 8 * (n % 4);
                IntVector sm0 = IntVector.fromMemorySegment(IS, data, tile + QUARTERS + n / 4 * PART, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                IntVector sm1 = IntVector.fromMemorySegment(IS, data, tile + QUARTERS + n / 4 * PART + 4L * HALF, LITTLE_ENDIAN).lanewise(LSHL, up).lanewise(ASHR, 24);
                FloatVector scale0 = d0.mul((FloatVector) sm0.convert(I2F, 0));
                FloatVector scale1 = d1.mul((FloatVector) sm1.convert(I2F, 0));
                ShortVector quads = ShortVector.fromMemorySegment(SS, data, tile + quants(n, 2), LITTLE_ENDIAN);
                for (int t = 0; t < 2; t++) {
                    ShortVector pairs = ShortVector.fromMemorySegment(SS, data, tile + quants(n, t), LITTLE_ENDIAN);
                    for (int e = 0; e < 8; e++) {
                        int c = 8 * t + e;
                        IntVector q = pairs.lanewise(LSHR, 4 * (e / 2) + 2 * (e % 2)).and((short) 3)
                                .add(quads.lanewise(LSHR, c).and((short) 1).lanewise(LSHL, 2)).sub((short) 4).reinterpretAsInts();
                        int at = (b * BLOCK + 16 * n + c - k0) * GROUP;
                        ((FloatVector) q.lanewise(LSHL, 16).lanewise(ASHR, 16).convert(I2F, 0)).mul(scale0).intoArray(panel, at);
                        ((FloatVector) q.lanewise(ASHR, 16).convert(I2F, 0)).mul(scale1).intoArray(panel, at + HALF);
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
