package dev.vela.tensor;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Every weight type's kernels at this machine's preferred width; see {@link VectorWidthsTest} for others. */
class TensorKernelsTest {

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void kernelsAgreeBeforeWarmUp(GGMLType type) {
        List<String> problems = KernelCases.check(type, 1);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void kernelsAgreeOnceCompiled(GGMLType type) {
        KernelCases.warmUp(type);
        List<String> problems = KernelCases.check(type, 2);
        assertTrue(problems.isEmpty(), String.join("\n", problems));
    }

    @ParameterizedTest
    @EnumSource(names = {"F32", "F16", "BF16", "Q8_0", "Q4_0"})
    void typeTableBuildsTheTensorClass(GGMLType type) {
        assertTrue(type.supported());
        Tensor t = RandomWeights.matrix(type, 2, 64, new Random(3));
        assertEquals(type, t.type());
        assertEquals(2, t.rows());
        assertEquals(64, t.cols());
        assertEquals(type.bytesFor(128), t.byteSize());
        Class<?> expected = switch (type) {
            case F32 -> F32Tensor.class;
            case F16 -> F16Tensor.class;
            case BF16 -> BF16Tensor.class;
            case Q8_0 -> Q8_0Tensor.class;
            case Q4_0 -> Q4_0Tensor.class;
            default -> throw new AssertionError(type);
        };
        assertInstanceOf(expected, t);
    }
}
