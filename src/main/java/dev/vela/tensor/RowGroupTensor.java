package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.LSHL;

/**
 * A matrix copied at load with {@link #GROUP} rows side by side ({@link Tensor#repacked}): one
 * vector holds the same columns of every row of a group, so products need no sums across lanes
 * and each value of x is loaded once per group. The types' layouts differ; what they share is
 * here. Products run on whole groups; one row alone is the scalar twin's business.
 */
abstract class RowGroupTensor extends Tensor {
    /** The vectors the kernels work in: shorts, and ints and floats of the same width. */
    static final VectorSpecies<Short> SS = ShortVector.SPECIES_PREFERRED;
    static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, SS.vectorShape());
    static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, SS.vectorShape());
    /** (127 − 15) << 23: float's exponent bias minus fp16's, in place. */
    /** The repacked scales are the file's times this ({@link #scaledUp}). */
    private static final float SCALE_UP = 0x1p10f;
    /** Float bits kept from a scale's fields moved into place: the sign, the fp16's 5 exponent bits and 10 mantissa bits. */
    static final int FIELDS = 0x8FFF_E000;
    /** A float made of a repacked scale's fields times this is the file's scale: 2^112 (fp16's exponent bias against float's) / 2^10. */
    static final float FIELDS_TO_SCALE = 0x1p112f / SCALE_UP;
    /** Rows per group: one lane of a vector of shorts each, 32 at 512 bits. */
    public static final int GROUP = SS.length();
    /** Rows per int or float vector: half a group. */
    static final int HALF = FS.length();

    RowGroupTensor(GGMLType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
    }

    /**
     * The lane of the group's row {@code r} in a layout whose 16-bit sums are widened by
     * reading each int's halves apart (shift left and back, and shift right, with their signs):
     * row m of the first half group in lane 2m, row m of the second in lane 2m + 1, so that the
     * halves come out as the two half groups in row order. Widening a vector's upper half
     * through {@code convertShape} cost a permutation, a compare and a blend more.
     */
    static int pairedLane(int r) {
        return r < GROUP / 2 ? 2 * r : 2 * (r - GROUP / 2) + 1;
    }

    /** Whether {@code rows} rows fill whole groups; the others keep the file's layout. */
    static boolean fits(int rows) {
        return rows % GROUP == 0;
    }

    /** Writes into {@code tile} one group's block {@code b}, from the group's rows {@code in} as in the file ({@code rowBytes} each). */
    @FunctionalInterface
    interface TileWriter {
        void write(byte[] in, int rowBytes, int b, byte[] tile);
    }

    /** Where group {@code g}'s tile of block {@code b} goes in a copy. */
    @FunctionalInterface
    interface TilePlace {
        long at(int g, int b);
    }

    /**
     * The copy of {@code source} into a layout of tiles of {@code tileBytes}, one per group of
     * rows and block, in memory of {@code arena}: a group's rows at a time through a byte array
     * (element by element on the mapped file, a copy took seconds for a 1B model), each tile
     * written by {@code writer} and put where {@code place} says; then the file's pages are
     * released ({@link #release}).
     */
    static MemorySegment copyByTiles(Tensor source, Arena arena, long tileBytes, TileWriter writer, TilePlace place) {
        return copyByTiles(source, arena, tileBytes, 0, writer, place);
    }

    /** {@link #copyByTiles(Tensor, Arena, long, TileWriter, TilePlace)}, {@code padding} bytes more at the end of the copy. */
    static MemorySegment copyByTiles(Tensor source, Arena arena, long tileBytes, int padding, TileWriter writer, TilePlace place) {
        int groups = source.rows() / GROUP, blocks = source.cols() / source.type().blockSize;
        int rowBytes = (int) source.rowBytes;
        byte[] in = new byte[GROUP * rowBytes];
        byte[] tile = new byte[(int) tileBytes];
        MemorySegment to = arena.allocate(groups * blocks * tileBytes + padding, 64);
        for (int g = 0; g < groups; g++) {
            MemorySegment.copy(source.data(), ValueLayout.JAVA_BYTE, (long) g * in.length, in, 0, in.length);
            for (int b = 0; b < blocks; b++) {
                writer.write(in, rowBytes, b, tile);
                MemorySegment.copy(tile, 0, to, ValueLayout.JAVA_BYTE, place.at(g, b), tile.length);
            }
        }
        release(source);
        return to;
    }

    /**
     * Lets the file's pages of a matrix just copied leave this process's memory: decoding reads
     * only the copy. (Its view is not used again; a later read would fault the pages back in.)
     */
    static void release(Tensor source) {
        if (source.data().isMapped()) {
            source.data().unload();
        }
    }

    /**
     * An fp16 scale of the file (a block's d, a super-block's d or dmin) as every repacked layout
     * keeps it: times 2^10, still an fp16 and exact, with no subnormal left (2^-24 · 2^10 is the
     * smallest normal fp16), and in its row's {@link #pairedLane}, so that an int holds the scales
     * of rows m and m + GROUP / 2. Such a scale becomes a float by moving its bits into place and
     * one multiply ({@link #lowScales}): five integer operations per 32 rows, where an exact
     * conversion of fp16 with subnormals took twenty (moving the bits of an fp16 subnormal makes a
     * float subnormal, and multiplying one is slow here: 11 against 18 GB/s). Kernels write it
     * out: a conversion through a method left as a call made the JIT reload the kernel's constant
     * vectors before every use (IQ4_XS 20 → 25 GB/s in cache, Q2_K 18 → 22–28 from memory).
     * Every scale of the matrix must fit ({@link #scalesFit}).
     */
    static short scaledUp(short scale) {
        return Float.floatToFloat16(Float.float16ToFloat(scale) * SCALE_UP);
    }

    /** Writes the little-endian fp16 at {@code in[from]} {@link #scaledUp} for row {@code r} into the group's scales at {@code tile[at]}. */
    static void putScaledUp(byte[] in, int from, int r, byte[] tile, int at) {
        short up = scaledUp((short) ((in[from] & 0xFF) | in[from + 1] << 8));
        int lane = at + 2 * pairedLane(r);
        tile[lane] = (byte) up;
        tile[lane + 1] = (byte) (up >> 8);
    }

    /** The file's value of row {@code r}'s scale in the group's scales at {@code at} ({@link #scaledUp}); the scalar twin of {@link #lowScales} and {@link #highScales}. */
    final float scaledDown(long at, int r) {
        return Float.float16ToFloat(data.get(F16Tensor.HALF, at + 2L * pairedLane(r))) / SCALE_UP;
    }

    /**
     * {@link #scaledDown} for the layouts that find a row's data by its lane in row order:
     * {@code lane} is the scales' start plus 2 × (row mod GROUP).
     */
    final float scaledDownInRowOrder(long lane, int row) {
        return scaledDown(lane - 2L * (row % GROUP), row % GROUP);
    }

    /**
     * Whether every fp16 at {@code offsets} in each block of {@code source} is finite and below 64
     * in magnitude, so that times 2^10 it is an fp16 ({@link #scaledUp}); a matrix where one is
     * not keeps the file's layout.
     */
    static boolean scalesFit(Tensor source, int... offsets) {
        MemorySegment data = source.data();
        for (long block = 0; block < data.byteSize(); block += source.type().typeSize) {
            for (int off : offsets) {
                if (!Float.isFinite(Float.float16ToFloat(scaledUp(data.get(F16Tensor.HALF, block + off))))) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * The low rows' scales (the first half group) of a vector of ints that each hold two rows'
     * ({@link #scaledUp}), as the file's values, exactly: each int's low half shifted to the top
     * and back down by 3 with its sign lands the fp16's fields where a float's are; the copies of
     * the sign in the exponent's top three bits are masked off. Kernels write this out: a call
     * left in place boxes their vectors.
     */
    static FloatVector lowScales(IntVector h) {
        return h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
    }

    /** {@link #lowScales} for the high rows, each int's high half: only shifted down, the low half's bits masked off. */
    static FloatVector highScales(IntVector h) {
        return h.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
    }

    @Override
    public final int rowsPerPass() {
        return GROUP;
    }

    @Override
    public final int panelRows() {
        return GROUP;
    }

    /** One row alone, as {@link #dotScalar} computes it: the layout is for whole groups of rows. */
    @Override
    public final float dot(int row, MemorySegment x) {
        return dotScalar(row, Activations.toArray(x, cols), 0);
    }
}
