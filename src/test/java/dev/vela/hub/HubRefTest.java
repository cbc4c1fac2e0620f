package dev.vela.hub;

import dev.vela.VelaException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HubRefTest {
    @Test
    void readsOwnerRepoAndQuant() {
        assertEquals(new HubRef("bartowski", "Llama-3.2-1B-Instruct-GGUF", "Q4_K_M"),
                HubRef.parse("bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M"));
        assertEquals(new HubRef("Qwen", "Qwen2.5-0.5B-Instruct-GGUF", null), HubRef.parse(" Qwen/Qwen2.5-0.5B-Instruct-GGUF "));
        assertEquals("a/b:q8_0", HubRef.parse("a/b:q8_0").toString());
        assertEquals("a/b", HubRef.parse("a/b").repoId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "repo", "/repo", "owner/", "a/b/c", "a/b:", "a/b:Q4 K", "../x", "a/..", "a/b c",
            "a/.hidden", "a/x..y", "a:Q4/b"})
    void refusesBadSpecs(String spec) {
        VelaException e = assertThrows(VelaException.class, () -> HubRef.parse(spec));
        assertTrue(e.getMessage().startsWith("bad ") || e.getMessage().startsWith("missing "), e.getMessage());
        assertTrue(e.getMessage().contains("OWNER/REPO") || e.getMessage().contains("quantization"), e.getMessage());
    }
}
