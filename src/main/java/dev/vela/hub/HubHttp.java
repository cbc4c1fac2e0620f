package dev.vela.hub;

import dev.vela.VelaException;

import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * The HTTP side of the hub: GET requests with the token, redirects followed by hand, and every
 * failure turned into a one-line {@link VelaException}.
 *
 * <p>Redirects are followed here rather than by {@link HttpClient} for two reasons: the hub puts
 * the file's SHA-256 and size on the redirect itself ({@code X-Linked-Etag}, {@code X-Linked-Size}),
 * and the token must not travel to the CDN the redirect points at.
 */
final class HubHttp {
    static final String USER_AGENT = "vela/0.1 (java " + Runtime.version().feature() + ")";
    private static final int MAX_REDIRECTS = 10;
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

    private final HttpClient client;
    private final URI endpoint;
    private final String token;

    HubHttp(URI endpoint, String token) {
        this.endpoint = endpoint;
        this.token = token;
        this.client = HttpClient.newBuilder()
                .version(HttpClient.Version.HTTP_1_1)
                .followRedirects(HttpClient.Redirect.NEVER)
                .connectTimeout(Duration.ofSeconds(30))
                .build();
    }

    URI endpoint() {
        return endpoint;
    }

    boolean hasToken() {
        return token != null;
    }

    /**
     * A response whose body is still to be read, with what the redirects said about the file.
     *
     * @param sha256 the file's SHA-256 from {@code X-Linked-Etag} (or the hub's own {@code ETag}), or null
     * @param size   the file's size from {@code X-Linked-Size}, or -1
     */
    record Fetched(HttpResponse<InputStream> response, String sha256, long size) {
        int status() {
            return response.statusCode();
        }

        String header(String name) {
            return response.headers().firstValue(name).orElse(null);
        }

        void close() {
            try {
                response.body().close();
            } catch (IOException ignored) {
                // nothing left to read from it anyway
            }
        }
    }

