package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

import static dev.vela.tensor.Block32.VALUES;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.LSHR;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Q4_0 copied at load into a layout for 16-bit integer arithmetic: {@link #GROUP} rows (one
 * short vector's lanes, 32 at 512 bits) side by side, so that one vector holds the same column
 * of every row in the group and a matrix-vector product needs no sums across lanes.
 *
 * <p>x is rounded to 8-bit integers per block of 32 with a float scale (as llama.cpp does for
 * Q4_0), and each block's products are summed exactly in 16-bit lanes: |q − 8| ≤ 8 and |x| ≤ 127,
 * so 32 products stay within ±32512. Per 32 weights that is a shift pair, a multiply and an add
 * (the float kernel of {@link Q4_0Tensor} needs 12 vector operations per block); the float
 * scales apply once per block and row. On this machine it streams 16–20 GB/s from memory on one
 * thread against 11.6 for the float kernel.
 *
 * <p>Layout: per group of rows, per block of 32 columns, one tile of {@code 18 × GROUP} bytes:
 * the rows' scales ({@link #scaledUp}: times 2^10, in their paired lanes; a matrix where one
 * reaches 64 keeps the file's layout), then eight vectors of shorts where lane r of vector c is bytes
 * {@code 2c, 2c + 1} of row r's quants with every nibble XOR 8, so that it reads as q − 8 in
 * two's complement. Its nibbles are columns 2c, 2c + 16, 2c + 1 and 2c + 17 of the block
 * (nibble j at bits 4j); the kernel takes the matching x values, so the copy is a transpose of
 * 16-bit units with nothing reordered inside them. The size is the same as the original's.
 */
public final class Q4_0x32Tensor extends RowGroupTensor {
    private static final long TILE = 18L * GROUP;
    private static final long SCALES = 2L * GROUP;
    /** Column c of nibble j of a lane's short in vector c (see the class comment). */
    private static final int[] NIBBLE_COLUMN = {0, 16, 1, 17};
    /** A block's 16 quant bytes as two longs, and the floats they widen to. */
    private static final VectorSpecies<Long> L = LongVector.SPECIES_128;
    private static final VectorSpecies<Float> DF = Block32.FLOATS;

    private Q4_0x32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q4_0, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q4_0;
    }

    /**
     * The copy of {@code source} in this layout, in memory of {@code arena}. A group of rows at a
     * time goes through arrays of shorts: element by element on the mapped file, the copy took
     * seconds for a 1B model.
     */
    static Q4_0x32Tensor of(Q4_0Tensor source, Arena arena) {
        int rows = source.rows(), cols = source.cols(), blocks = cols / VALUES;
        int rowShorts = (int) (source.rowBytes / 2);
        int blockShorts = Q4_0Tensor.BLOCK_BYTES / 2;
        short[] in = new short[GROUP * rowShorts];
        short[] out = new short[in.length];
        MemorySegment to = arena.allocate(source.byteSize(), 64);
        for (int g = 0; g < rows / GROUP; g++) {
            long at = 2L * g * in.length;
            MemorySegment.copy(source.data(), F16Tensor.HALF, at, in, 0, in.length);
            for (int r = 0; r < GROUP; r++) {
                for (int b = 0; b < blocks; b++) {
                    int block = r * rowShorts + b * blockShorts;
                    int lane = b * blockShorts * GROUP + r;
                    out[b * blockShorts * GROUP + pairedLane(r)] = scaledUp(in[block]);
                    for (int c = 1; c <= 8; c++) {
                        out[lane + c * GROUP] = (short) (in[block + c] ^ 0x8888);
                    }
                }
            }
            MemorySegment.copy(out, 0, to, F16Tensor.HALF, at, out.length);
        }
        release(source);
        return new Q4_0x32Tensor(to, rows, cols);
    }

    /**
     * Rows {@code [from, to)}, whole groups. Per group and block: eight loads of 32 rows' four
     * columns each; every nibble is moved to the top of its short and shifted back down with its
     * sign, multiplied by its column's x and summed in one of four accumulators. The shift
     * counts are vectors on purpose: with constant counts the JIT reloads the count register
     * before every 16-bit shift (measured 17.5 against 18.5 GB/s).
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int blocks = cols / VALUES;
        short[] xq = new short[cols];
        float[] dx = new float[blocks];
        QuantizedInput.quantize(x, cols, xq, dx);
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        int half = IS.length();
        for (int g = from / GROUP; g < to / GROUP; g++) {
            long base = (long) g * blocks * TILE;
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = base + b * TILE;
                int k = b * VALUES;
                ShortVector s0 = ShortVector.zero(SS), s1 = s0, s2 = s0, s3 = s0;
                for (int c = 0; c < 8; c++) {
                    ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + SCALES + c * SCALES, LITTLE_ENDIAN);
                    int kc = k + 2 * c;
                    s0 = q.lanewise(LSHL, by12).lanewise(ASHR, by12).mul(xq[kc]).add(s0);
                    s1 = q.lanewise(LSHL, by8).lanewise(ASHR, by12).mul(xq[kc + 16]).add(s1);
                    s2 = q.lanewise(LSHL, by4).lanewise(ASHR, by12).mul(xq[kc + 1]).add(s2);
                    s3 = q.lanewise(ASHR, by12).mul(xq[kc + 17]).add(s3);
                }
                ShortVector sum = s0.add(s1).add(s2.add(s3));
                IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
                FloatVector d0 = h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE).mul(dx[b]);
                FloatVector d1 = h.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE).mul(dx[b]);
                acc0 = ((FloatVector) sum.convertShape(S2I, IS, 0).convert(I2F, 0)).fma(d0, acc0);
                acc1 = ((FloatVector) sum.convertShape(S2I, IS, 1).convert(I2F, 0)).fma(d1, acc1);
            }
            acc0.intoArray(out, g * GROUP);
            acc1.intoArray(out, g * GROUP + half);
        }
    }

    /** The scalar twin of {@link #matvec}: the same rounding of x, sums and multiply-adds in the same order. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        int blocks = cols / VALUES;
        short[] xq = new short[cols];
        float[] dx = new float[blocks];
        QuantizedInput.quantizeScalar(x, xOff, cols, xq, dx);
        float acc = 0f;
        for (int b = 0; b < blocks; b++) {
            long lane = tile(row, b) + 2L * (row % GROUP);
            int sum = 0;
            for (int c = 0; c < 8; c++) {
                short q = data.get(F16Tensor.HALF, lane + SCALES + c * SCALES);
                for (int j = 0; j < 4; j++) {
                    int value = (short) (q << (12 - 4 * j)) >> 12;
                    sum += value * xq[b * VALUES + 2 * c + NIBBLE_COLUMN[j]];
                }
            }
            float d = scaledDown(tile(row, b), row % GROUP);
            acc = Math.fma((float) sum, d * dx[b], acc);
        }
        return acc;
    }

    /**
     * The row's eight shorts per block are gathered back into the file's 16 bytes (two longs),
     * then unpacked as {@link Q4_0Tensor#dequantizeRow} does: prompts dequantize every row once
     * per batch, and reading the nibbles one by one made them a third slower.
     */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        int n = DF.length();
        for (int b = 0; b < cols / VALUES; b++) {
            long lane = tile(row, b) + 2L * (row % GROUP);
            long low = 0, high = 0;
            for (int c = 0; c < 4; c++) {
                low |= (data.get(F16Tensor.HALF, lane + SCALES * (c + 1)) & 0xFFFFL) << (16 * c);
                high |= (data.get(F16Tensor.HALF, lane + SCALES * (c + 5)) & 0xFFFFL) << (16 * c);
            }
            ByteVector q = LongVector.zero(L).withLane(0, low ^ 0x8888_8888_8888_8888L).withLane(1, high ^ 0x8888_8888_8888_8888L).reinterpretAsBytes();
            ByteVector lo = q.and((byte) 0x0F).sub((byte) 8);
            ByteVector hi = q.lanewise(LSHR, 4).sub((byte) 8);
            FloatVector d = FloatVector.broadcast(DF, scaledDown(tile(row, b), row % GROUP));
            int at = off + b * VALUES;
            for (int p = 0; p < Block32.PARTS; p++) {
                ((FloatVector) lo.convertShape(B2F, DF, p)).mul(d).intoArray(out, at + p * n);
                ((FloatVector) hi.convertShape(B2F, DF, p)).mul(d).intoArray(out, at + 16 + p * n);
            }
        }
    }

    /** The scalar twin of {@link #dequantizeRow}. */
    void dequantizeRowScalar(int row, float[] out, int off) {
        for (int b = 0; b < cols / VALUES; b++) {
            long lane = tile(row, b) + 2L * (row % GROUP);
            float d = scaledDown(tile(row, b), row % GROUP);
            int at = off + b * VALUES;
            for (int c = 0; c < 8; c++) {
                short q = data.get(F16Tensor.HALF, lane + SCALES + c * SCALES);
                out[at + 2 * c] = d * ((short) (q << 12) >> 12);
                out[at + 2 * c + 16] = d * ((short) (q << 8) >> 12);
                out[at + 2 * c + 1] = d * ((short) (q << 4) >> 12);
                out[at + 2 * c + 17] = d * (q >> 12);
            }
        }
    }

    /**
     * A tile's vector of shorts holds four columns of the whole group: each nibble shifted down
     * with its sign, widened and scaled is one column of the panel, two float vectors stored
     * side by side. No row is gathered, so this runs at about the file layout's row-by-row speed
     * (gathering a row's shorts back, {@link #dequantizeRow}, is three times slower).
     */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int half = IS.length();
        ShortVector by4 = ShortVector.broadcast(SS, (short) 4);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        ShortVector by12 = ShortVector.broadcast(SS, (short) 12);
        for (int b = k0 / VALUES; b < k1 / VALUES; b++) {
            long tile = tile(first, b);
            IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
            FloatVector d0 = lowScales(h), d1 = highScales(h);
            int column = (b * VALUES - k0) * GROUP;
            for (int c = 0; c < 8; c++) {
                ShortVector q = ShortVector.fromMemorySegment(SS, data, tile + SCALES + c * SCALES, LITTLE_ENDIAN);
                int at = column + 2 * c * GROUP;
                ShortVector n0 = q.lanewise(LSHL, by12).lanewise(ASHR, by12);
                ShortVector n1 = q.lanewise(LSHL, by8).lanewise(ASHR, by12);
                ShortVector n2 = q.lanewise(LSHL, by4).lanewise(ASHR, by12);
                ShortVector n3 = q.lanewise(ASHR, by12);
                ((FloatVector) n0.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(d0).intoArray(panel, at);
                ((FloatVector) n0.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(d1).intoArray(panel, at + half);
                ((FloatVector) n1.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(d0).intoArray(panel, at + 16 * GROUP);
                ((FloatVector) n1.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(d1).intoArray(panel, at + 16 * GROUP + half);
                ((FloatVector) n2.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(d0).intoArray(panel, at + GROUP);
                ((FloatVector) n2.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(d1).intoArray(panel, at + GROUP + half);
                ((FloatVector) n3.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(d0).intoArray(panel, at + 17 * GROUP);
                ((FloatVector) n3.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(d1).intoArray(panel, at + 17 * GROUP + half);
            }
        }
    }

    /** Where block {@code b} of the group holding {@code row} starts. */
    private long tile(int row, int b) {
        return ((long) (row / GROUP) * (cols / VALUES) + b) * TILE;
    }
}
