package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorSpecies;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

import static java.nio.ByteOrder.LITTLE_ENDIAN;
import static jdk.incubator.vector.VectorOperators.ASHR;
import static jdk.incubator.vector.VectorOperators.I2F;
import static jdk.incubator.vector.VectorOperators.LSHL;
import static jdk.incubator.vector.VectorOperators.S2I;

/**
 * Q6_K copied at load into a layout for 16-bit integer products, {@link #GROUP} rows side by
 * side as in {@link Q4_0x32Tensor}. Weight = d·scale[j]·(q − 32), q of 6 bits and an 8-bit
 * scale per 16 weights. The copy keeps each q − 32 as a signed byte: the file's split of each
 * quant into a nibble and two high bits would take more operations to join than the kernel
 * spends on the product, so the copy is a third larger than the file (274 bytes per row and
 * super-block against 210) for a kernel with two shifts per pair of weights. Products with x
 * rounded to 8 bits ({@link QuantizedInput#quantizeK}) are at most 32 × 127, so eight of them stay exact
 * in 16-bit lanes: one sub-block of 16 columns, two accumulators.
 *
 * <p>Layout: per group of rows, per super-block of 256 columns, one tile of {@code 274 × GROUP}
 * bytes: the rows' d ({@link #scaledUp}: times 2^10, in their paired lanes; a matrix where one
 * reaches 64 keeps the file's layout), then per block u of 32 columns one vector of shorts
 * {@code scale[2u] | scale[2u + 1] << 8} (signed bytes) and 16 vectors of quants, lane r of
 * vector k holding q − 32 of columns 32u + 2k (low byte) and 32u + 2k + 1 (high byte).
 */
public final class Q6_Kx32Tensor extends RowGroupTensor {
    private static final int BLOCK = 256;
    private static final int FILE_BLOCK_BYTES = 210;
    private static final int VECTOR = 2 * GROUP;
    /** Where block u of 32 columns starts: its vector of scales, then 16 of quants. */
    private static final int UNITS = VECTOR;
    private static final int UNIT = 17 * VECTOR;
    private static final int TILE = UNITS + 8 * UNIT;

    private Q6_Kx32Tensor(MemorySegment data, int rows, int cols) {
        super(GGMLType.Q6_K, data, rows, cols);
    }

    @Override
    public GGMLType type() {
        return GGMLType.Q6_K;
    }

    /**
     * The copy of {@code source} in this layout, in memory of {@code arena}
     * ({@link #copyByTiles}). A file block holds the low four
     * bits of weight i (within each half of 128, l = i mod 32, k = (i mod 128) / 32) in byte
     * 64h + 32(k mod 2) + l (low nibble for k < 2), its high two bits at bit 2k of byte
     * 128 + 32h + l, and scale[i / 16] at byte 192 + i / 16.
     */
    static Q6_Kx32Tensor of(Tensor source, Arena arena) {
        int blocks = source.cols() / BLOCK;
        MemorySegment to = copyByTiles(source, arena, TILE, (in, rowBytes, b, tile) -> {
            for (int r = 0; r < GROUP; r++) {
                int block = r * rowBytes + b * FILE_BLOCK_BYTES;
                int lane = 2 * r;
                putScaledUp(in, block + 208, r, tile, 0);
                for (int i = 0; i < BLOCK; i++) {
                    int h = i / 128, k = i % 128 / 32, l = i % 32;
                    int packed = in[block + 64 * h + 32 * (k % 2) + l] & 0xFF;
                    int low = k < 2 ? packed & 0xF : packed >>> 4;
                    int high = (in[block + 128 + 32 * h + l] & 0xFF) >>> 2 * k & 3;
                    tile[lane + quant(i)] = (byte) ((low | high << 4) - 32);
                }
                for (int j = 0; j < 16; j++) {
                    tile[lane + UNITS + j / 2 * UNIT + j % 2] = in[block + 192 + j];
                }
            }
        }, (g, b) -> ((long) g * blocks + b) * TILE);
        return new Q6_Kx32Tensor(to, source.rows(), source.cols());
    }

    /** Where weight i (0..255) of a super-block is in lane 0 of its tile. */
    private static int quant(int i) {
        return UNITS + i / 32 * UNIT + VECTOR + (i % 32 / 2) * VECTOR + i % 2;
    }

