package dev.vela.gguf;

import dev.vela.tensor.GGMLType;

/**
 * One tensor's entry in the GGUF header. {@code dims[0]} is the length of a row (contiguous in
 * memory), as in ggml; {@code offset} is relative to the start of the data section.
 */
public record TensorInfo(String name, long[] dims, GGMLType type, long offset, long byteSize) {
    public long elements() {
        long n = 1;
        for (long d : dims) {
            n *= d;
        }
        return n;
    }

    /** Number of rows when viewed as a matrix: every dimension after the first. */
    public long rows() {
        return elements() / dims[0];
    }

    public String shape() {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < dims.length; i++) {
            if (i > 0) {
                sb.append(" x ");
            }
            sb.append(dims[i]);
        }
        return sb.toString();
    }
}
