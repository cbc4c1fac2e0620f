package dev.vela.hub;

import dev.vela.VelaException;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Which .gguf file of a repository to use for a quantization: the one whose name contains it
 * (case-insensitive), or without one Q4_K_M, then Q4_0, then the smallest file.
 */
final class FileChoice {
    static final List<String> DEFAULT_QUANTS = List.of("Q4_K_M", "Q4_0");

    /** llama.cpp's gguf-split names the parts {@code NAME-00001-of-00003.gguf}. */
    private static final Pattern SPLIT = Pattern.compile("-(\\d{5})-of-(\\d{5})\\.gguf$", Pattern.CASE_INSENSITIVE);

    private FileChoice() {}

    /** The file to use, or empty when none fits (no error: the caller may look elsewhere). */
    static Optional<RepoFile> find(List<RepoFile> files, String quant) {
        List<RepoFile> models = models(files);
        if (quant != null) {
            return best(matching(models, quant), quant);
        }
        for (String q : DEFAULT_QUANTS) {
            Optional<RepoFile> f = best(matching(models, q), q);
            if (f.isPresent()) {
                return f;
            }
        }
        return models.stream().filter(f -> !isSplitPart(f))
                .min(Comparator.comparingLong((RepoFile f) -> f.size() < 0 ? Long.MAX_VALUE : f.size())
                        .thenComparing(RepoFile::name));
    }

    /** The file to use, or a one-line VelaException that lists what the repository offers. */
    static RepoFile pick(String repoId, List<RepoFile> files, String quant) {
        Optional<RepoFile> found = find(files, quant);
        if (found.isPresent()) {
            return found.get();
        }
        List<RepoFile> models = models(files);
        if (models.isEmpty()) {
            throw new VelaException(repoId + " has no .gguf model files; Vela needs a repository of GGUF files"
                    + " (their names often end in -GGUF)");
        }
        List<RepoFile> splitMatches = quant == null ? models : matching(models, quant);
        if (!splitMatches.isEmpty()) {
            // Only split parts carry this quantization.
            throw new VelaException(repoId + ": " + splitMatches.getFirst().name() + " is split into "
                    + splitCount(splitMatches.getFirst()) + " parts, and Vela loads single-file GGUF models only;"
                    + " available: " + listing(models));
        }
        throw new VelaException("no .gguf file in " + repoId + " matches '" + quant + "'; available: "
                + listing(models));
    }

    /** The .gguf files that hold a model, without vision projectors (mmproj), which are not one. */
    private static List<RepoFile> models(List<RepoFile> files) {
        List<RepoFile> out = new ArrayList<>();
        for (RepoFile f : files) {
            String lower = f.name().toLowerCase(Locale.ROOT);
            String base = lower.substring(lower.lastIndexOf('/') + 1);
            if (lower.endsWith(".gguf") && !base.contains("mmproj")) {
                out.add(f);
            }
        }
        out.sort(Comparator.comparing(RepoFile::name));
        return out;
    }

    private static List<RepoFile> matching(List<RepoFile> files, String quant) {
        String q = quant.toLowerCase(Locale.ROOT);
        return files.stream().filter(f -> f.name().toLowerCase(Locale.ROOT).contains(q)).toList();
    }

    /**
     * Among files that contain the quantization, prefer the one where it stands as a whole word
     * ("Q4_K" picks model-Q4_K.gguf over model-Q4_K_M.gguf), then a single file over split parts,
     * then the shortest name (the plain variant rather than a suffixed one).
     */
    private static Optional<RepoFile> best(List<RepoFile> matches, String quant) {
        return matches.stream()
                .filter(f -> !isSplitPart(f))
                .min(Comparator.comparing((RepoFile f) -> !wholeWord(f.name(), quant))
                        .thenComparingInt(f -> f.name().length())
                        .thenComparing(RepoFile::name));
    }

    static boolean wholeWord(String name, String quant) {
        String n = name.toLowerCase(Locale.ROOT);
        String q = quant.toLowerCase(Locale.ROOT);
        for (int i = n.indexOf(q); i >= 0; i = n.indexOf(q, i + 1)) {
            boolean startOk = i == 0 || !Character.isLetterOrDigit(n.charAt(i - 1));
            int end = i + q.length();
            boolean endOk = end == n.length() || !(Character.isLetterOrDigit(n.charAt(end)) || n.charAt(end) == '_');
            if (startOk && endOk) {
                return true;
            }
        }
        return false;
    }

    /** A part of a split model that is not the whole of it (a "-00001-of-00001" file is whole). */
    static boolean isSplitPart(RepoFile f) {
        return splitCount(f) > 1;
    }

    private static int splitCount(RepoFile f) {
        Matcher m = SPLIT.matcher(f.name());
        return m.find() ? Integer.parseInt(m.group(2)) : 1;
    }

    private static String listing(List<RepoFile> models) {
        int shown = Math.min(models.size(), 30);
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < shown; i++) {
            if (i > 0) {
                sb.append(", ");
            }
            sb.append(models.get(i).name());
        }
        if (models.size() > shown) {
            sb.append(" and ").append(models.size() - shown).append(" more");
        }
        return sb.toString();
    }
}
