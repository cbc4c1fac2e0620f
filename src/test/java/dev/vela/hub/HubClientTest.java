package dev.vela.hub;

import dev.vela.TestData;
import dev.vela.VelaException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** HubClient against {@link FakeHub}, a real HTTP server on 127.0.0.1: nothing reaches the internet. */
class HubClientTest {
    static final String Q4KM = "tiny-Q4_K_M.gguf";
    static final String Q8 = "tiny-Q8_0.gguf";

    @TempDir
    Path cache;

    FakeHub server;
    byte[] q4km;
    byte[] q8;
    final ByteArrayOutputStream stderr = new ByteArrayOutputStream();

    @BeforeEach
    void start() throws IOException {
        q4km = Files.readAllBytes(TestData.model("kq256-Q4_K_M.gguf"));
        q8 = Files.readAllBytes(TestData.model("kq256-Q8_0.gguf"));
        byte[] projector = "not a language model".getBytes(StandardCharsets.UTF_8);
        server = new FakeHub().add(Q4KM, q4km).add(Q8, q8).add("mmproj-tiny-f16.gguf", projector);
    }

    @AfterEach
    void stop() {
        server.close();
    }

    HubClient client(String token) {
        return client(server.endpoint(), token);
    }

    HubClient client(URI endpoint, String token) {
        PrintStream err = new PrintStream(stderr, true, StandardCharsets.UTF_8);
        return new HubClient(endpoint, token, cache, new DownloadProgress(err, false, System::nanoTime));
    }

    Path repoDir() {
        return cache.resolve("test").resolve("tiny");
    }

    @Test
    void downloadsTheDefaultQuantIntoTheCache() throws IOException {
        Path p = client(null).resolve(HubRef.parse(FakeHub.REPO));

        assertEquals(repoDir().resolve(Q4KM), p);
        assertArrayEquals(q4km, Files.readAllBytes(p));
        assertFalse(Files.exists(repoDir().resolve(Q4KM + ".part")), "no part file left behind");
        assertFalse(Files.exists(repoDir().resolve(Q4KM + ".part.sha256")));
        assertEquals(FakeHub.sha256(q4km) + "  " + Q4KM + "\n",
                Files.readString(repoDir().resolve(Q4KM + ".sha256")));
        assertEquals(List.of("null"), server.cdnRanges, "a fresh download asks for the whole file");
        String log = stderr.toString(StandardCharsets.UTF_8);
        assertTrue(log.contains("downloading " + Q4KM + " from test/tiny"), log);
        assertTrue(log.contains("100%") && log.contains("1.1 / 1.1 MB"), log);
    }

    @Test
    void picksTheQuantCaseInsensitively() throws IOException {
        Path p = client(null).resolve(HubRef.parse("test/tiny:q8_0"));
        assertEquals(repoDir().resolve(Q8), p);
        assertArrayEquals(q8, Files.readAllBytes(p));
    }

    @Test
    void resumesWithARangeRequestAfterTheConnectionDrops() throws IOException {
        int half = q4km.length / 2;
        server.dropOnceAfter.set(half);
        HubClient client = client(null);
        HubRef ref = HubRef.parse(FakeHub.REPO);

        VelaException first = assertThrows(VelaException.class, () -> client.resolve(ref));
        assertTrue(first.getMessage().contains("run the same command again to resume"), first.getMessage());
        Path part = repoDir().resolve(Q4KM + ".part");
        long kept = Files.size(part);
        assertTrue(kept > 0 && kept <= half, "the part keeps what arrived: " + kept);
        assertFalse(Files.exists(repoDir().resolve(Q4KM)), "nothing half-downloaded under the final name");

        Path p = client.resolve(ref);
        assertArrayEquals(q4km, Files.readAllBytes(p));
        assertEquals(List.of("null", "bytes=" + kept + "-"), server.cdnRanges);
        assertFalse(Files.exists(part));
    }

