package dev.vela.tensor;

import jdk.incubator.vector.FloatVector;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The kernels at 128, 256 and 512 bits. Their species are constants (so that the JIT compiles
 * every vector operation to instructions), so another width needs another JVM: each case starts
 * {@link KernelCheck} with {@code -XX:MaxVectorSize}, which sets {@code SPECIES_PREFERRED}.
 */
class VectorWidthsTest {

    @ParameterizedTest
    @ValueSource(ints = {128, 256, 512})
    void kernelsAgreeAtWidth(int bits) throws IOException, InterruptedException, URISyntaxException {
        Assumptions.assumeTrue(bits <= FloatVector.SPECIES_MAX.vectorBitSize(),
                "this machine's vectors are narrower than " + bits + " bits");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        String classPath = String.join(File.pathSeparator, location(Tensor.class), location(KernelCheck.class));
        Process p = new ProcessBuilder(java, "--add-modules", "jdk.incubator.vector", "-XX:MaxVectorSize=" + bits / 8,
                "-cp", classPath, KernelCheck.class.getName())
                .redirectErrorStream(true).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(5, TimeUnit.MINUTES), "KernelCheck did not finish");
        String widths = output.lines().filter(l -> l.startsWith("preferred")).findFirst().orElse("");
        assertEquals("preferred " + bits + " bits; 16-bit kernels " + bits + " bits; block kernels " + bits + " bits",
                widths, output);
        assertEquals(0, p.exitValue(), output);
        for (GGMLType type : KernelCases.TYPES) {
            assertTrue(output.lines().toList().contains(type + " ok"), output);
        }
        for (GGMLType type : KernelCases.REPACKED) {
            String expected = KernelCases.LOOKED_UP.contains(type) && bits < 256 ? type + " keeps the file layout at this width" : type + " repacked (" + bits / 16 + " rows) ok";
            assertTrue(output.lines().toList().contains(expected), output);
        }
    }

    private static String location(Class<?> c) throws URISyntaxException {
        return Path.of(c.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    }

}
