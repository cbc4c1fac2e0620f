package dev.vela.model;

import dev.vela.TestData;
import dev.vela.VelaException;
import dev.vela.gguf.GGUFFile;
import dev.vela.gguf.GGUFWriter;
import dev.vela.model.Architecture.Feature;
import dev.vela.model.ModelConfig.RopeFrequencies;
import dev.vela.tensor.GGMLType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The data each architecture's file turns into, and llama.cpp's defaults where keys are absent. */
class ArchitectureConfigTest {
    @TempDir
    Path tmp;

    static ModelConfig config(String model) {
        try (GGUFFile f = GGUFFile.open(TestData.model(model))) {
            return ModelConfig.from(f);
        }
    }

    /** The config of {@code model} after {@code change} to its metadata. */
    ModelConfig changed(String model, UnaryOperator<GGUFWriter> change) throws IOException {
        Path p = tmp.resolve("changed-" + model);
        try (GGUFFile f = GGUFFile.open(TestData.model(model))) {
            change.apply(GGUFWriter.copyOf(f)).write(p);
        }
        try (GGUFFile f = GGUFFile.open(p)) {
            return ModelConfig.from(f);
        }
    }

    @Test
    void llamaHasNoneOfTheExtras() {
        ModelConfig c = config("stories260K.gguf");
        assertSame(Architecture.LLAMA, c.architecture());
        assertEquals(Architecture.RopeStyle.NORMAL, c.architecture().rope());
        assertEquals(0, c.slidingWindow());
        assertEquals(1f, c.embeddingScale());
        assertEquals(0f, c.attnSoftcap());
        assertEquals(0f, c.finalSoftcap());
        assertEquals(new RopeFrequencies(10000f, 1f), c.rope(0));
        assertEquals((float) (1 / Math.sqrt(c.headDim())), c.attentionScale());
    }

    @Test
    void qwen3HeadsAreWiderThanDimOverHeads() {
        ModelConfig c = config("arch-qwen3-f32.gguf");
        assertEquals(64, c.headDim());
        assertEquals(256, c.qDim());
        assertEquals(128, c.kvDim());
        assertEquals(Architecture.RopeStyle.NEOX, c.architecture().rope());
        assertEquals(1e6f, c.rope().base());
    }

    @Test
    void phi3IgnoresItsSlidingWindowKey() {
        ModelConfig c = config("arch-phi3-f32.gguf");
        assertEquals(0, c.slidingWindow());
        assertFalse(c.slides(0));
    }

    @Test
    void gemma2SlidesOnEvenLayersAndSoftcaps() {
        ModelConfig c = config("arch-gemma2-f32.gguf");
        assertEquals(8, c.slidingWindow());
        assertTrue(c.slides(0));
        assertFalse(c.slides(1));
        assertEquals(5f, c.attnSoftcap());
        assertEquals(30f, c.finalSoftcap());
        assertEquals((float) Math.sqrt(128), c.embeddingScale());
        assertEquals(new RopeFrequencies(10000f, 1f), c.rope(0));
        assertEquals(c.rope(0), c.rope(1));
    }

    @Test
    void gemma2DefaultsWhenKeysAreAbsent() throws IOException {
        ModelConfig c = changed("arch-gemma2-f32.gguf", w -> w.remove("gemma2.attention.sliding_window")
                .remove("gemma2.attn_logit_softcapping").remove("gemma2.final_logit_softcapping"));
        assertEquals(4096, c.slidingWindow());
        assertEquals(50f, c.attnSoftcap());
        assertEquals(30f, c.finalSoftcap());
    }

    @Test
    void gemma3FiveLocalLayersToOneGlobal() {
        ModelConfig c = config("arch-gemma3-f32.gguf");
        for (int l = 0; l < 5; l++) {
            assertTrue(c.slides(l), "layer " + l);
            assertEquals(new RopeFrequencies(10000f, 1f), c.rope(l));
        }
        assertFalse(c.slides(5));
        assertEquals(new RopeFrequencies(1e6f, 1f / 8), c.rope(5));
        assertEquals(0f, c.attnSoftcap());
        assertEquals(0f, c.finalSoftcap());
    }

    @Test
    void gemma3WithoutWindowHasOnlyGlobalLayers() throws IOException {
        ModelConfig c = changed("arch-gemma3-f32.gguf", w -> w.remove("gemma3.attention.sliding_window"));
        for (int l = 0; l < c.layers(); l++) {
            assertFalse(c.slides(l));
            assertEquals(new RopeFrequencies(1e6f, 1f / 8), c.rope(l));
        }
    }

    @Test
    void ropeScalingOtherThanLinearIsRefused() throws IOException {
        VelaException e = assertThrows(VelaException.class,
                () -> changed("arch-qwen2-f32.gguf", w -> w.putString("qwen2.rope.scaling.type", "yarn")));
        assertTrue(e.getMessage().contains("yarn"), e.getMessage());
    }

    @Test
    void longRopeFactorsAreRefused() throws IOException {
        Path p = tmp.resolve("phi3-longrope.gguf");
        try (GGUFFile f = GGUFFile.open(TestData.model("arch-phi3-f32.gguf"))) {
            GGUFWriter.copyOf(f).addTensor("rope_factors_long.weight", GGMLType.F32, new long[] {16}, new byte[64]).write(p);
        }
        VelaException e = assertThrows(VelaException.class, () -> Model.load(p).close());
        assertTrue(e.getMessage().contains("rope_factors_long"), e.getMessage());
    }

    @Test
    void optionalTensorsFollowTheArchitecture() {
        try (Model qwen2 = Model.load(TestData.model("arch-qwen2-f32.gguf"));
             Model phi3 = Model.load(TestData.model("arch-phi3-f32.gguf"));
             Model gemma3 = Model.load(TestData.model("arch-gemma3-f32.gguf"))) {
            Weights.Layer q = qwen2.weights().layers()[0];
            assertNotNull(q.qBias());
            assertNull(q.qNorm());
            assertSame(qwen2.weights().tokenEmbedding(), qwen2.weights().output());

            Weights.Layer p = phi3.weights().layers()[1];
            assertEquals(128, p.wq().rows());
            assertEquals(64, p.wk().rows());
            assertEquals(64, p.wv().rows());
            assertEquals(384, p.ffnGate().rows());
            assertEquals(384, p.ffnUp().rows());

            Weights.Layer g = gemma3.weights().layers()[5];
            assertNotNull(g.qNorm());
            assertNotNull(g.postAttnNorm());
            assertNotNull(g.postFfnNorm());
            assertTrue(gemma3.config().architecture().has(Feature.ALWAYS_TIED));
        }
    }

    @Test
    void fusedRowsAreViewsOfTheSameBytes() {
        try (Model phi3 = Model.load(TestData.model("arch-phi3-f32.gguf"))) {
            Weights.Layer p = phi3.weights().layers()[0];
            float[] gateRow = new float[128];
            float[] upRow = new float[128];
            p.ffnGate().dequantizeRow(383, gateRow, 0);
            p.ffnUp().dequantizeRow(0, upRow, 0);
            var info = phi3.file().tensor("blk.0.ffn_up.weight");
            var whole = info.type().view(phi3.file().data(info), 768, 128);
            float[] expected = new float[128];
            whole.dequantizeRow(383, expected, 0);
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(gateRow));
            whole.dequantizeRow(384, expected, 0);
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(upRow));
        }
    }
}
