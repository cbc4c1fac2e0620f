package dev.vela.gguf;

import dev.vela.TestData;
import dev.vela.VelaException;
import dev.vela.model.Model;
import dev.vela.tensor.GGMLType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Real files broken in the ways files break: none may make the loader throw anything but
 * Vela's own error, and the message must name the file and the problem.
 */
class CorruptFileTest {
    @TempDir
    Path tmp;

    private byte[] stories() throws IOException {
        return Files.readAllBytes(TestData.model("stories260K.gguf"));
    }

    private Path write(String name, byte[] bytes) throws IOException {
        Path p = tmp.resolve(name);
        Files.write(p, bytes);
        return p;
    }

    private static String loadFails(Path p) {
        VelaException e = assertThrows(VelaException.class, () -> {
            try (Model m = Model.load(p)) {
                m.config();
            }
        });
        assertTrue(e.getMessage().contains(p.toString()), "message names the file: " + e.getMessage());
        assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
        return e.getMessage();
    }

    private static void assertMentions(String message, String... words) {
        for (String w : words) {
            assertTrue(message.contains(w), "'" + message + "' should mention '" + w + "'");
        }
    }

    @Test
    void missingFileAndDirectory() {
        assertMentions(loadFails(tmp.resolve("nope.gguf")), "no such file");
        assertMentions(loadFails(tmp), "directory");
    }

    @Test
    void notAGgufFile() throws IOException {
        assertMentions(loadFails(write("text.gguf", "hello, this is a text file\n".getBytes())), "not a GGUF file");
        assertMentions(loadFails(write("empty.gguf", new byte[0])), "not a GGUF file");
        assertMentions(loadFails(write("short.gguf", new byte[] {'G', 'G'})), "not a GGUF file");
    }

    @Test
    void unsupportedVersion() throws IOException {
        byte[] b = stories();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(4, 99);
        assertMentions(loadFails(write("v99.gguf", b)), "version 99");
    }

    @Test
    void truncatedAnywhereInTheHeaderOrData() throws IOException {
        byte[] b = stories();
        for (int len : new int[] {5, 8, 16, 23, 24, 40, 100, 1000, 5000, 0x3700, 0x3760, 0x3761, 100_000, b.length - 1}) {
            String msg = loadFails(write("cut" + len + ".gguf", Arrays.copyOf(b, len)));
            assertTrue(msg.contains("truncated") || msg.contains("outside the file") || msg.contains("past the end"), msg);
        }
    }

    @Test
    void stringLengthLargerThanFile() throws IOException {
        byte[] b = stories();
        // The first metadata key's length field follows the 24-byte header.
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(24, 1L << 40);
        assertMentions(loadFails(write("longstring.gguf", b)), "string of length", "past the end");
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(24, -1L);
        assertMentions(loadFails(write("negstring.gguf", b)), "string of length");
    }

    @Test
    void arrayCountLargerThanFile() throws IOException {
        byte[] b = stories();
        // tokenizer.ggml.tokens is the first key: 8 + 21 name bytes, 4 type, 4 element type, then the count.
        int countAt = 24 + 8 + "tokenizer.ggml.tokens".length() + 4 + 4;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(countAt, 1L << 50);
        assertMentions(loadFails(write("hugearray.gguf", b)), "larger than the file");
    }

    @Test
    void tensorAndKeyCountsLargerThanFile() throws IOException {
        byte[] b = stories();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(8, 1L << 40);
        assertMentions(loadFails(write("tensors.gguf", b)), "tensor count");
        b = stories();
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putLong(16, Long.MAX_VALUE);
        assertMentions(loadFails(write("keys.gguf", b)), "metadata count");
    }

    @Test
    void tensorDataOutsideTheFile() throws IOException {
        Path p = tmp.resolve("offset.gguf");
        try (GGUFFile f = GGUFFile.open(TestData.model("stories260K.gguf"))) {
            GGUFWriter.copyOf(f).write(p);
        }
        byte[] b = Files.readAllBytes(p);
        // Cut the last tensor's data in half: the header is intact, the data is not.
        assertMentions(loadFails(write("halfdata.gguf", Arrays.copyOf(b, b.length - 200))), "blk.4.ffn_norm.weight", "outside the file");
    }

