package dev.vela.gguf;

import dev.vela.tensor.GGMLType;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3 files: metadata in insertion order, then tensor infos, then the aligned
 * data. Used by tests (to make small and deliberately broken files) and by tools. The file is
 * written next to its destination and renamed into place, so no half-written file is left.
 */
public final class GGUFWriter {
    private record Entry(ValueType type, Object value) {}

    private record PendingTensor(String name, GGMLType type, long[] dims, MemorySegment data) {}

    private final Map<String, Entry> metadata = new LinkedHashMap<>();
    private final List<PendingTensor> tensors = new ArrayList<>();
    private int alignment = 32;

    /** A writer holding a copy of {@code file}'s metadata and tensors, to be changed before writing. */
    public static GGUFWriter copyOf(GGUFFile file) {
        GGUFWriter w = new GGUFWriter();
        for (Map.Entry<String, Object> e : file.metadata().asMap().entrySet()) {
            w.metadata.put(e.getKey(), new Entry(file.metadata().type(e.getKey()), e.getValue()));
        }
        for (TensorInfo t : file.tensors().values()) {
            w.tensors.add(new PendingTensor(t.name(), t.type(), t.dims(), file.data(t)));
        }
        w.alignment = file.metadata().getInt("general.alignment", 32);
        return w;
    }

    /**
     * Sets a metadata value. Scalars: {@code Integer}/{@code Long} for integer types, {@code Float},
     * {@code Double}, {@code Boolean}, {@code String}. Arrays ({@code type} = ARRAY): {@code byte[]},
     * {@code short[]}, {@code int[]}, {@code long[]}, {@code float[]}, {@code double[]},
     * {@code boolean[]}, {@code String[]}, or {@code Object[]} of arrays.
     */
    public GGUFWriter put(String key, ValueType type, Object value) {
        metadata.put(key, new Entry(type, value));
        return this;
    }

    public GGUFWriter putString(String key, String value) {
        return put(key, ValueType.STRING, value);
    }

    public GGUFWriter putUInt32(String key, long value) {
        return put(key, ValueType.UINT32, value);
    }

    public GGUFWriter putFloat32(String key, float value) {
        return put(key, ValueType.FLOAT32, value);
    }

    public GGUFWriter putArray(String key, Object array) {
        return put(key, ValueType.ARRAY, array);
    }

    public GGUFWriter remove(String key) {
        metadata.remove(key);
        return this;
    }

    public GGUFWriter addTensor(String name, GGMLType type, long[] dims, MemorySegment data) {
        tensors.add(new PendingTensor(name, type, dims.clone(), data));
        return this;
    }

    public GGUFWriter addTensor(String name, GGMLType type, long[] dims, byte[] data) {
        return addTensor(name, type, dims, MemorySegment.ofArray(data));
    }

    public GGUFWriter removeTensor(String name) {
        tensors.removeIf(t -> t.name().equals(name));
        return this;
    }

