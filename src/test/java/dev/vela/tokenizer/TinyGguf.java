package dev.vela.tokenizer;

import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.Metadata;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/** Writes a GGUF file with metadata only, for tokenizer tests that need a made-up vocabulary. */
final class TinyGguf {
    private final Map<String, Object> values = new LinkedHashMap<>();

    TinyGguf put(String key, Object value) {
        values.put(key, value);
        return this;
    }

    Metadata metadata(Path dir) {
        Path file = dir.resolve("tiny.gguf");
        try {
            Files.write(file, bytes());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        try (GGUFFile gguf = GGUFFile.open(file)) {
            return gguf.metadata();
        }
    }

    private byte[] bytes() {
        Out out = new Out();
        out.i32(0x46554747);
        out.i32(3);
        out.i64(0);
        out.i64(values.size());
        values.forEach((key, value) -> {
            out.str(key);
            switch (value) {
                case String s -> { out.i32(8); out.str(s); }
                case Boolean b -> { out.i32(7); out.raw(new byte[] {(byte) (b ? 1 : 0)}); }
                case Integer i -> { out.i32(4); out.i32(i); }
                case String[] a -> { out.i32(9); out.i32(8); out.i64(a.length); for (String s : a) out.str(s); }
                case float[] a -> { out.i32(9); out.i32(6); out.i64(a.length); for (float f : a) out.f32(f); }
                case int[] a -> { out.i32(9); out.i32(5); out.i64(a.length); for (int i : a) out.i32(i); }
                default -> throw new IllegalArgumentException("unsupported value " + value);
            }
        });
        return out.bytes.toByteArray();
    }

    private static final class Out {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        void raw(byte[] b) {
            bytes.writeBytes(b);
        }

        void i32(int v) {
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array());
        }

        void i64(long v) {
            raw(ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(v).array());
        }

        void f32(float v) {
            raw(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putFloat(v).array());
        }

        void str(String s) {
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            i64(b.length);
            raw(b);
        }
    }
}
