package dev.vela.hub;

import dev.vela.VelaException;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One file fetched into the cache: appended to {@code FILE.part} (resuming with a Range request
 * where an earlier attempt stopped), checked against the expected size and SHA-256, and only
 * then renamed to {@code FILE}. A failed check deletes the part; a broken connection keeps it.
 */
final class FileDownload {
    private static final int BUFFER = 1 << 20;
    private static final int MAX_ROUNDS = 3;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    private final HubHttp http;
    private final URI url;
    private final HubRef ref;
    private final RepoFile file;
    private final Path target;
    private final Path part;
    private final Path partSha;
    private final DownloadProgress progress;

    /** How a transfer ended when the bytes all arrived: verified with this checksum, or a failed check. */
    private record Outcome(String sha256, String failure) {}

    FileDownload(HubHttp http, URI url, HubRef ref, RepoFile file, Path target, DownloadProgress progress) {
        this.http = http;
        this.url = url;
        this.ref = ref;
        this.file = file;
        this.target = target;
        this.part = HubCache.sibling(target, ".part");
        this.partSha = HubCache.sibling(target, ".part.sha256");
        this.progress = progress;
    }

    /** Downloads and verifies the file, leaving it at the target path, or throws a VelaException. */
    void run() {
        Outcome outcome;
        try {
            Files.createDirectories(target.getParent());
            try (FileChannel ch = FileChannel.open(part, StandardOpenOption.CREATE, StandardOpenOption.READ,
                    StandardOpenOption.WRITE)) {
                lock(ch); // one download per file at a time; closing the channel releases it
                if (Files.isRegularFile(target)) {
                    // Another process finished it while this one was looking.
                    ch.truncate(0);
                    outcome = null;
                } else {
                    outcome = transfer(ch);
                }
            }
        } catch (IOException e) {
            throw new VelaException("cannot write " + part + ": " + HubHttp.describe(e), e);
        }
        try {
            if (outcome == null) {
                Files.deleteIfExists(part);
                return;
            }
            if (outcome.failure() != null) {
                // Checked after the channel is closed: some systems cannot delete an open file.
                Files.deleteIfExists(part);
                Files.deleteIfExists(partSha);
                throw new VelaException(outcome.failure());
            }
            String name = target.getFileName().toString();
            Files.writeString(HubCache.sibling(target, ".sha256"), outcome.sha256() + "  " + name + "\n");
            try {
                Files.move(part, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(part, target, StandardCopyOption.REPLACE_EXISTING);
            }
            Files.deleteIfExists(partSha);
        } catch (IOException e) {
            throw new VelaException("cannot finish " + target + ": " + HubHttp.describe(e), e);
        }
    }

    private void lock(FileChannel ch) throws IOException {
        FileLock lock;
        try {
            lock = ch.tryLock();
        } catch (OverlappingFileLockException e) {
            lock = null;
        }
        if (lock == null) {
            throw new VelaException("another download of " + file.name() + " is running into " + part
                    + "; wait for it to finish");
        }
    }

    private Outcome transfer(FileChannel ch) throws IOException {
        String recorded = readRecordedSha();
        long have = ch.size();
        if (have > 0 && file.sha256() != null && recorded != null && !recorded.equals(file.sha256())) {
            progress.message(file.name() + " changed on the hub since the interrupted download; starting over");
            have = discard(ch);
        }
        if (have > 0 && file.size() >= 0 && have > file.size()) {
            have = discard(ch);
        }
        for (int round = 0; round < MAX_ROUNDS; round++) {
            HubHttp.Fetched f = http.get(url, have, "the file " + file.name());
            String sha = f.sha256() != null ? f.sha256() : file.sha256();
            long size = f.size() >= 0 ? f.size() : file.size();
            if (have > 0 && recorded != null && sha != null && !recorded.equals(sha)) {
                f.close();
                progress.message(file.name() + " changed on the hub since the interrupted download; starting over");
                have = discard(ch);
                recorded = null;
                continue;
            }
            InputStream body;
            switch (f.status()) {
                case 206 -> {
                    Matcher m = CONTENT_RANGE.matcher(String.valueOf(f.header("Content-Range")));
                    if (!m.find() || Long.parseLong(m.group(1)) != have) {
                        f.close(); // not the part asked for: take the whole file instead
                        have = discard(ch);
                        continue;
                    }
                    if (size < 0 && !m.group(3).equals("*")) {
                        size = Long.parseLong(m.group(3));
                    }
                    body = f.response().body();
                }
                case 200 -> {
                    if (have > 0) {
                        progress.message(HubHttp.host(f.response().uri())
                                + " does not resume downloads; starting " + file.name() + " over");
                        have = discard(ch);
                    }
                    if (size < 0) {
                        size = HubHttp.parseLong(f.header("Content-Length"));
                    }
                    body = f.response().body();
                }
                case 416 -> {
                    f.close();
                    if (have > 0 && have == size) {
                        body = InputStream.nullInputStream(); // the part was already whole
                    } else {
                        have = discard(ch);
                        continue;
                    }
                }
                default -> throw http.statusError(f, "the file " + file.name(), ref.repoId(), false);
            }
            try (InputStream in = body) {
                return receive(ch, in, have, size, sha);
            }
        }
        throw new VelaException("the server kept answering the download of " + file.name()
                + " with the wrong part of the file; delete " + part + " and try again");
    }

    private Outcome receive(FileChannel ch, InputStream in, long have, long size, String sha) throws IOException {
        if (sha != null) {
            // Recorded before the first new byte, so that a later resume can tell whether it continues
            // the same version of the file.
            Files.writeString(partSha, sha + "\n");
        }
        checkSpace(have, size);
        MessageDigest md = sha256();
        hashPrefix(ch, have, md);
        progress.start(file.name(), size, have);
        long done = have;
        byte[] buf = new byte[BUFFER];
        ch.position(have);
        try {
            for (int n; (n = in.read(buf)) >= 0; ) {
                ByteBuffer bb = ByteBuffer.wrap(buf, 0, n);
                while (bb.hasRemaining()) {
                    ch.write(bb);
                }
                md.update(buf, 0, n);
                done += n;
                progress.advance(done);
            }
        } catch (IOException e) {
            progress.abort();
            ch.force(true);
            throw new VelaException("the download of " + file.name() + " stopped at " + fraction(done, size)
                    + ": the connection broke (" + HubHttp.describe(e) + "); run the same command again to resume it", e);
        }
        ch.force(true);
        if (size >= 0 && done < size) {
            progress.abort();
            throw new VelaException("the download of " + file.name() + " ended early at " + fraction(done, size)
                    + "; run the same command again to resume it");
        }
        progress.finish();
        String actual = HexFormat.of().formatHex(md.digest());
        if (size >= 0 && done > size) {
            return new Outcome(null, file.name() + " from " + ref.repoId() + " is " + done + " bytes where "
                    + size + " were expected; deleted the download, run the command again to retry");
        }
        if (sha != null && !sha.equals(actual)) {
            return new Outcome(null, "checksum mismatch for " + file.name() + " from " + ref.repoId()
                    + ": expected SHA-256 " + sha + ", got " + actual
                    + "; deleted the download, run the command again to retry");
        }
        if (sha == null) {
            progress.message("note: the hub gave no SHA-256 for " + file.name() + "; only its size was checked");
        }
        return new Outcome(actual, null);
    }

    private void checkSpace(long have, long size) throws IOException {
        if (size < 0) {
            return;
        }
        long free = Files.getFileStore(part).getUsableSpace();
        long need = size - have;
        if (need > free) {
            throw new VelaException("not enough disk space for " + file.name() + ": it needs "
                    + DownloadProgress.size(need) + " more and " + part.getParent() + " has "
                    + DownloadProgress.size(free) + " free (VELA_CACHE can put the cache elsewhere)");
        }
    }

    /** The checksum covers the whole file, so what an earlier attempt left is read back first. */
    private static void hashPrefix(FileChannel ch, long have, MessageDigest md) throws IOException {
        ByteBuffer bb = ByteBuffer.allocate(BUFFER);
        long pos = 0;
        while (pos < have) {
            bb.clear();
            bb.limit((int) Math.min(BUFFER, have - pos));
            int n = ch.read(bb, pos);
            if (n < 0) {
                throw new IOException("the partial download shrank while being read");
            }
            bb.flip();
            md.update(bb);
            pos += n;
        }
    }

    private static long discard(FileChannel ch) throws IOException {
        ch.truncate(0);
        return 0;
    }

    private String readRecordedSha() throws IOException {
        if (!Files.isRegularFile(partSha)) {
            return null;
        }
        return HubHttp.sha256Of(Files.readString(partSha, StandardCharsets.UTF_8));
    }

    private static String fraction(long done, long size) {
        return size > 0 ? DownloadProgress.size(done) + " of " + DownloadProgress.size(size) : DownloadProgress.size(done);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