    @Test
    void unknownTensorTypeId() throws IOException {
        Path p = tmp.resolve("unknown.gguf");
        try (GGUFFile f = GGUFFile.open(TestData.model("stories260K.gguf"))) {
            GGUFWriter w = GGUFWriter.copyOf(f);
            w.write(p);
        }
        byte[] b = Files.readAllBytes(p);
        // Find the type id of token_embd.weight: after its name, n_dims (2) and two dims.
        int at = indexOf(b, "token_embd.weight".getBytes()) + "token_embd.weight".length() + 4 + 16;
        ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN).putInt(at, 99);
        assertMentions(loadFails(write("type99.gguf", b)), "token_embd.weight", "unknown type id 99");
    }

    @Test
    void tensorTypeVelaCannotRun() throws IOException {
        Path p = tmp.resolve("iq2.gguf");
        try (GGUFFile f = GGUFFile.open(TestData.model("kq256-F32.gguf"))) {
            TensorInfo q = f.tensor("blk.0.attn_q.weight");
            GGUFWriter.copyOf(f).retypeTensor(q.name(), GGMLType.IQ2_XXS, new byte[(int) GGMLType.IQ2_XXS.bytesFor(q.elements())]).write(p);
        }
        assertMentions(loadFails(p), "blk.0.attn_q.weight", "IQ2_XXS", "cannot run", "supported: F32");
    }

    @Test
    void missingMetadataAndTensors() throws IOException {
        Path noDim = tmp.resolve("nodim.gguf");
        Path noQ = tmp.resolve("noq.gguf");
        Path noArch = tmp.resolve("noarch.gguf");
        Path otherArch = tmp.resolve("otherarch.gguf");
        try (GGUFFile f = GGUFFile.open(TestData.model("stories260K.gguf"))) {
            GGUFWriter.copyOf(f).remove("llama.embedding_length").write(noDim);
            GGUFWriter.copyOf(f).removeTensor("blk.3.attn_q.weight").write(noQ);
            GGUFWriter.copyOf(f).remove("general.architecture").write(noArch);
            GGUFWriter.copyOf(f).putString("general.architecture", "mamba").write(otherArch);
        }
        assertMentions(loadFails(noDim), "llama.embedding_length", "missing");
        assertMentions(loadFails(noQ), "blk.3.attn_q.weight", "missing");
        assertMentions(loadFails(noArch), "general.architecture", "missing");
        String unsupported = loadFails(otherArch);
        assertMentions(unsupported, "mamba", "not supported", "llama", "qwen2", "qwen3", "phi3", "gemma2", "gemma3");
        assertFalse(unsupported.contains("\n"), "one line: " + unsupported);
    }

    /** Random byte changes in the header: the loader either works or says what is wrong. */
    @Test
    void randomHeaderDamageGivesOnlyVelaErrors() throws IOException {
        byte[] original = stories();
        SplittableRandom rnd = new SplittableRandom(20261129);
        Path p = tmp.resolve("fuzz.gguf");
        for (int round = 0; round < 300; round++) {
            byte[] b = original.clone();
            int changes = 1 + rnd.nextInt(4);
            for (int c = 0; c < changes; c++) {
                b[rnd.nextInt(0x3760)] = (byte) rnd.nextInt(256);
            }
            Files.write(p, b);
            try (Model m = Model.load(p)) {
                m.config();
            } catch (VelaException expected) {
                // a clear error is fine
            } catch (Throwable t) {
                fail("round " + round + ": " + t, t);
            }
        }
    }

    private static int indexOf(byte[] haystack, byte[] needle) {
        outer:
        for (int i = 0; i <= haystack.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (haystack[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not found");
    }
}
