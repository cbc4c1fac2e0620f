package dev.vela.gguf;

import dev.vela.TestData;
import dev.vela.tensor.GGMLType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GGUFFileTest {
    @TempDir
    Path tmp;

    @Test
    void readsStories260K() {
        try (GGUFFile f = GGUFFile.open(TestData.model("stories260K.gguf"))) {
            assertEquals(3, f.version());
            Metadata md = f.metadata();
            assertEquals(19, md.asMap().size());
            assertEquals(48, f.tensors().size());
            assertEquals("llama", md.getString("general.architecture"));
            assertEquals(64, md.getInt("llama.embedding_length"));
            assertEquals(172, md.getInt("llama.feed_forward_length"));
            assertEquals(9.999999747378752e-06f, md.getFloat("llama.attention.layer_norm_rms_epsilon"));
            assertEquals(4294967295L, md.getLong("tokenizer.ggml.padding_token_id"));
            String[] tokens = md.getStringArray("tokenizer.ggml.tokens");
            assertEquals(512, tokens.length);
            assertEquals("<unk>", tokens[0]);
            assertEquals("<0x00>", tokens[3]);
            assertArrayEquals(new int[] {2, 3, 3, 6}, java.util.Arrays.copyOf(md.getIntArray("tokenizer.ggml.token_type"), 4));
            assertEquals(0x3760, f.dataOffset());
            TensorInfo down = f.tensor("blk.0.ffn_down.weight");
            assertArrayEquals(new long[] {172, 64}, down.dims());
            assertEquals(GGMLType.F32, down.type());
            assertEquals(355840, down.offset());
            assertEquals(44032, down.byteSize());
            assertEquals(44032, f.data(down).byteSize());
        }
    }

    /** A version 2 file assembled byte by byte, with every metadata value type, nested arrays included. */
    @Test
    void readsEveryValueTypeFromHandAssembledBytes() throws IOException {
        ByteBuffer b = ByteBuffer.allocate(1024).order(ByteOrder.LITTLE_ENDIAN);
        b.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(2).putLong(1).putLong(14);
        key(b, "u8").putInt(0).put((byte) 200);
        key(b, "i8").putInt(1).put((byte) -5);
        key(b, "u16").putInt(2).putShort((short) 60000);
        key(b, "i16").putInt(3).putShort((short) -300);
        key(b, "u32").putInt(4).putInt(-1);
        key(b, "i32").putInt(5).putInt(-70000);
        key(b, "f32").putInt(6).putFloat(1.5f);
        key(b, "bool").putInt(7).put((byte) 1);
        key(b, "str").putInt(8);
        str(b, "héllo");
        key(b, "u64").putInt(10).putLong(1L << 40);
        key(b, "i64").putInt(11).putLong(-2);
        key(b, "f64").putInt(12).putDouble(0.25);
        key(b, "strs").putInt(9).putInt(8).putLong(2);
        str(b, "a");
        str(b, "bc");
        key(b, "nested").putInt(9).putInt(9).putLong(2);
        b.putInt(5).putLong(2).putInt(7).putInt(8);
        b.putInt(6).putLong(1).putFloat(2.5f);
        str(b, "w");
        b.putInt(1).putLong(4).putLong(0).putInt(0).putLong(0); // 1-D tensor of 4 F32 values at offset 0
        while (b.position() % 32 != 0) {
            b.put((byte) 0);
        }
        b.putFloat(1f).putFloat(2f).putFloat(3f).putFloat(4f);
        Path p = tmp.resolve("hand.gguf");
        Files.write(p, java.util.Arrays.copyOf(b.array(), b.position()));

        try (GGUFFile f = GGUFFile.open(p)) {
            Metadata md = f.metadata();
            assertEquals(2, f.version());
            assertEquals(200, md.getInt("u8"));
            assertEquals(-5, md.getInt("i8"));
            assertEquals(60000, md.getInt("u16"));
            assertEquals(-300, md.getInt("i16"));
            assertEquals(4294967295L, md.getLong("u32"));
            assertEquals(-70000, md.getInt("i32"));
            assertEquals(1.5f, md.getFloat("f32"));
            assertTrue(md.getBoolean("bool", false));
            assertEquals("héllo", md.getString("str"));
            assertEquals(1L << 40, md.getLong("u64"));
            assertEquals(-2, md.getLong("i64"));
            assertEquals(0.25f, md.getFloat("f64"));
            assertArrayEquals(new String[] {"a", "bc"}, md.getStringArray("strs"));
            Object[] nested = assertInstanceOf(Object[].class, md.get("nested").orElseThrow());
            assertArrayEquals(new int[] {7, 8}, (int[]) nested[0]);
            assertArrayEquals(new float[] {2.5f}, (float[]) nested[1]);
            TensorInfo w = f.tensor("w");
            assertEquals(3f, f.data(w).get(ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 8));
        }
    }

    private static ByteBuffer key(ByteBuffer b, String k) {
        return str(b, k);
    }

    private static ByteBuffer str(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return b.putLong(bytes.length).put(bytes);
    }

    @Test
    void writerRoundTripsAFileByteForByte() throws IOException {
        Path src = TestData.model("stories260K.gguf");
        Path copy = tmp.resolve("copy.gguf");
        try (GGUFFile f = GGUFFile.open(src)) {
            GGUFWriter.copyOf(f).write(copy);
        }
        try (GGUFFile a = GGUFFile.open(src); GGUFFile b = GGUFFile.open(copy)) {
            assertEquals(a.tensors().keySet(), b.tensors().keySet());
            for (TensorInfo t : a.tensors().values()) {
                assertEquals(-1, a.data(t).mismatch(b.data(b.tensor(t.name()))), t.name());
            }
            assertArrayEquals(a.metadata().getStringArray("tokenizer.ggml.tokens"), b.metadata().getStringArray("tokenizer.ggml.tokens"));
        }
    }
}
