package dev.vela.hub;

import dev.vela.VelaException;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FileChoiceTest {
    static List<RepoFile> files(String... nameSize) {
        List<RepoFile> out = new ArrayList<>();
        for (String s : nameSize) {
            int eq = s.indexOf('=');
            out.add(new RepoFile(s.substring(0, eq), Long.parseLong(s.substring(eq + 1)), null));
        }
        return out;
    }

    static String pick(List<RepoFile> files, String quant) {
        return FileChoice.pick("o/r", files, quant).name();
    }

    @Test
    void theDefaultIsQ4KMThenQ4_0ThenTheSmallest() {
        List<RepoFile> all = files("README.md=1", "m-Q8_0.gguf=80", "m-Q4_0.gguf=40", "m-Q4_K_M.gguf=45",
                "m-Q2_K.gguf=20", "mmproj-m-f16.gguf=5");
        assertEquals("m-Q4_K_M.gguf", pick(all, null));
        assertEquals("m-Q4_0.gguf", pick(all.stream().filter(f -> !f.name().contains("K_M")).toList(), null));
        assertEquals("m-Q2_K.gguf", pick(files("m-Q8_0.gguf=80", "m-Q2_K.gguf=20", "mmproj-m-f16.gguf=5"), null),
                "the projector is not a model, however small");
    }

    @Test
    void aQuantMatchesCaseInsensitivelyAndPrefersTheWholeWord() {
        List<RepoFile> all = files("m-Q4_K_M.gguf=45", "m-Q4_K_S.gguf=44", "m-Q4_K.gguf=43", "m-IQ4_NL.gguf=40",
                "m-Q4_NL.gguf=41");
        assertEquals("m-Q4_K_M.gguf", pick(all, "q4_k_m"));
        assertEquals("m-Q4_K.gguf", pick(all, "Q4_K"));
        assertEquals("m-Q4_NL.gguf", pick(all, "Q4_NL"));
        assertEquals("m-IQ4_NL.gguf", pick(all, "iq4_nl"));
        assertEquals("m-Q4_K_M.gguf", pick(files("m-Q4_K_M.gguf=45", "m-Q4_K_S.gguf=44"), "Q4_K"),
                "with no whole-word match, any file that contains it; same length: by name");
    }

    @Test
    void filesInFoldersCount() {
        assertEquals("Q8_0/model-Q8_0.gguf", pick(files("Q8_0/model-Q8_0.gguf=1", "other.bin=1"), "Q8_0"));
    }

    @Test
    void splitModelsAreSkippedAndExplainedWhenNothingElseFits() {
        List<RepoFile> all = files("Q4_K_M/m-Q4_K_M-00001-of-00002.gguf=5", "Q4_K_M/m-Q4_K_M-00002-of-00002.gguf=5",
                "m-Q8_0.gguf=9", "m-F16-00001-of-00001.gguf=20");
        assertEquals("m-Q8_0.gguf", pick(all, null));
        assertEquals("m-F16-00001-of-00001.gguf", pick(all, "F16"), "a single part is the whole model");
        VelaException e = assertThrows(VelaException.class, () -> pick(all, "Q4_K_M"));
        assertTrue(e.getMessage().startsWith("o/r: Q4_K_M/m-Q4_K_M-00001-of-00002.gguf is split into 2 parts"),
                e.getMessage());
    }

    @Test
    void noModelAtAll() {
        VelaException e = assertThrows(VelaException.class, () -> pick(files("model.safetensors=1"), null));
        assertTrue(e.getMessage().startsWith("o/r has no .gguf model files"), e.getMessage());
        assertFalse(FileChoice.find(files("model.safetensors=1"), null).isPresent());
    }
}
