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
 * Q6_K and Q3_K copied at load into a layout for 16-bit integer products, {@link #GROUP} rows
 * side by side as in {@link Q4_0x32Tensor}. Both are weight = d·scale[j]·q with a signed q (Q6_K
 * 6 bits less 32, Q3_K 3 bits less 4) and a signed scale per 16 weights (8 bits, 6 bits less
 * 32), so one kernel serves both once the copy has taken the bits apart: each q as a signed
 * byte, each scale as a signed byte. Joining Q6_K's nibble and two high bits in the kernel would
 * take more operations than the product; the byte per weight makes the copy a third larger than
 * a Q6_K file (274 bytes per row and super-block against 210) and 2.5 times a Q3_K one (against
 * 110), for a kernel with two shifts per pair of weights. Products with x rounded to 8 bits
 * ({@link QuantizedInput#quantizeK}) are at most 32 × 127, so eight of them stay exact in
 * 16-bit lanes: one sub-block of 16 columns, two accumulators.
 *
 * <p>Layout: per group of rows, per super-block of 256 columns, one tile of {@code 274 × GROUP}
 * bytes: the rows' fp16 d, then per block u of 32 columns one vector of shorts
 * {@code scale[2u] | scale[2u + 1] << 8} (signed bytes) and 16 vectors of quants, lane r of
 * vector k holding q of columns 32u + 2k (low byte) and 32u + 2k + 1 (high byte).
 */
public final class SignedKx32Tensor extends Tensor {
    private static final VectorSpecies<Short> SS = ShortVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> IS = VectorSpecies.of(int.class, SS.vectorShape());
    private static final VectorSpecies<Float> FS = VectorSpecies.of(float.class, SS.vectorShape());
    /** Rows per group: one lane each. */
    public static final int GROUP = SS.length();
    private static final int BLOCK = 256;
    private static final int VECTOR = 2 * GROUP;
    /** Where block u of 32 columns starts: its vector of scales, then 16 of quants. */
    private static final int UNITS = VECTOR;
    private static final int UNIT = 17 * VECTOR;
    private static final int TILE = UNITS + 8 * UNIT;

    private final GGMLType type;

    private SignedKx32Tensor(GGMLType type, MemorySegment data, int rows, int cols) {
        super(type, data, rows, cols);
        this.type = type;
    }

    @Override
    public GGMLType type() {
        return type;
    }

    /** Whether {@code rows} rows fill whole groups; the others keep the file's layout. */
    static boolean fits(int rows) {
        return rows % GROUP == 0;
    }

    /**
     * The copy of {@code source} (Q6_K or Q3_K) in this layout, in memory of {@code arena}, a
     * group of rows at a time through byte arrays (see {@link Q4_0x32Tensor#of}).
     */
    static SignedKx32Tensor of(Tensor source, Arena arena) {
        GGMLType type = source.type();
        int rows = source.rows(), cols = source.cols(), blocks = cols / BLOCK;
        int rowBytes = (int) source.rowBytes;
        byte[] in = new byte[GROUP * rowBytes];
        byte[] out = new byte[blocks * TILE];
        byte[] q = new byte[BLOCK];
        byte[] scales = new byte[16];
        MemorySegment to = arena.allocate((long) rows / GROUP * out.length, 64);
        for (int g = 0; g < rows / GROUP; g++) {
            MemorySegment.copy(source.data(), ValueLayout.JAVA_BYTE, (long) g * in.length, in, 0, in.length);
            for (int r = 0; r < GROUP; r++) {
                for (int b = 0; b < blocks; b++) {
                    int block = r * rowBytes + b * type.typeSize;
                    int tile = b * TILE + 2 * r;
                    int d = switch (type) {
                        case Q6_K -> unpackQ6_K(in, block, q, scales);
                        case Q3_K -> unpackQ3_K(in, block, q, scales);
                        default -> throw new IllegalArgumentException(type + " is not a signed K-quant");
                    };
                    out[tile] = (byte) d;
                    out[tile + 1] = (byte) (d >>> 8);
                    for (int i = 0; i < BLOCK; i++) {
                        out[tile + quant(i)] = q[i];
                    }
                    for (int j = 0; j < 16; j++) {
                        out[tile + UNITS + j / 2 * UNIT + j % 2] = scales[j];
                    }
                }
            }
            MemorySegment.copy(out, 0, to, ValueLayout.JAVA_BYTE, (long) g * out.length, out.length);
        }
        if (source.data().isMapped()) {
            source.data().unload(); // not read again (see Q4_0x32Tensor#of)
        }
        return new SignedKx32Tensor(type, to, rows, cols);
    }

    /**
     * A Q6_K block's q − 32 and scales, returning its fp16 d. Weight i (in each half of 128,
     * l = i mod 32, k = (i mod 128) / 32) has its low four bits in byte 64h + 32(k mod 2) + l (the
     * low nibble for k < 2), its high two at bit 2k of byte 128 + 32h + l; scale[i / 16] is byte
     * 192 + i / 16, d bytes 208 and 209.
     */
    private static int unpackQ6_K(byte[] in, int block, byte[] q, byte[] scales) {
        for (int i = 0; i < BLOCK; i++) {
            int h = i / 128, k = i % 128 / 32, l = i % 32;
            int packed = in[block + 64 * h + 32 * (k % 2) + l] & 0xFF;
            int low = k < 2 ? packed & 0xF : packed >>> 4;
            int high = (in[block + 128 + 32 * h + l] & 0xFF) >>> 2 * k & 3;
            q[i] = (byte) ((low | high << 4) - 32);
        }
        System.arraycopy(in, block + 192, scales, 0, 16);
        return in[block + 208] & 0xFF | (in[block + 209] & 0xFF) << 8;
    }

    /**
     * A Q3_K block's q and scales, returning its fp16 d. Weight i (h = i / 128, j = (i mod 128) /
     * 32, l = i mod 32) has its low two bits at bit 2j of byte 32 + 32h + l and its high bit at
     * bit 4h + j of byte l, q = low − 4 where that bit is clear; scale n = i / 16 has its low four
     * bits in byte 96 + n (low nibble, n < 8) or 88 + n (high nibble), its high two at bit 2(n / 4)
     * of byte 104 + n mod 4, less 32; d is bytes 108 and 109.
     */
    private static int unpackQ3_K(byte[] in, int block, byte[] q, byte[] scales) {
        for (int i = 0; i < BLOCK; i++) {
            int h = i / 128, j = i % 128 / 32, l = i % 32;
            int low = (in[block + 32 + 32 * h + l] & 0xFF) >>> 2 * j & 3;
            int high = (in[block + l] & 0xFF) >>> 4 * h + j & 1;
            q[i] = (byte) (low - (high == 0 ? 4 : 0));
        }
        for (int n = 0; n < 16; n++) {
            int low = n < 8 ? in[block + 96 + n] & 0xF : (in[block + 88 + n] & 0xFF) >>> 4;
            int high = (in[block + 104 + n % 4] & 0xFF) >>> 2 * (n / 4) & 3;
            scales[n] = (byte) ((low | high << 4) - 32);
        }
        return in[block + 108] & 0xFF | (in[block + 109] & 0xFF) << 8;
    }

    /** Where weight i (0..255) of a super-block is in lane 0 of its tile. */
    private static int quant(int i) {
        return UNITS + i / 32 * UNIT + VECTOR + (i % 32 / 2) * VECTOR + i % 2;
    }

    @Override
    public int rowsPerPass() {
        return GROUP;
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
        float[] d = new float[GROUP];
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        int half = IS.length();
        for (int g = from / GROUP; g < to / GROUP; g++) {
            FloatVector acc0 = FloatVector.zero(FS);
            FloatVector acc1 = acc0;
            for (int b = 0; b < blocks; b++) {
                long tile = ((long) g * blocks + b) * TILE;
                for (int r = 0; r < GROUP; r++) {
                    d[r] = Float.float16ToFloat(data.get(F16Tensor.HALF, tile + 2L * r));
                }
                FloatVector d0 = FloatVector.fromArray(FS, d, 0);
                FloatVector d1 = FloatVector.fromArray(FS, d, half);
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

    /** One row alone, as {@link #dotScalar} computes it: this layout is for whole groups of rows. */
    @Override
    public float dot(int row, MemorySegment x) {
        return dotScalar(row, Activations.toArray(x, cols), 0);
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
            float d = Float.float16ToFloat(data.get(F16Tensor.HALF, lane));
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

    /** Weight {@code (d·scale)·q}, as {@link Q6_KTensor} and {@link Q3_KTensor} read their files. */
    @Override
    public void dequantizeRow(int row, float[] out, int off) {
        for (int b = 0; b < cols / BLOCK; b++) {
            long lane = tile(row, b);
            float d = Float.float16ToFloat(data.get(F16Tensor.HALF, lane));
            for (int i = 0; i < BLOCK; i++) {
                out[off + b * BLOCK + i] = d * scale(lane, i / 16) * data.get(ValueLayout.JAVA_BYTE, lane + quant(i));
            }
        }
    }

    /** Sub-block j's scale of the row whose lane starts at {@code lane} in its tile. */
    private int scale(long lane, int j) {
        return data.get(ValueLayout.JAVA_BYTE, lane + UNITS + (long) (j / 2) * UNIT + j % 2);
    }

    @Override
    public int panelRows() {
        return GROUP;
    }

    /** As {@link Q4_0x32Tensor#dequantizePanel}: each vector of a tile is two columns of the group. */
    @Override
    public void dequantizePanel(int first, int k0, int k1, float[] panel) {
        int half = IS.length();
        float[] d = new float[GROUP];
        ShortVector by8 = ShortVector.broadcast(SS, (short) 8);
        for (int b = k0 / BLOCK; b < k1 / BLOCK; b++) {
            long tile = tile(first, b);
            for (int r = 0; r < GROUP; r++) {
                d[r] = Float.float16ToFloat(data.get(F16Tensor.HALF, tile + 2L * r));
            }
            FloatVector d0 = FloatVector.fromArray(FS, d, 0);
            FloatVector d1 = FloatVector.fromArray(FS, d, half);
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
