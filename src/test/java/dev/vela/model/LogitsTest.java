package dev.vela.model;

import dev.vela.TestData;
import dev.vela.tensor.Parallel;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.List;

/** The forward pass, fed one token at a time, against llama.cpp's logits. */
class LogitsTest {
    private static Parallel pool;

    @BeforeAll
    static void startPool() {
        pool = new Parallel(2);
    }

    @AfterAll
    static void stopPool() {
        pool.close();
    }

    static List<float[]> runOneByOne(String name, int[] ids) {
        try (Model model = Model.load(TestData.model(name + ".gguf"))) {
            Transformer t = model.newTransformer(pool, ids.length);
            List<float[]> out = new ArrayList<>();
            for (int pos = 0; pos < ids.length; pos++) {
                out.add(t.forward(ids[pos], pos).clone());
            }
            return out;
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
            "stories260K, 1e-3",
            "tiny-llama2vocab-f32, 1e-3",
            "tiny-llama3vocab-f32, 1e-3",
            "kq256-F32, 1e-3",
    })
    void floatModelsWithinAbsoluteTolerance(String name, float tol) throws Exception {
        LogitsReference ref = LogitsReference.load(name);
        ref.assertWithinAbsolute(runOneByOne(name, ref.ids()), tol);
    }
}