    @Test
    void startsOverWhenTheServerIgnoresTheRange() throws IOException {
        server.dropOnceAfter.set(1000);
        server.honorRange = false;
        HubClient client = client(null);
        HubRef ref = HubRef.parse(FakeHub.REPO);
        assertThrows(VelaException.class, () -> client.resolve(ref));

        assertArrayEquals(q4km, Files.readAllBytes(client.resolve(ref)));
        assertTrue(stderr.toString(StandardCharsets.UTF_8).contains("does not resume downloads"));
    }

    @Test
    void discardsAPartOfAnotherVersionOfTheFile() throws IOException {
        Files.createDirectories(repoDir());
        Files.write(repoDir().resolve(Q4KM + ".part"), new byte[1000]);
        Files.writeString(repoDir().resolve(Q4KM + ".part.sha256"), FakeHub.sha256(new byte[1]) + "\n");

        Path p = client(null).resolve(HubRef.parse(FakeHub.REPO));
        assertArrayEquals(q4km, Files.readAllBytes(p));
        assertEquals(List.of("null"), server.cdnRanges, "no resume from a part of another version");
    }

    @Test
    void aPartThatIsAlreadyWholeIsCheckedAndKept() throws IOException {
        Files.createDirectories(repoDir());
        Files.write(repoDir().resolve(Q4KM + ".part"), q4km);

        Path p = client(null).resolve(HubRef.parse(FakeHub.REPO));
        assertArrayEquals(q4km, Files.readAllBytes(p));
        assertEquals(List.of("bytes=" + q4km.length + "-"), server.cdnRanges, "the CDN answered 416");
    }

    @Test
    void oneDownloadPerFileAtATime() throws IOException {
        Files.createDirectories(repoDir());
        Path part = repoDir().resolve(Q4KM + ".part");
        try (FileChannel other = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock lock = other.lock()) {
            VelaException e = assertThrows(VelaException.class,
                    () -> client(null).resolve(HubRef.parse(FakeHub.REPO)));
            assertTrue(e.getMessage().startsWith("another download of " + Q4KM + " is running"), e.getMessage());
            assertTrue(lock.isValid());
        }
    }

    @Test
    void aChecksumMismatchDeletesThePart() {
        server.lieAboutChecksum(Q4KM);
        VelaException e = assertThrows(VelaException.class, () -> client(null).resolve(HubRef.parse(FakeHub.REPO)));

        assertTrue(e.getMessage().startsWith("checksum mismatch for " + Q4KM + " from test/tiny"), e.getMessage());
        assertTrue(e.getMessage().contains("deleted"), e.getMessage());
        assertFalse(e.getMessage().contains("\n"));
        assertFalse(Files.exists(repoDir().resolve(Q4KM + ".part")));
        assertFalse(Files.exists(repoDir().resolve(Q4KM + ".part.sha256")));
        assertFalse(Files.exists(repoDir().resolve(Q4KM)));
    }

    @Test
    void aGatedRepoTellsHowToGetAccess() {
        server.requireToken = true;
        VelaException e = assertThrows(VelaException.class, () -> client(null).resolve(HubRef.parse(FakeHub.REPO)));

        String m = e.getMessage();
        assertTrue(m.contains("HTTP 401") && m.contains("HF_TOKEN") && m.contains("accept its license")
                && m.contains(server.endpoint() + "/test/tiny"), m);
        assertFalse(m.contains("\n"));
        assertFalse(Files.exists(repoDir().resolve(Q4KM)));
    }

    @Test
    void theTokenGoesToTheHubButNotToTheCdn() throws IOException {
        server.requireToken = true;
        Path p = client(FakeHub.TOKEN).resolve(HubRef.parse(FakeHub.REPO));

        assertArrayEquals(q4km, Files.readAllBytes(p));
        assertTrue(server.hubAuthorizations.stream().allMatch(("Bearer " + FakeHub.TOKEN)::equals),
                server.hubAuthorizations.toString());
        assertEquals(List.of("null"), server.cdnAuthorizations);
    }

    @Test
    void aMissingQuantListsTheAvailableFiles() {
        VelaException e = assertThrows(VelaException.class,
                () -> client(null).resolve(HubRef.parse("test/tiny:Q5_K_S")));
        assertEquals("no .gguf file in test/tiny matches 'Q5_K_S'; available: " + Q4KM + ", " + Q8, e.getMessage());
    }

