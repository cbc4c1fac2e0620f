package dev.vela.hub;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A local stand-in for the Hugging Face hub, shaped like the real one: {@code /api/models/OWNER/REPO}
 * lists the files, {@code /OWNER/REPO/resolve/main/FILE} answers 302 to a second server (the "CDN",
 * on another port) with {@code X-Linked-Etag}/{@code X-Linked-Size}, and the CDN serves the bytes
 * with Range support. Faults are switched on per test.
 */
final class FakeHub implements AutoCloseable {
    static final String REPO = "test/tiny";
    static final String TOKEN = "hf_secret";

    private final HttpServer hub;
    private final HttpServer cdn;
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private final Map<String, String> advertised = new ConcurrentHashMap<>();
    private final Map<String, byte[]> blobs = new ConcurrentHashMap<>();

    /** The next CDN response sends this many bytes of the body, then drops the connection. */
    final AtomicLong dropOnceAfter = new AtomicLong(-1);
    volatile boolean requireToken;
    volatile boolean honorRange = true;

    final AtomicInteger apiCalls = new AtomicInteger();
    final List<String> cdnRanges = new CopyOnWriteArrayList<>();
    final List<String> cdnAuthorizations = new CopyOnWriteArrayList<>();
    final List<String> hubAuthorizations = new CopyOnWriteArrayList<>();

    FakeHub() throws IOException {
        InetSocketAddress any = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
        hub = HttpServer.create(any, 0);
        cdn = HttpServer.create(any, 0);
        hub.createContext("/", this::hub);
        cdn.createContext("/", this::cdn);
        hub.start();
        cdn.start();
    }

    /** Serves {@code bytes} as {@code name} in test/tiny. */
    FakeHub add(String name, byte[] bytes) {
        files.put(name, bytes);
        String sha = sha256(bytes);
        advertised.put(name, sha);
        blobs.put(sha, bytes);
        return this;
    }

    /** Announces a wrong checksum for {@code name}, in the listing and the headers alike. */
    void lieAboutChecksum(String name) {
        String wrong = sha256(("not " + name).getBytes(StandardCharsets.UTF_8));
        blobs.put(wrong, files.get(name));
        advertised.put(name, wrong);
    }

    URI endpoint() {
        return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
    }

    @Override
    public void close() {
        hub.stop(0);
        cdn.stop(0);
    }

    private void hub(HttpExchange ex) throws IOException {
        try (ex) {
            String path = ex.getRequestURI().getPath();
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            hubAuthorizations.add(String.valueOf(auth));
            boolean authorized = !requireToken || ("Bearer " + TOKEN).equals(auth);
            if (path.equals("/api/models/" + REPO)) {
                apiCalls.incrementAndGet();
                send(ex, 200, "application/json", listing().getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/api/models/")) {
                ex.getResponseHeaders().set("X-Error-Code", "RepoNotFound");
                send(ex, 401, "text/plain", "Repository not found".getBytes(StandardCharsets.UTF_8));
            } else if (path.startsWith("/" + REPO + "/resolve/main/")) {
                String name = path.substring(("/" + REPO + "/resolve/main/").length());
                if (!authorized) {
                    ex.getResponseHeaders().set("X-Error-Code", "GatedRepo");
                    send(ex, 401, "text/plain", "Access to model test/tiny is restricted".getBytes(StandardCharsets.UTF_8));
                } else if (!files.containsKey(name)) {
                    ex.getResponseHeaders().set("X-Error-Code", "EntryNotFound");
                    send(ex, 404, "text/plain", new byte[0]);
                } else {
                    String sha = advertised.get(name);
                    var h = ex.getResponseHeaders();
                    h.set("Location", "http://127.0.0.1:" + cdn.getAddress().getPort() + "/blobs/" + sha + "?expires=1");
                    h.set("X-Linked-Etag", "\"" + sha + "\"");
                    h.set("X-Linked-Size", Long.toString(files.get(name).length));
                    h.set("ETag", "W/\"0123456789abcdef0123456789abcdef01234567\"");
                    h.set("X-Repo-Commit", "0123456789abcdef0123456789abcdef01234567");
                    ex.sendResponseHeaders(302, -1);
                }
            } else {
                send(ex, 404, "text/plain", new byte[0]);
            }
        }
    }

    private void cdn(HttpExchange ex) throws IOException {
        try (ex) {
            cdnAuthorizations.add(String.valueOf(ex.getRequestHeaders().getFirst("Authorization")));
            String range = ex.getRequestHeaders().getFirst("Range");
            cdnRanges.add(String.valueOf(range));
            String path = ex.getRequestURI().getPath();
            byte[] bytes = path.startsWith("/blobs/") ? blobs.get(path.substring("/blobs/".length())) : null;
            if (bytes == null) {
                send(ex, 404, "text/plain", new byte[0]);
                return;
            }
            long from = 0;
            if (range != null && honorRange && range.startsWith("bytes=") && range.endsWith("-")) {
                from = Long.parseLong(range.substring(6, range.length() - 1));
                if (from >= bytes.length) {
                    ex.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
                    ex.sendResponseHeaders(416, -1);
                    return;
                }
                ex.getResponseHeaders().set("Content-Range",
                        "bytes " + from + "-" + (bytes.length - 1) + "/" + bytes.length);
            }
            ex.getResponseHeaders().set("Content-Type", "application/octet-stream");
            ex.getResponseHeaders().set("ETag", "\"cdn-etag-that-is-no-checksum\"");
            long length = bytes.length - from;
            ex.sendResponseHeaders(from > 0 ? 206 : 200, length);
            OutputStream out = ex.getResponseBody();
            long drop = dropOnceAfter.getAndSet(-1);
            if (drop >= 0 && drop < length) {
                out.write(bytes, (int) from, (int) drop);
                out.flush();
                // Ends the exchange with the body short of its Content-Length: the server closes the
                // connection, which the client sees as a download cut off half-way.
                throw new IOException("dropping the connection on purpose");
            }
            out.write(bytes, (int) from, (int) length);
        }
    }

    private String listing() {
        StringBuilder sb = new StringBuilder("{\"_id\":\"0\",\"id\":\"" + REPO + "\",\"private\":false,\"gated\":"
                + (requireToken ? "\"manual\"" : "false") + ",\"tags\":[\"gguf\"],\"siblings\":[");
        sb.append("{\"rfilename\":\".gitattributes\",\"blobId\":\"aa\",\"size\":1519},");
        sb.append("{\"rfilename\":\"README.md\",\"blobId\":\"bb\",\"size\":2048}");
        for (Map.Entry<String, byte[]> e : files.entrySet()) {
            long size = e.getValue().length;
            sb.append(",{\"rfilename\":\"").append(e.getKey()).append("\",\"blobId\":\"cc\",\"size\":").append(size)
                    .append(",\"lfs\":{\"sha256\":\"").append(advertised.get(e.getKey())).append("\",\"size\":")
                    .append(size).append(",\"pointerSize\":135}}");
        }
        return sb.append("],\"spaces\":[],\"createdAt\":\"2025-01-01T00:00:00.000Z\"}").toString();
    }

    private static void send(HttpExchange ex, int status, String type, byte[] body) throws IOException {
        ex.getResponseHeaders().set("Content-Type", type);
        ex.sendResponseHeaders(status, body.length == 0 ? -1 : body.length);
        if (body.length > 0) {
            ex.getResponseBody().write(body);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError(e);
        }
    }
}
