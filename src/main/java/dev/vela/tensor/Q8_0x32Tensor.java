package dev.vela.tensor;

import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static dev.vela.tensor.Block32.VALUES;
import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.B2F;
import static jdk.incubator.vector.VectorOperators.LSHL;

/**
 * Q8_0 copied at load with {@link #GROUP} rows side by side: a column of a block is the group's
 * quants in a row, so one product widens the bytes of half the group to floats and multiplies
 * them by one broadcast x value. x stays in floats (8-bit quants times 8-bit x would overflow
 * 16-bit sums after two products, so integers gain nothing here); what the layout changes is
 * the stream: one sequential read per thread, each x value loaded once per 32 rows instead of
 * once per row or two. Rows of 8192 columns, whose x does not stay in L1 beside two rows'
 * streams, had read at half the GB/s of the others.
 *
 * <p>Layout: per group of rows, per block of 32 columns, one tile of {@code 34 × GROUP} bytes:
 * the rows' scales ({@link #scaledUp}: times 2^10, in their paired lanes; a matrix where one
 * reaches 64 keeps the file's layout), then per column the group's quants.
 */
public final class Q8_0x32Tensor extends RowGroupTensor {
    /** Half a group's quants, widened at once (at least 64 bits: at 128-bit vectors it reads 4 bytes past). */
    private static final VectorSpecies<Byte> BS = VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, 8 * HALF)));
    private static final long TILE = 34L * GROUP;
    private static final long QUANTS = 2L * GROUP;

    private Q8_0x32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q8_0, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q8_0;
    }

    /**
     * The copy of {@code source} in this layout, in memory of {@code arena}
     * ({@link #copyByTiles}); 8 bytes more at the end for the widest read past the last column.
     */
    static Q8_0x32Tensor of(Tensor source, Arena arena) {
        int blocks = source.cols() / VALUES;
        MemorySegment to = copyByTiles(source, arena, TILE, 8, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int block = r * rowBytes + b * Q8_0Tensor.BLOCK_BYTES;
                putScaledUp(in, block, r, tile, 0);
                for (int c = 0; c < VALUES; c++) {
                    tile[(int) QUANTS + c * GROUP + r] = in[block + 2 + c];
                }
            }
        }, (g, b) -> ((long) g * blocks + b) * TILE);
        return new Q8_0x32Tensor(to, source.rows(), source.cols());
    }

    /**
     * Rows {@code [from, to)}, whole groups. Per group and block, 32 columns: each column's
     * quants widened to two float vectors and multiplied by one broadcast x, even and odd
     * columns into their own accumulators (so that the additions do not wait on each other); the
     * block's sums scaled per row once.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int blocks = cols / VALUES;
        for (int g = from / GROUP; g < to / GROUP; g++) {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = ((long) g * blocks + b) * TILE;
                long xk = 4L * b * VALUES;
                FloatVector t0 = FloatVector.zero(FS), t1 = t0, u0 = t0, u1 = t0;
                for (int c = 0; c < VALUES; c += 2) {
                    long col = tile + QUANTS + (long) c * GROUP;
                    FloatVector xa = FloatVector.broadcast(FS, x.get(Activations.FLOAT, xk + 4L * c));
                    FloatVector xb = FloatVector.broadcast(FS, x.get(Activations.FLOAT, xk + 4L * c + 4));
                    t0 = ((FloatVector) ByteVector.fromMemorySegment(BS, data, col, LITTLE_ENDIAN).convertShape(B2F, FS, 0)).fma(xa, t0);
                    t1 = ((FloatVector) ByteVector.fromMemorySegment(BS, data, col + HALF, LITTLE_ENDIAN).convertShape(B2F, FS, 0)).fma(xa, t1);
                    u0 = ((FloatVector) ByteVector.fromMemorySegment(BS, data, col + GROUP, LITTLE_ENDIAN).convertShape(B2F, FS, 0)).fma(xb, u0);
                    u1 = ((FloatVector) ByteVector.fromMemorySegment(BS, data, col + GROUP + HALF, LITTLE_ENDIAN).convertShape(B2F, FS, 0)).fma(xb, u1);
                }
                IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
                FloatVector d0 = h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = h.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                acc0 = t0.add(u0).fma(d0, acc0);
                acc1 = t1.add(u1).fma(d1, acc1);
            }
            acc0.intoArray(out, g * GROUP);
            acc1.intoArray(out, g * GROUP + HALF);
        }
    }

    /** The scalar twin of {@link #matvec}: the same multiply-adds in the same order. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        float acc = 0f;
        for (int b = 0; b < cols / VALUES; b++) {
            long tile = tile(row, b);
            long lane = tile + QUANTS + row % GROUP;
            float even = 0f, odd = 0f;
            for (int c = 0; c < VALUES; c += 2) {
                even = Math.fma(data.get(ValueLayout.JAVA_BYTE, lane + (long) c * GROUP), x[xOff + b * VALUES + c], even);
                odd = Math.fma(data.get(ValueLayout.JAVA_BYTE, lane + (long) (c + 1) * GROUP), x[xOff + b * VALUES + c + 1], odd);
            }
            acc = Math.fma(even + odd, scale(tile, row), acc);
        }
        return acc;
    }

    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < cols / VALUES; b++) {
            long tile = tile(row, b);
            long lane = tile + QUANTS + row % GROUP;
            float d = scale(tile, row);
            for (int c = 0; c < VALUES; c++) {
                out[off + b * VALUES + c] = d * data.get(ValueLayout.JAVA_BYTE, lane + (long) c * GROUP);
            }
        }
    }

    /** A column of a tile is a column of the panel: two widened vectors times the rows' scales. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        for (int b = k0 / VALUES; b < k1 / VALUES; b++) {
            long tile = tile(first, b);
            IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
            FloatVector d0 = lowScales(h), d1 = highScales(h);
            for (int c = 0; c < VALUES; c++) {
                long col = tile + QUANTS + (long) c * GROUP;
                int at = (b * VALUES + c - k0) * GROUP;
                ((FloatVector) ByteVector.fromMemorySegment(BS, data, col, LITTLE_ENDIAN).convertShape(B2F, FS, 0)).mul(d0).intoArray(panel, at);
                ((FloatVector) ByteVector.fromMemorySegment(BS, data, col + HALF, LITTLE_ENDIAN).convertShape(B2F, FS, 0)).mul(d1).intoArray(panel, at + HALF);
            }
        }
    }

    /** The scale of {@code row} in its group's tile at {@code tile}. */
    private float scale(long tile, int row) {
        return scaledDown(tile, row % GROUP);
    }

    /** Where block {@code b} of the group holding {@code row} starts. */
    private long tile(int row, int b) {
        return ((long) (row / GROUP) * (cols / VALUES) + b) * TILE;
    }
}