    /**
     * Rows {@code [from, to)}, whole groups. Per group, super-block and sub-block of 16 columns:
     * eight loads of the rows' two columns each, the low byte sign-extended by a shift pair and
     * the high one by one shift, each multiplied by its column's x into one of two accumulators;
     * then the sums are widened and scaled: scale[j] per row, d per row times x's step.
     */
    @Override
    public void matvec(MemorySegment x, float[] out, int from, int to) {
        int blocks = cols / BLOCK;
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeK(x, cols, xq, dx);
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        int half = IS.length();
        for (int g = from / GROUP; g < to / GROUP; g++) {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = ((long) g * blocks + b) * TILE;
                IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
                FloatVector d0 = h.lanewise(LSHL, 16).lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                FloatVector d1 = h.lanewise(ASHR, 3).and(FIELDS).reinterpretAsFloats().mul(FIELDS_TO_SCALE);
                for (int u = 0; u < 8; u++) {
                    long unit = tile + UNITS + (long) u * UNIT;
                    ShortVector sc = ShortVector.fromMemorySegment(SS, data, unit, LITTLE_ENDIAN);
                    float step = dx[b * 8 + u];
                    FloatVector ds0 = d0.mul(step);
                    FloatVector ds1 = d1.mul(step);
                    for (int j = 0; j < 2; j++) {
                        ShortVector s0 = ShortVector.zero(SS), s1 = s0;
                        int kx = b * BLOCK + 32 * u + 16 * j;
                        for (int k = 0; k < 8; k++) {
                            ShortVector q = ShortVector.fromMemorySegment(SS, data, unit + (long) (1 + 8 * j + k) * VECTOR, LITTLE_ENDIAN);
                            s0 = q.lanewise(LSHL, by8).lanewise(ASHR, by8).mul(xq[kx + 2 * k]).add(s0);
                            s1 = q.lanewise(ASHR, by8).mul(xq[kx + 2 * k + 1]).add(s1);
                        }
                        ShortVector scale = j == 0 ? sc.lanewise(LSHL, by8).lanewise(ASHR, by8) : sc.lanewise(ASHR, by8);
                        FloatVector sum0 = (FloatVector) ((IntVector) s0.convertShape(S2I, IS, 0)).add(s1.convertShape(S2I, IS, 0)).convert(I2F, 0);
                        FloatVector sum1 = (FloatVector) ((IntVector) s0.convertShape(S2I, IS, 1)).add(s1.convertShape(S2I, IS, 1)).convert(I2F, 0);
                        acc0 = sum0.mul((FloatVector) scale.convertShape(S2I, IS, 0).convert(I2F, 0)).fma(ds0, acc0);
                        acc1 = sum1.mul((FloatVector) scale.convertShape(S2I, IS, 1).convert(I2F, 0)).fma(ds1, acc1);
                    }
                }
            }
            acc0.intoArray(out, g * GROUP);
            acc1.intoArray(out, g * GROUP + half);
        }
    }

    /** The scalar twin of {@link #matvec}: the same rounding of x, sums and float operations in the same order. */
    @Override
    public float dotScalar(int row, float[] x, int xOff) {
        short[] xq = new short[cols];
        float[] dx = new float[cols / 32];
        QuantizedInput.quantizeKScalar(x, xOff, cols, xq, dx);
        float acc = 0f;
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = scaledDownInRowOrder(lane, row);
            for (int j = 0; j < 16; j++) {
                int sum = 0;
                for (int i = 16 * j; i < 16 * j + 16; i++) {
                    sum += data.get(ValueLayout.JAVA_BYTE, lane + quant(i)) * xq[b * BLOCK + i];
                }
                acc = Math.fma((float) sum * scale(lane, j), d * dx[b * 8 + j / 2], acc);
            }
        }
        return acc;
    }

    /** Weight {@code (d·scale)·(q − 32)}, as {@link Q6_KTensor} reads the file. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = scaledDownInRowOrder(lane, row);
            for (int i = 0; i < BLOCK; i++) {
                out[off + b * BLOCK + i] = d * scale(lane, i / 16) * data.get(ValueLayout.JAVA_BYTE, lane + quant(i));
            }
        }
    }

    /** Sub-block j's scale of the row whose lane starts at {@code lane} in its tile. */
    private int scale(long lane, int j) {
        return data.get(ValueLayout.JAVA_BYTE, lane + UNITS + (long) (j / 2) * UNIT + j % 2);
    }

    /** As {@link Q4_0x32Tensor#dequantizePanel}: each vector of a tile is two columns of the group. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int half = IS.length();
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            IntVector h = IntVector.fromMemorySegment(IS, data, tile, LITTLE_ENDIAN);
            FloatVector d0 = lowScales(h), d1 = highScales(h);
            for (int u = 0; u < 8; u++) {
                long unit = tile + UNITS + (long) u * UNIT;
                ShortVector sc = ShortVector.fromMemorySegment(SS, data, unit, LITTLE_ENDIAN);
                for (int j = 0; j < 2; j++) {
                    ShortVector scale = j == 0 ? sc.lanewise(LSHL, by8).lanewise(ASHR, by8) : sc.lanewise(ASHR, by8);
                    FloatVector scale0 = d0.mul((FloatVector) scale.convertShape(S2I, IS, 0).convert(I2F, 0));
                    FloatVector scale1 = d1.mul((FloatVector) scale.convertShape(S2I, IS, 1).convert(I2F, 0));
                    for (int k = 0; k < 8; k++) {
                        ShortVector q = ShortVector.fromMemorySegment(SS, data, unit + (long) (1 + 8 * j + k) * VECTOR, LITTLE_ENDIAN);
                        ShortVector even = q.lanewise(LSHL, by8).lanewise(ASHR, by8);
                        ShortVector odd = q.lanewise(ASHR, by8);
                        int at = (b * BLOCK + 32 * u + 16 * j + 2 * k - k0) * GROUP;
                        ((FloatVector) even.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(scale0).intoArray(panel, at);
                        ((FloatVector) even.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(scale1).intoArray(panel, at + half);
                        ((FloatVector) odd.convertShape(S2I, IS, 0).convert(I2F, 0)).mul(scale0).intoArray(panel, at + GROUP);
                        ((FloatVector) odd.convertShape(S2I, IS, 1).convert(I2F, 0)).mul(scale1).intoArray(panel, at + GROUP + half);
                    }
                }
            }
        }
    }

    /** Where super-block {@code b} of the group holding {@code row} starts, plus the row's lane. */
    private long tile(int row, int b) {
        return ((long) (row / GROUP) * (cols / BLOCK) + b) * TILE + 2L * (row % GROUP);
    }
}
