package dev.vela.gguf;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * A file over 2 GB, made sparse so the test is quick: a 2 GB tensor of zeros followed by a small
 * tensor with known values, which must be read from past the 2^31 byte mark.
 */
class LargeFileTest {
    @TempDir
    Path tmp;

    @Test
    void tensorsBeyondTwoGigabytesAreMapped() throws IOException {
        long bigCount = (1L << 29) + 8; // F32 values: 2^31 + 32 bytes
        ByteBuffer h = ByteBuffer.allocate(256).order(ByteOrder.LITTLE_ENDIAN);
        h.put("GGUF".getBytes(StandardCharsets.US_ASCII)).putInt(3).putLong(2).putLong(0);
        name(h, "big").putInt(1).putLong(bigCount).putInt(0).putLong(0);
        name(h, "tail").putInt(1).putLong(4).putInt(0).putLong(bigCount * 4);
        int dataStart = (h.position() + 31) / 32 * 32;
        long tailAt = dataStart + bigCount * 4;
        Path p = tmp.resolve("big.gguf");
        try (RandomAccessFile f = new RandomAccessFile(p.toFile(), "rw")) {
            f.write(h.array(), 0, h.position());
            f.setLength(tailAt + 16);
            f.seek(tailAt);
            ByteBuffer tail = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f).putFloat(3.25f).putFloat(7f);
            f.write(tail.array());
        }
        try (GGUFFile f = GGUFFile.open(p)) {
            assertEquals(tailAt + 16, f.fileSize());
            MemorySegment tail = f.data(f.tensor("tail"));
            ValueLayout.OfFloat le = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
            assertEquals(1.5f, tail.get(le, 0));
            assertEquals(7f, tail.get(le, 12));
            assertEquals(bigCount * 4, f.data(f.tensor("big")).byteSize());
            assertEquals(0f, f.data(f.tensor("big")).get(le, bigCount * 4 - 4));
        }
    }

    private static ByteBuffer name(ByteBuffer b, String s) {
        byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
        return b.putLong(bytes.length).put(bytes);
    }
}
