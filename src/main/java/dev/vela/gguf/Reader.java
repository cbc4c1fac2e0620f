package dev.vela.gguf;

import dev.vela.VelaException;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Reads little-endian values from the front of a mapped GGUF file. Every read, length and count is
 * checked against the bytes left, so a lying header gives a clear error instead of a huge
 * allocation or an exception from deep inside the JDK.
 */
final class Reader {
    private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final int MAX_NESTING = 8;

    private final String file;
    private final MemorySegment seg;
    private final long size;
    private long pos;

    Reader(String file, MemorySegment seg) {
        this.file = file;
        this.seg = seg;
        this.size = seg.byteSize();
    }

    long position() {
        return pos;
    }

    private long remaining() {
        return size - pos;
    }

    private void need(long n, String what) {
        if (n < 0 || n > remaining()) {
            throw new VelaException(file + ": truncated header: " + what + " needs " + (n < 0 ? Long.toUnsignedString(n) : n)
                    + " bytes at offset " + pos + ", but the file has " + size + " bytes");
        }
    }

    int i32() {
        need(4, "a 32-bit value");
        int v = seg.get(I32, pos);
        pos += 4;
        return v;
    }

    long i64() {
        need(8, "a 64-bit value");
        long v = seg.get(I64, pos);
        pos += 8;
        return v;
    }

    /** A count of items that each take at least {@code minBytes}: more than the file could hold is an error. */
    long count(int minBytes, String what) {
        long n = i64();
        if (n < 0 || n > remaining() / minBytes) {
            throw new VelaException(file + ": " + what + " " + Long.toUnsignedString(n) + " is larger than the file could hold ("
                    + size + " bytes): the file is truncated or corrupt");
        }
        return n;
    }

    String string() {
        long len = i64();
        if (len < 0 || len > remaining()) {
            throw new VelaException(file + ": a string of length " + Long.toUnsignedString(len) + " at offset " + (pos - 8)
                    + " runs past the end of the file (" + size + " bytes): the file is truncated or corrupt");
        }
        byte[] bytes = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
        pos += len;
        return new String(bytes, StandardCharsets.UTF_8);
    }

    ValueType valueType(String key) {
        int id = i32();
        ValueType t = ValueType.fromId(id);
        if (t == null) {
            throw new VelaException(file + ": metadata key '" + key + "' has unknown value type " + Integer.toUnsignedString(id) + ": the file is corrupt");
        }
        return t;
    }

    Object value(ValueType type, String key, int depth) {
        return switch (type) {
            case UINT8 -> { need(1, key); yield Byte.toUnsignedInt(seg.get(ValueLayout.JAVA_BYTE, pos++)); }
            case INT8 -> { need(1, key); yield (int) seg.get(ValueLayout.JAVA_BYTE, pos++); }
            case UINT16 -> Short.toUnsignedInt(i16());
            case INT16 -> (int) i16();
            case UINT32 -> Integer.toUnsignedLong(i32());
            case INT32 -> i32();
            case FLOAT32 -> Float.intBitsToFloat(i32());
            case BOOL -> { need(1, key); yield seg.get(ValueLayout.JAVA_BYTE, pos++) != 0; }
            case STRING -> string();
            case UINT64, INT64 -> i64();
            case FLOAT64 -> Double.longBitsToDouble(i64());
            case ARRAY -> array(key, depth);
        };
    }

    private short i16() {
        need(2, "a 16-bit value");
        short v = seg.get(I16, pos);
        pos += 2;
        return v;
    }

    private Object array(String key, int depth) {
        if (depth >= MAX_NESTING) {
            throw new VelaException(file + ": metadata key '" + key + "' nests arrays deeper than " + MAX_NESTING + " levels");
        }
        ValueType elem = valueType(key);
        long n = count(elem.minBytes, "array '" + key + "' with element count");
        int len = (int) n; // count() bounds n by the file size / element size; a >2 GB array of bytes would be absurd
        if (n > Integer.MAX_VALUE - 8) {
            throw new VelaException(file + ": array '" + key + "' has " + n + " elements, more than Vela can hold");
        }
        switch (elem) {
            case UINT8, INT8, BOOL -> {
                byte[] a = seg.asSlice(pos, len).toArray(ValueLayout.JAVA_BYTE);
                pos += len;
                if (elem == ValueType.BOOL) {
                    boolean[] b = new boolean[len];
                    for (int i = 0; i < len; i++) {
                        b[i] = a[i] != 0;
                    }
                    return b;
                }
                return a;
            }
            case UINT16, INT16 -> {
                short[] a = new short[len];
                MemorySegment.copy(seg, I16, pos, a, 0, len);
                pos += 2L * len;
                return a;
            }
            case UINT32, INT32 -> {
                int[] a = new int[len];
                MemorySegment.copy(seg, I32, pos, a, 0, len);
                pos += 4L * len;
                return a;
            }
            case FLOAT32 -> {
                float[] a = new float[len];
                MemorySegment.copy(seg, F32, pos, a, 0, len);
                pos += 4L * len;
                return a;
            }
            case UINT64, INT64 -> {
                long[] a = new long[len];
                MemorySegment.copy(seg, I64, pos, a, 0, len);
                pos += 8L * len;
                return a;
            }
            case FLOAT64 -> {
                double[] a = new double[len];
                MemorySegment.copy(seg, F64, pos, a, 0, len);
                pos += 8L * len;
                return a;
            }
            case STRING -> {
                String[] a = new String[len];
                for (int i = 0; i < len; i++) {
                    a[i] = string();
                }
                return a;
            }
            case ARRAY -> {
                Object[] a = new Object[len];
                for (int i = 0; i < len; i++) {
                    a[i] = array(key, depth + 1);
                }
                return a;
            }
        }
        throw new AssertionError(elem);
    }
}
