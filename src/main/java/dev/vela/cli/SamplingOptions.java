package dev.vela.cli;

import dev.vela.sampling.SamplerConfig;

import java.util.List;

/** The sampling options of generation and chat, with llama.cpp's names and defaults. */
final class SamplingOptions {
    static final List<OptionSpec> SPECS = List.of(
            OptionSpec.value("--temperature", "T", "randomness; 0 always takes the most likely token", "0.8", "--temp"),
            OptionSpec.value("--top-k", "N", "sample among the N most likely tokens, 0 for all", "40"),
            OptionSpec.value("--top-p", "P", "sample among the most likely tokens whose probabilities add up to P, 1 for all", "0.95"),
            OptionSpec.value("--min-p", "P", "drop tokens less likely than P times the most likely one, 0 for none", "0.05"),
            OptionSpec.value("--repeat-penalty", "X", "penalize tokens seen in the last --repeat-last-n tokens, 1 for none", "1.0"),
            OptionSpec.value("--repeat-last-n", "N", "how many recent tokens the repeat penalty looks at", "64"),
            OptionSpec.value("--seed", "S", "random seed, for reproducible runs", "random", "-s"));

    private SamplingOptions() {}

    static SamplerConfig config(Options o) {
        SamplerConfig d = SamplerConfig.defaults();
        return new SamplerConfig(
                o.number("--temperature", d.temperature(), 0f, 1000f),
                o.integer("--top-k", d.topK(), 0, Integer.MAX_VALUE),
                o.number("--top-p", d.topP(), Float.MIN_VALUE, 1f),
                o.number("--min-p", d.minP(), 0f, 1f),
                o.number("--repeat-penalty", d.repeatPenalty(), Float.MIN_VALUE, 1000f),
                o.integer("--repeat-last-n", d.repeatLastN(), 0, 1 << 20),
                o.longValue("--seed", d.seed()));
    }
}