    /** Replaces a tensor's type id and data, keeping its name and shape. */
    public GGUFWriter retypeTensor(String name, GGMLType type, byte[] data) {
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            if (t.name().equals(name)) {
                tensors.set(i, new PendingTensor(name, type, t.dims(), MemorySegment.ofArray(data)));
            }
        }
        return this;
    }

    public void write(Path path) throws IOException {
        Path tmp = path.resolveSibling(path.getFileName() + ".tmp");
        try (OutputStream os = Files.newOutputStream(tmp)) {
            write(os);
        }
        Files.move(tmp, path, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    public void write(OutputStream os) throws IOException {
        LittleEndianOut out = new LittleEndianOut(new DataOutputStream(new BufferedOutputStream(os, 1 << 16)));
        out.bytes("GGUF".getBytes(StandardCharsets.US_ASCII));
        out.i32(3);
        out.i64(tensors.size());
        out.i64(metadata.size());
        for (Map.Entry<String, Entry> e : metadata.entrySet()) {
            out.string(e.getKey());
            out.i32(e.getValue().type().id);
            value(out, e.getValue().type(), e.getValue().value());
        }
        long offset = 0;
        List<Long> offsets = new ArrayList<>();
        for (PendingTensor t : tensors) {
            offsets.add(offset);
            offset = align(offset + t.data().byteSize());
        }
        for (int i = 0; i < tensors.size(); i++) {
            PendingTensor t = tensors.get(i);
            out.string(t.name());
            out.i32(t.dims().length);
            for (long d : t.dims()) {
                out.i64(d);
            }
            out.i32(t.type().id);
            out.i64(offsets.get(i));
        }
        out.pad(align(out.written()) - out.written());
        for (PendingTensor t : tensors) {
            long n = t.data().byteSize();
            byte[] chunk = new byte[1 << 16];
            for (long pos = 0; pos < n; pos += chunk.length) {
                int len = (int) Math.min(chunk.length, n - pos);
                MemorySegment.copy(t.data(), ValueLayout.JAVA_BYTE, pos, chunk, 0, len);
                out.bytes(chunk, len);
            }
            out.pad(align(n) - n);
        }
        out.flush();
    }

    private long align(long n) {
        return (n + alignment - 1) / alignment * alignment;
    }

    private static void value(LittleEndianOut out, ValueType type, Object v) throws IOException {
        switch (type) {
            case UINT8, INT8, BOOL -> out.u8(v instanceof Boolean b ? (b ? 1 : 0) : ((Number) v).intValue());
            case UINT16, INT16 -> out.i16(((Number) v).intValue());
            case UINT32, INT32 -> out.i32(((Number) v).intValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits(((Number) v).floatValue()));
            case UINT64, INT64 -> out.i64(((Number) v).longValue());
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits(((Number) v).doubleValue()));
            case STRING -> out.string((String) v);
            case ARRAY -> array(out, v);
        }
    }

    private static void array(LittleEndianOut out, Object v) throws IOException {
        switch (v) {
            case byte[] a -> {
                out.i32(ValueType.INT8.id);
                out.i64(a.length);
                out.bytes(a);
            }
            case boolean[] a -> {
                out.i32(ValueType.BOOL.id);
                out.i64(a.length);
                for (boolean b : a) {
                    out.u8(b ? 1 : 0);
                }
            }
            case short[] a -> {
                out.i32(ValueType.INT16.id);
                out.i64(a.length);
                for (short s : a) {
                    out.i16(s);
                }
            }
            case int[] a -> {
                out.i32(ValueType.INT32.id);
                out.i64(a.length);
                for (int i : a) {
                    out.i32(i);
                }
            }
            case long[] a -> {
                out.i32(ValueType.INT64.id);
                out.i64(a.length);
                for (long l : a) {
                    out.i64(l);
                }
            }
            case float[] a -> {
                out.i32(ValueType.FLOAT32.id);
                out.i64(a.length);
                for (float f : a) {
                    out.i32(Float.floatToRawIntBits(f));
                }
            }
            case double[] a -> {
                out.i32(ValueType.FLOAT64.id);
                out.i64(a.length);
                for (double d : a) {
                    out.i64(Double.doubleToRawLongBits(d));
                }
            }
            case String[] a -> {
                out.i32(ValueType.STRING.id);
                out.i64(a.length);
                for (String s : a) {
                    out.string(s);
                }
            }
            case Object[] a -> {
                out.i32(ValueType.ARRAY.id);
                out.i64(a.length);
                for (Object o : a) {
                    array(out, o);
                }
            }
            default -> throw new IllegalArgumentException("not a GGUF array: " + v.getClass());
        }
    }

    /** Little-endian output that counts the bytes it wrote. */
    private static final class LittleEndianOut {
        private final DataOutputStream out;

        LittleEndianOut(DataOutputStream out) {
            this.out = out;
        }

        long written() {
            return out.size() & 0xffffffffL;
        }

        void u8(int v) throws IOException {
            out.writeByte(v);
        }

        void i16(int v) throws IOException {
            out.writeShort(Short.reverseBytes((short) v));
        }

        void i32(int v) throws IOException {
            out.writeInt(Integer.reverseBytes(v));
        }

        void i64(long v) throws IOException {
            out.writeLong(Long.reverseBytes(v));
        }

        void string(String s) throws IOException {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            out.write(b);
        }

        void bytes(byte[] b) throws IOException {
            out.write(b);
        }

        void bytes(byte[] b, int len) throws IOException {
            out.write(b, 0, len);
        }

        void pad(long n) throws IOException {
            for (long i = 0; i < n; i++) {
                out.writeByte(0);
            }
        }

        void flush() throws IOException {
            out.flush();
        }
    }
}
