package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.FieldSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class QuantKernelTest {
    static final List<GGMLType> TYPES = List.of(QuantKernelCheck.TYPES);

    @ParameterizedTest
    @FieldSource("TYPES")
    void vectorizedMatchesScalar(GGMLType type) {
        List<String> failures = QuantKernelCheck.check(type);
        assertTrue(failures.isEmpty(), () -> String.join("\n", failures));
    }

    @ParameterizedTest
    @FieldSource("TYPES")
    void registeredInTypeTable(GGMLType type) {
        assertTrue(type.supported());
        Tensor t = type.view(RandomBlocks.matrix(type, 2, type.blockSize, 1), 2, type.blockSize);
        assertEquals(type, t.type());
    }

    /** The same comparison at narrower vector widths, each in a JVM whose preferred width is that. */
    @ParameterizedTest
    @ValueSource(ints = {128, 256})
    void narrowerVectorWidths(int bits) throws IOException, InterruptedException {
        Assumptions.assumeTrue(FloatVector.SPECIES_PREFERRED.vectorBitSize() >= bits,
                "this CPU's vectors are narrower than " + bits + " bits");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process process = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector",
                "-XX:MaxVectorSize=" + bits / 8, "-cp", System.getProperty("java.class.path"),
                QuantKernelCheck.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(process.waitFor(120, TimeUnit.SECONDS), "kernel check did not finish");
        assertTrue(output.contains("bits " + bits + "\n"), "expected a " + bits + "-bit preferred species:\n" + output);
        assertEquals(0, process.exitValue(), output);
    }
}