    /** GET {@code url}, from byte {@code from} on when it is above 0, following redirects. */
    Fetched get(URI url, long from, String what) {
        URI current = url;
        String sha = null;
        long size = -1;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpRequest.Builder b = HttpRequest.newBuilder(current)
                    .GET()
                    .timeout(Duration.ofSeconds(60))
                    .header("User-Agent", USER_AGENT);
            if (token != null && sameOrigin(current, endpoint)) {
                b.header("Authorization", "Bearer " + token);
            }
            if (from > 0) {
                b.header("Range", "bytes=" + from + "-");
            }
            HttpResponse<InputStream> r = send(b.build(), current, what);
            if (sha == null) {
                sha = sha256Of(r.headers().firstValue("X-Linked-Etag").orElse(null));
            }
            if (sha == null && sameOrigin(current, endpoint)) {
                // Without X-Linked-Etag (a file served in place), the hub's ETag of an LFS file is its
                // SHA-256; a CDN's ETag is something else, so only the hub's own counts.
                sha = sha256Of(r.headers().firstValue("ETag").orElse(null));
            }
            if (size < 0) {
                size = parseLong(r.headers().firstValue("X-Linked-Size").orElse(null));
            }
            int status = r.statusCode();
            String location = r.headers().firstValue("Location").orElse(null);
            if (status >= 300 && status < 400 && status != 304 && location != null) {
                new Fetched(r, null, -1).close();
                try {
                    current = current.resolve(location.strip());
                } catch (IllegalArgumentException e) {
                    throw new VelaException("bad redirect while fetching " + what + ": " + oneLine(location));
                }
                continue;
            }
            return new Fetched(r, sha, size);
        }
        throw new VelaException("too many redirects while fetching " + what + " from " + url);
    }

    /** GET a small text answer (the API's JSON), failing with a clear message unless it is a 200. */
    String getText(URI url, String what, String repoId) {
        Fetched f = get(url, 0, what);
        try {
            if (f.status() != 200) {
                throw statusError(f, what, repoId, true);
            }
            try (InputStream in = f.response().body()) {
                byte[] bytes = in.readNBytes(64 << 20);
                return new String(bytes, StandardCharsets.UTF_8);
            }
        } catch (IOException e) {
            throw new VelaException("the connection to " + host(url) + " broke while reading " + what + " ("
                    + describe(e) + ")", e);
        } finally {
            f.close();
        }
    }

    /**
     * The one-line message for an unexpected status; closes the response.
     *
     * @param listing whether this was the repository's file list (so a 404 means no such repository)
     */
    VelaException statusError(Fetched f, String what, String repoId, boolean listing) {
        f.close();
        int status = f.status();
        String code = Objects.requireNonNullElse(f.header("X-Error-Code"), "");
        String page = endpoint.toString().replaceAll("/+$", "") + "/" + repoId;
        if (code.equals("RepoNotFound") || (status == 404 && listing)) {
            return new VelaException("the repository " + repoId + " was not found on " + host(endpoint)
                    + (token == null ? " (if it is private, set HF_TOKEN to a token that can read it)" : ""));
        }
        if (status == 401 || status == 403 || code.equals("GatedRepo")) {
            return new VelaException("access to " + repoId + " was refused (HTTP " + status + "): it may be gated;"
                    + " accept its license on " + page + " and "
                    + (token == null ? "set HF_TOKEN to an access token of your account"
                                     : "check that HF_TOKEN is a valid token of the account that accepted it"));
        }
        if (status == 404) {
            return new VelaException(what + " was not found in " + repoId + " (HTTP 404)");
        }
        if (status == 429) {
            return new VelaException(host(endpoint) + " is rate-limiting requests (HTTP 429); wait a little"
                    + (token == null ? ", or set HF_TOKEN" : "") + ", and try again");
        }
        String message = f.header("X-Error-Message");
        return new VelaException("unexpected HTTP " + status + " while fetching " + what + " from "
                + host(f.response().uri()) + (message != null ? ": " + oneLine(message) : ""));
    }

    private HttpResponse<InputStream> send(HttpRequest request, URI url, String what) {
        try {
            return client.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new VelaException("interrupted while fetching " + what);
        } catch (IOException | UnresolvedAddressException e) {
            throw new VelaException("cannot reach " + host(url) + " (" + describe(e) + ") while fetching " + what
                    + "; check the network connection" + (url.getHost().equals(endpoint.getHost())
                            ? ", or the address given by --hf-endpoint / HF_ENDPOINT" : ""), e);
        }
    }

    /** What went wrong, in a few words: the JDK's messages are often null or nested. */
    static String describe(Throwable e) {
        // The JDK wraps an unknown host in a ConnectException, so the specific causes go first.
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof UnknownHostException || t instanceof UnresolvedAddressException) {
                return "unknown host";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof ConnectException) {
                return "connection refused";
            }
            if (t instanceof HttpConnectTimeoutException) {
                return "connection timed out";
            }
            if (t instanceof HttpTimeoutException) {
                return "no answer in time";
            }
        }
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t.getMessage() != null && !t.getMessage().isBlank()) {
                return oneLine(t.getMessage());
            }
        }
        return e.getClass().getSimpleName();
    }

    static String sha256Of(String etag) {
        if (etag == null) {
            return null;
        }
        String s = etag.strip();
        if (s.startsWith("W/")) {
            s = s.substring(2);
        }
        s = s.replace("\"", "").toLowerCase(Locale.ROOT);
        return SHA256.matcher(s).matches() ? s : null;
    }

    static long parseLong(String s) {
        if (s == null) {
            return -1;
        }
        try {
            return Long.parseLong(s.strip());
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    static boolean sameOrigin(URI a, URI b) {
        return Objects.equals(lower(a.getScheme()), lower(b.getScheme()))
                && Objects.equals(lower(a.getHost()), lower(b.getHost()))
                && port(a) == port(b);
    }

    private static String lower(String s) {
        return s == null ? null : s.toLowerCase(Locale.ROOT);
    }

    private static int port(URI u) {
        if (u.getPort() >= 0) {
            return u.getPort();
        }
        return "https".equalsIgnoreCase(u.getScheme()) ? 443 : 80;
    }

    static String host(URI u) {
        return u.getPort() >= 0 ? u.getHost() + ":" + u.getPort() : u.getHost();
    }

    static String oneLine(String s) {
        String t = s.replaceAll("\\s+", " ").strip();
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
