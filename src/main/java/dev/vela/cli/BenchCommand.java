package dev.vela.cli;

import dev.vela.model.Model;
import dev.vela.model.Transformer;
import dev.vela.model.Weights;
import dev.vela.tensor.Parallel;
import dev.vela.tensor.Tensor;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code vela bench}: prompt processing and generation speed, timed apart as llama-bench does
 * (random tokens, no tokenizer, no sampling, an empty cache for each repetition).
 */
final class BenchCommand implements Command {
    @Override
    public String name() {
        return "bench";
    }

    @Override
    public String summary() {
        return "measure prompt and generation speed (tokens/s, GB/s), like llama-bench";
    }

    @Override
    public String usage() {
        return "java -jar vela.jar bench --model M.gguf [-p 512] [-n 128] [-r 3] [--threads N]\n"
                + "       java -jar vela.jar bench --kernels [--type Q4_0,Q8_0] [--rows 8192] [--cols 2048] [--threads N] [-r 1] [--in-process]";
    }

    @Override
    public List<OptionSpec> options() {
        return List.of(
                ModelOptions.SOURCE.get(0), ModelOptions.SOURCE.get(1), ModelOptions.SOURCE.get(2),
                OptionSpec.value("--n-prompt", "N", "prompt tokens to process, 0 to skip", "512", "-p"),
                OptionSpec.value("--n-gen", "N", "tokens to generate, 0 to skip", "128", "-n"),
                OptionSpec.value("--repetitions", "R", "timed repetitions after one warm-up; with --kernels, rounds over the types, then a summary", "3, with --kernels 1", "-r"),
                OptionSpec.value("--n-depth", "D", "tokens already in the context before each test (long-context speed)", "0", "-d"),
                OptionSpec.value("--threads", "N", "threads for matrix work", "all cores", "-t"),
                OptionSpec.flag("--kernels", "time the matrix-vector product alone per weight type, in GB/s, on random weights"),
                OptionSpec.value("--type", "T,T", "with --kernels: the weight types", "all supported"),
                OptionSpec.flag("--in-process", "with --kernels: time every type in this JVM, not each in a fresh one"),
                OptionSpec.value("--rows", "N", "with --kernels: matrix rows", "8192"),
                OptionSpec.value("--cols", "N", "with --kernels: matrix columns", "2048"),
                OptionSpec.flag("--verbose", "print stack traces on errors"));
    }

    @Override
    public int run(Options o, PrintStream out, PrintStream err) {
        if (o.flag("--kernels")) {
            KernelBenchmark.run(KernelBenchmark.types(o.string("--type", null)), o.integer("--rows", 8192, 1, 1 << 24),
                    o.integer("--cols", 2048, 1, 1 << 24), ModelOptions.threads(o), o.integer("--repetitions", 1, 1, 1000),
                    o.flag("--in-process"), out, err);
            return 0;
        }
        int nPrompt = o.integer("--n-prompt", 512, 0, 1 << 20);
        int nGen = o.integer("--n-gen", 128, 0, 1 << 20);
        int reps = o.integer("--repetitions", 3, 1, 1000);
        int depth = o.integer("--n-depth", 0, 0, 1 << 20);
        int threads = ModelOptions.threads(o);
        try (Model model = ModelOptions.load(o, err); Parallel pool = new Parallel(threads)) {
            int vocab = model.config().vocabSize();
            Transformer t = model.newTransformer(pool, Math.max(1, depth + Math.max(nPrompt, nGen)));
            SplittableRandom rnd = new SplittableRandom(42);
            if (depth > 0) {
                // The context is filled once; each test then runs after it and only overwrites later positions.
                long t0 = System.nanoTime();
                t.forward(rnd.ints(depth, 0, vocab).toArray(), 0, depth, 0);
                err.printf("bench: filled a context of %d tokens in %.1f s%n", depth, (System.nanoTime() - t0) / 1e9);
            }
            long bytesPerToken = weightBytesPerToken(model.weights());
            err.printf("bench: %s, %d threads, %s, %s of weights per token%n", model.file().path().getFileName(), threads,
                    Simd.describe(), Sizes.bytes(bytesPerToken));
            if (nPrompt > 0) {
                int[] tokens = rnd.ints(nPrompt, 0, vocab).toArray();
                runPrompt(t, tokens, depth); // warm-up: the JIT compiles the kernels
                double[] rates = new double[reps];
                for (int r = 0; r < reps; r++) {
                    long t0 = System.nanoTime();
                    runPrompt(t, tokens, depth);
                    rates[r] = nPrompt * 1e9 / (System.nanoTime() - t0);
                }
                out.printf("pp%d%s %.2f ± %.2f tok/s%n", nPrompt, at(depth), mean(rates), stddev(rates));
                out.flush();
            }
            if (nGen > 0) {
                int first = rnd.nextInt(vocab);
                runGeneration(t, first, Math.min(nGen, 16), depth);
                double[] rates = new double[reps];
                for (int r = 0; r < reps; r++) {
                    long t0 = System.nanoTime();
                    runGeneration(t, first, nGen, depth);
                    rates[r] = nGen * 1e9 / (System.nanoTime() - t0);
                }
                double m = mean(rates);
                out.printf("tg%d%s %.2f ± %.2f tok/s (%.1f GB/s)%n", nGen, at(depth), m, stddev(rates), m * bytesPerToken / 1e9);
                out.flush();
            }
        }
        return 0;
    }

    /** llama-bench's name suffix for a test run after {@code depth} tokens of context. */
    private static String at(int depth) {
        return depth == 0 ? "" : " @ d" + depth;
    }

    /** The prompt as the generator feeds it: in batches, logits only for the last token. */
    private static void runPrompt(Transformer t, int[] tokens, int depth) {
        t.forward(tokens, 0, tokens.length, depth);
    }

    /** Generation as in decoding: each step feeds the argmax of the previous logits. */
    private static void runGeneration(Transformer t, int first, int n, int depth) {
        int token = first;
        for (int pos = depth; pos < depth + n; pos++) {
            float[] logits = t.forward(token, pos);
            int best = 0;
            for (int i = 1; i < logits.length; i++) {
                if (logits[i] > logits[best]) {
                    best = i;
                }
            }
            token = best;
        }
    }

    /** Bytes of weights one generated token streams: every matrix but the embedding table, of which it reads one row. */
    static long weightBytesPerToken(Weights w) {
        List<Tensor> all = new ArrayList<>();
        for (Weights.Layer l : w.layers()) {
            all.addAll(List.of(l.wq(), l.wk(), l.wv(), l.wo(), l.ffnGate(), l.ffnUp(), l.ffnDown()));
        }
        long bytes = w.output().byteSize();
        for (Tensor t : all) {
            bytes += t.byteSize();
        }
        return bytes;
    }

    private static double mean(double[] a) {
        double s = 0;
        for (double v : a) {
            s += v;
        }
        return s / a.length;
    }

    private static double stddev(double[] a) {
        if (a.length < 2) {
            return 0;
        }
        double m = mean(a);
        double s = 0;
        for (double v : a) {
            s += (v - m) * (v - m);
        }
        return Math.sqrt(s / (a.length - 1));
    }
}
