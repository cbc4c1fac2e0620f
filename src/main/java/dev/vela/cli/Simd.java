package dev.vela.cli;

import jdk.incubator.vector.FloatVector;

/** What the Vector API gives this machine, for --version and bench lines. */
final class Simd {
    private Simd() {}

    static String describe() {
        return "Vector API " + FloatVector.SPECIES_PREFERRED.vectorBitSize() + "-bit, "
                + Runtime.getRuntime().availableProcessors() + " cores";
    }
}
