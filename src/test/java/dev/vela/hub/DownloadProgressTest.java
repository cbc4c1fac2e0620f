package dev.vela.hub;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;

class DownloadProgressTest {
    static final long SECOND = 1_000_000_000L;

    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    final AtomicLong now = new AtomicLong(1000 * SECOND);

    String output() {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aTerminalGetsOneLineRedrawnInPlace() {
        DownloadProgress p = new DownloadProgress(out, true, now::get);
        p.start("m.gguf", 100_000_000, 0);
        now.addAndGet(2 * SECOND);
        p.advance(25_000_000);
        now.addAndGet(SECOND / 20);
        p.advance(26_000_000); // too soon after the last redraw
        now.addAndGet(6 * SECOND);
        p.advance(100_000_000);
        p.finish();
        assertEquals("\rm.gguf    0% [------------------------]  0.0 / 100.0 MB  -- MB/s  -:-- left"
                + "\rm.gguf   25% [######------------------]  25.0 / 100.0 MB  12.5 MB/s  0:06 left"
                + "\rm.gguf  100% [########################]  100.0 / 100.0 MB  12.4 MB/s  0:00 left"
                + "\rm.gguf  100% [########################]  100.0 / 100.0 MB  12.4 MB/s  done in 0:08\n",
                output());
    }

    @Test
    void elsewhereAPlainLineAtEachTenthAtMostEveryTwoSeconds() {
        DownloadProgress p = new DownloadProgress(out, false, now::get);
        p.message("downloading m.gguf");
        p.start("m.gguf", 4_000_000_000L, 1_000_000_000L);
        now.addAndGet(SECOND);
        p.advance(1_500_000_000L); // a new tenth, but under two seconds since the start
        now.addAndGet(2 * SECOND);
        p.advance(1_600_000_000L);
        now.addAndGet(SECOND);
        p.advance(1_700_000_000L); // same tenth
        now.addAndGet(40 * SECOND);
        p.advance(1_750_000_000L); // same tenth, but half a minute passed
        p.abort();
        assertEquals("downloading m.gguf\n"
                + "m.gguf: resuming at 1.00 GB of 4.00 GB\n"
                + "m.gguf:  40%  1.60 / 4.00 GB  200.0 MB/s  0:12 left\n"
                + "m.gguf:  43%  1.75 / 4.00 GB  17.0 MB/s  2:12 left\n", output());
    }

    @Test
    void anAbortShowsWhereItStoppedOnATerminal() {
        DownloadProgress p = new DownloadProgress(out, true, now::get);
        p.start("m.gguf", 100_000_000, 0);
        now.addAndGet(SECOND / 50);
        p.advance(1_000_000); // not drawn: too soon
        p.abort();
        p.message("error");
        assertEquals("\rm.gguf    0% [------------------------]  0.0 / 100.0 MB  -- MB/s  -:-- left"
                + "\rm.gguf    1% [------------------------]  1.0 / 100.0 MB  50.0 MB/s  0:02 left\nerror\n",
                output());
    }

    @Test
    void anUnknownSizeShowsBytesOnly() {
        DownloadProgress p = new DownloadProgress(out, false, now::get);
        p.start("m.gguf", -1, 0);
        now.addAndGet(2 * SECOND);
        p.advance(3_000_000);
        p.finish();
        assertEquals("m.gguf: 3.0 MB  1.5 MB/s  done in 0:02\n", output());
    }

    @Test
    void durationsAndSizes() {
        assertEquals("0:00", DownloadProgress.duration(0.2));
        assertEquals("1:05", DownloadProgress.duration(65));
        assertEquals("2:00:01", DownloadProgress.duration(7201));
        assertEquals("807.7 MB", DownloadProgress.size(807_694_464));
        assertEquals("4.92 GB", DownloadProgress.size(4_920_734_016L));
    }
}