    @Test
    void anUnknownRepoSaysSo() {
        VelaException e = assertThrows(VelaException.class, () -> client(null).resolve(HubRef.parse("test/nothing")));
        assertTrue(e.getMessage().startsWith("the repository test/nothing was not found"), e.getMessage());
    }

    @Test
    void aCachedFileIsUsedWithoutTheNetwork() {
        HubRef ref = HubRef.parse(FakeHub.REPO);
        Path first = client(null).resolve(ref);
        URI endpoint = server.endpoint();
        server.close();

        assertEquals(first, client(endpoint, null).resolve(ref));
        assertEquals(first, client(endpoint, null).resolve(HubRef.parse("test/tiny:Q4_K_M")));
        assertEquals(1, server.apiCalls.get());
        // Another quantization is not in the cache, and the hub is gone.
        VelaException e = assertThrows(VelaException.class,
                () -> client(endpoint, null).resolve(HubRef.parse("test/tiny:Q8_0")));
        assertTrue(e.getMessage().startsWith("cannot reach 127.0.0.1:"), e.getMessage());
    }

    @Test
    void noNetworkIsOneLine() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
            port = s.getLocalPort();
        }
        URI dead = URI.create("http://127.0.0.1:" + port);
        VelaException e = assertThrows(VelaException.class, () -> client(dead, null).resolve(HubRef.parse(FakeHub.REPO)));

        assertEquals("cannot reach 127.0.0.1:" + port + " (connection refused) while fetching the file list of"
                + " test/tiny; check the network connection, or the address given by --hf-endpoint / HF_ENDPOINT",
                e.getMessage());
    }

    @Test
    void theEnvironmentChoosesEndpointTokenAndCache(@TempDir Path home) {
        DownloadProgress quiet = new DownloadProgress(new PrintStream(stderr), false, System::nanoTime);
        Map<String, String> env = Map.of("HF_ENDPOINT", "http://mirror.example:8080/", "VELA_CACHE", cache.toString());
        HubClient c = HubClient.fromEnvironment(null, env::get, home, quiet);
        assertEquals(URI.create("http://mirror.example:8080/"), c.endpoint());
        assertEquals(cache, c.cacheDir());

        HubClient d = HubClient.fromEnvironment("https://other.example", Map.<String, String>of()::get, home, quiet);
        assertEquals(URI.create("https://other.example"), d.endpoint());
        assertEquals(home.resolve(".cache/vela"), d.cacheDir());

        HubClient e = HubClient.fromEnvironment(null, Map.<String, String>of()::get, home, quiet);
        assertEquals(URI.create(HubClient.DEFAULT_ENDPOINT), e.endpoint());

        VelaException bad = assertThrows(VelaException.class,
                () -> HubClient.fromEnvironment("ftp://x", Map.<String, String>of()::get, home, quiet));
        assertTrue(bad.getMessage().startsWith("bad hub endpoint 'ftp://x'"), bad.getMessage());
    }

    @Test
    void theListingOfTheRealHubIsRead() {
        String json = """
                {"_id":"66","id":"bartowski/Llama-3.2-1B-Instruct-GGUF","gated":false,"siblings":[
                 {"rfilename":".gitattributes","blobId":"5e4b","size":2373},
                 {"rfilename":"Llama-3.2-1B-Instruct-Q4_K_M.gguf","blobId":"1f0c","size":807694464,
                  "lfs":{"sha256":"6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83",
                         "size":807694464,"pointerSize":135}},
                 {"rfilename":"README.md","blobId":"aa","size":4150}],"usedStorage":1}
                """;
        List<RepoFile> files = HubClient.parseListing(json);
        assertEquals(new RepoFile("Llama-3.2-1B-Instruct-Q4_K_M.gguf", 807694464L,
                "6f85a640a97cf2bf5b8e764087b1e83da0fdb51d7c9fab7d0fece9385611df83"), files.get(1));
        assertEquals(new RepoFile("README.md", 4150, null), files.get(2));
        assertThrows(VelaException.class, () -> HubClient.parseListing("{\"id\":\"x\"}"));
    }
}
