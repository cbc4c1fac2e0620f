package dev.vela.hub;

import dev.vela.util.Json;
import dev.vela.VelaException;

import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Fetches GGUF models from a Hugging Face hub into a local cache.
 *
 * <p>{@link #resolve} first looks in the cache and, when a complete file there fits the request,
 * returns it without touching the network. Otherwise it lists the repository
 * ({@code GET /api/models/OWNER/REPO?blobs=true}), picks the file (see {@link HubRef#quant()}),
 * and downloads it from {@code /OWNER/REPO/resolve/main/FILE}, resumably and verified.
 */
public final class HubClient {
    public static final String DEFAULT_ENDPOINT = "https://huggingface.co";

    private final HubHttp http;
    private final HubCache cache;
    private final DownloadProgress progress;

    /**
     * @param endpoint the hub's base URL, e.g. {@code https://huggingface.co}
     * @param token    an access token sent as a bearer token to the hub (not to its CDN), or null
     * @param cacheDir the cache root; models land in {@code cacheDir/OWNER/REPO/FILE}
     */
    public HubClient(URI endpoint, String token, Path cacheDir, DownloadProgress progress) {
        this.http = new HubHttp(checkEndpoint(endpoint.toString()), token == null || token.isBlank() ? null : token.strip());
        this.cache = new HubCache(cacheDir);
        this.progress = progress;
    }

    /**
     * The client the command line uses: endpoint from the override (--hf-endpoint), else
     * {@code HF_ENDPOINT}, else huggingface.co; token from {@code HF_TOKEN}; cache in
     * {@code VELA_CACHE}, else {@code ~/.cache/vela}; progress on standard error.
     */
    public static HubClient fromEnvironment(String endpointOverrideOrNull) {
        return fromEnvironment(endpointOverrideOrNull, System::getenv, Path.of(System.getProperty("user.home")),
                DownloadProgress.toStderr());
    }

    static HubClient fromEnvironment(String endpointOverride, Function<String, String> env, Path home,
                                     DownloadProgress progress) {
        String endpoint = firstSet(endpointOverride, env.apply("HF_ENDPOINT"), DEFAULT_ENDPOINT);
        // HUGGING_FACE_HUB_TOKEN is the older name, still set on many machines.
        String token = firstSet(env.apply("HF_TOKEN"), env.apply("HUGGING_FACE_HUB_TOKEN"), null);
        String cacheDir = env.apply("VELA_CACHE");
        Path cache = cacheDir != null && !cacheDir.isBlank() ? Path.of(cacheDir) : home.resolve(".cache").resolve("vela");
        return new HubClient(checkEndpoint(endpoint), token, cache, progress);
    }

    public URI endpoint() {
        return http.endpoint();
    }

    public Path cacheDir() {
        return cache.root();
    }

    /**
     * The local path of a complete, verified model file for {@code ref}: from the cache when one
     * fits (no network at all), else downloaded now.
     */
    public Path resolve(HubRef ref) {
        Optional<Path> hit = cached(ref);
        if (hit.isPresent()) {
            return hit.get();
        }
        RepoFile chosen = FileChoice.pick(ref.repoId(), listFiles(ref), ref.quant());
        Path target = cache.fileFor(ref, chosen.name());
        if (Files.isRegularFile(target)) {
            return target;
        }
        progress.message("downloading " + chosen.name() + " from " + ref.repoId()
                + (chosen.size() >= 0 ? " (" + DownloadProgress.size(chosen.size()) + ")" : "")
                + " into " + target.getParent());
        new FileDownload(http, fileUrl(ref, chosen.name()), ref, chosen, target, progress).run();
        return target;
    }

    /**
     * A cached file that fits {@code ref}, without the network. Without a quantization any cached
     * file of the repository fits, chosen as the hub would be (Q4_K_M, then Q4_0, then the smallest).
     */
    public Optional<Path> cached(HubRef ref) {
        return FileChoice.find(cache.cachedModels(ref), ref.quant()).map(f -> cache.fileFor(ref, f.name()));
    }

    /** The repository's files with sizes and checksums, from {@code /api/models/OWNER/REPO?blobs=true}. */
    List<RepoFile> listFiles(HubRef ref) {
        URI url = URI.create(base() + "/api/models/" + ref.owner() + "/" + ref.repo() + "?blobs=true");
        String text = http.getText(url, "the file list of " + ref.repoId(), ref.repoId());
        try {
            return parseListing(text);
        } catch (VelaException e) {
            throw new VelaException("unexpected answer from " + HubHttp.host(url) + " for the file list of "
                    + ref.repoId() + ": " + e.getMessage(), e);
        }
    }

    /** Reads {@code {"siblings": [{"rfilename": ..., "size": ..., "lfs": {"sha256": ..., "size": ...}}]}}. */
    static List<RepoFile> parseListing(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> root)) {
            throw new VelaException("expected a JSON object");
        }
        if (!(root.get("siblings") instanceof List<?> siblings)) {
            throw new VelaException("no \"siblings\" list of files");
        }
        List<RepoFile> files = new ArrayList<>();
        for (Object o : siblings) {
            if (!(o instanceof Map<?, ?> entry) || !(entry.get("rfilename") instanceof String name)) {
                throw new VelaException("a file entry without \"rfilename\"");
            }
            long size = entry.get("size") instanceof Long n ? n : -1;
            String sha = null;
            if (entry.get("lfs") instanceof Map<?, ?> lfs) {
                if (size < 0 && lfs.get("size") instanceof Long n) {
                    size = n;
                }
                // blobs=true gives "sha256"; the tree API spells it "oid".
                Object s = lfs.get("sha256") != null ? lfs.get("sha256") : lfs.get("oid");
                sha = s instanceof String str ? HubHttp.sha256Of(str.replaceFirst("^sha256:", "")) : null;
            }
            files.add(new RepoFile(name, size, sha));
        }
        return files;
    }

    private URI fileUrl(HubRef ref, String name) {
        StringBuilder sb = new StringBuilder(base()).append('/').append(ref.owner()).append('/').append(ref.repo())
                .append("/resolve/main");
        for (String segment : name.split("/")) {
            sb.append('/').append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
        }
        return URI.create(sb.toString());
    }

    private String base() {
        return http.endpoint().toString().replaceAll("/+$", "");
    }

    private static URI checkEndpoint(String endpoint) {
        String usage = "bad hub endpoint '" + HubHttp.oneLine(endpoint)
                + "': expected an http:// or https:// URL such as " + DEFAULT_ENDPOINT;
        try {
            URI u = new URI(endpoint.strip());
            String scheme = u.getScheme();
            if (scheme == null || !(scheme.equalsIgnoreCase("http") || scheme.equalsIgnoreCase("https"))
                    || u.getHost() == null || u.getRawQuery() != null || u.getRawFragment() != null) {
                throw new VelaException(usage);
            }
            return u;
        } catch (URISyntaxException e) {
            throw new VelaException(usage);
        }
    }

    private static String firstSet(String a, String b, String fallback) {
        if (a != null && !a.isBlank()) {
            return a.strip();
        }
        if (b != null && !b.isBlank()) {
            return b.strip();
        }
        return fallback;
    }
}
