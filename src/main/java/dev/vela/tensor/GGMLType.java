package dev.vela.tensor;

import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * The table of ggml weight types: id as stored in GGUF, values per block, bytes per block,
 * and how to view a matrix of that type ({@code null} where Vela cannot run it yet).
 * Every type ggml defines is listed so that sizes can be checked and errors can name it.
 */
public enum GGMLType {
    F32(0, 1, 4, F32Tensor::new),
    F16(1, 1, 2, F16Tensor::new),
    Q4_0(2, 32, 18, Q4_0Tensor::new),
    Q4_1(3, 32, 20, Q4_1Tensor::new),
    Q5_0(6, 32, 22, Q5_0Tensor::new),
    Q5_1(7, 32, 24, Q5_1Tensor::new),
    Q8_0(8, 32, 34, Q8_0Tensor::new),
    Q8_1(9, 32, 36, null),
    Q2_K(10, 256, 84, Q2_KTensor::new),
    Q3_K(11, 256, 110, Q3_KTensor::new),
    Q4_K(12, 256, 144, Q4_KTensor::new),
    Q5_K(13, 256, 176, Q5_KTensor::new),
    Q6_K(14, 256, 210, Q6_KTensor::new),
    Q8_K(15, 256, 292, null),
    IQ2_XXS(16, 256, 66, null),
    IQ2_XS(17, 256, 74, null),
    IQ3_XXS(18, 256, 98, null),
    IQ1_S(19, 256, 50, null),
    IQ4_NL(20, 32, 18, IQ4_NLTensor::new),
    IQ3_S(21, 256, 110, null),
    IQ2_S(22, 256, 82, null),
    IQ4_XS(23, 256, 136, IQ4_XSTensor::new),
    I8(24, 1, 1, null),
    I16(25, 1, 2, null),
    I32(26, 1, 4, null),
    I64(27, 1, 8, null),
    F64(28, 1, 8, null),
    IQ1_M(29, 256, 56, null),
    BF16(30, 1, 2, BF16Tensor::new),
    TQ1_0(34, 256, 54, null),
    TQ2_0(35, 256, 66, null),
    MXFP4(39, 32, 17, null);

    /** Builds the matrix view of one tensor's mapped bytes. */
    @FunctionalInterface
    public interface Factory {
        Tensor create(MemorySegment data, int rows, int cols);
    }

    public final int id;
    /** Number of weights one block holds. */
    public final int blockSize;
    /** Bytes one block takes in the file. */
    public final int typeSize;
    private final Factory factory;

    GGMLType(int id, int blockSize, int typeSize, Factory factory) {
        this.id = id;
        this.blockSize = blockSize;
        this.typeSize = typeSize;
        this.factory = factory;
    }

    private static final GGMLType[] BY_ID = new GGMLType[64];

    static {
        for (GGMLType t : values()) {
            BY_ID[t.id] = t;
        }
    }

    public static Optional<GGMLType> fromId(int id) {
        return id >= 0 && id < BY_ID.length ? Optional.ofNullable(BY_ID[id]) : Optional.empty();
    }

    public boolean supported() {
        return factory != null;
    }

    /** Bytes taken by {@code n} values, {@code n} a multiple of the block size. */
    public long bytesFor(long n) {
        return n / blockSize * typeSize;
    }

    public double bitsPerWeight() {
        return typeSize * 8.0 / blockSize;
    }

    public Tensor view(MemorySegment data, int rows, int cols) {
        if (factory == null) {
            throw new IllegalStateException(this + " has no kernels");
        }
        return factory.create(data, rows, cols);
    }

    public static String supportedNames() {
        return Arrays.stream(values()).filter(GGMLType::supported).map(Enum::name)
                .collect(Collectors.joining(", "));
    }
}
