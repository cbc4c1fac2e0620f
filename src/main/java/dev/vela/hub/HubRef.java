package dev.vela.hub;

import dev.vela.VelaException;

import java.util.regex.Pattern;

/**
 * A model on the Hugging Face hub as the user names it: {@code OWNER/REPO[:QUANT]}.
 *
 * @param quant the quantization to look for in the file name (case-insensitive), or null for the
 *              default choice (Q4_K_M, then Q4_0, then the smallest file)
 */
public record HubRef(String owner, String repo, String quant) {
    // Hub names are letters, digits, '-', '_' and '.'; the restriction also keeps them safe as
    // folder names in the cache.
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,95}");
    private static final Pattern QUANT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,63}");

    public HubRef {
        if (owner == null || !NAME.matcher(owner).matches() || repo == null || !NAME.matcher(repo).matches()
                || owner.contains("..") || repo.contains("..")) {
            throw new VelaException("bad Hugging Face repository '" + owner + "/" + repo
                    + "': expected OWNER/REPO[:QUANT], e.g. bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M");
        }
        if (quant != null && !QUANT.matcher(quant).matches()) {
            throw new VelaException("bad quantization '" + quant
                    + "' in a Hugging Face model name: expected something like Q4_K_M or Q8_0");
        }
    }

    /** Reads {@code OWNER/REPO} or {@code OWNER/REPO:QUANT}. */
    public static HubRef parse(String spec) {
        String usage = "expected OWNER/REPO[:QUANT], e.g. bartowski/Llama-3.2-1B-Instruct-GGUF:Q4_K_M";
        if (spec == null || spec.isBlank()) {
            throw new VelaException("missing Hugging Face model name: " + usage);
        }
        String s = spec.strip();
        String quant = null;
        int colon = s.indexOf(':');
        if (colon >= 0) {
            quant = s.substring(colon + 1);
            s = s.substring(0, colon);
            if (quant.isEmpty()) {
                throw new VelaException("bad Hugging Face model name '" + spec + "': nothing after ':'; " + usage);
            }
        }
        int slash = s.indexOf('/');
        if (slash <= 0 || slash != s.lastIndexOf('/') || slash == s.length() - 1) {
            throw new VelaException("bad Hugging Face model name '" + spec + "': " + usage);
        }
        return new HubRef(s.substring(0, slash), s.substring(slash + 1), quant);
    }

    /** {@code OWNER/REPO}, as the hub's URLs spell it. */
    public String repoId() {
        return owner + "/" + repo;
    }

    @Override
    public String toString() {
        return quant == null ? repoId() : repoId() + ":" + quant;
    }
}
