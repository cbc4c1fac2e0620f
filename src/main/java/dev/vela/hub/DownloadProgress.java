package dev.vela.hub;

import java.io.Console;
import java.io.OutputStream;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Shows how a download goes: on a terminal one line redrawn in place (bar, percent, MB done and
 * total, speed, time left); elsewhere (a log, a pipe) a plain line now and then, so logs stay short.
 */
public final class DownloadProgress {
    private static final long REDRAW_NANOS = 100_000_000L;        // terminal: 10 redraws a second at most
    private static final long PLAIN_MIN_NANOS = 2_000_000_000L;   // plain: a line per 10% step, not faster
    private static final long PLAIN_MAX_NANOS = 30_000_000_000L;  // plain: and at least one every 30 s
    private static final int BAR = 24;
    private static final int NAME_MAX = 40;

    private final PrintStream out;
    private final boolean terminal;
    private final LongSupplier nanoClock;

    private String name;
    private long total;
    private long resumedFrom;
    private long done;
    private long startNanos;
    private long lastNanos;
    private int lastStep;
    private int lastWidth;
    private boolean active;

    /**
     * @param terminal  whether {@code out} is shown on a terminal (redraw in place with '\r')
     * @param nanoClock a monotonic clock in nanoseconds, {@code System::nanoTime} outside tests
     */
    public DownloadProgress(PrintStream out, boolean terminal, LongSupplier nanoClock) {
        this.out = out;
        this.terminal = terminal;
        this.nanoClock = nanoClock;
    }

    /** Progress on standard error, redrawn in place when the console is a terminal. */
    public static DownloadProgress toStderr() {
        Console console = System.console();
        return new DownloadProgress(System.err, console != null && console.isTerminal(), System::nanoTime);
    }

    /** Shows nothing, for callers that want the download quiet. */
    public static DownloadProgress silent() {
        return new DownloadProgress(new PrintStream(OutputStream.nullOutputStream()), false, System::nanoTime);
    }

    /** A line of its own, such as what is about to be downloaded. */
    public void message(String line) {
        endLine();
        out.println(line);
        out.flush();
    }

    /**
     * A download begins.
     *
     * @param total       the full size in bytes, or -1 when unknown
     * @param resumedFrom bytes already on disk from an earlier attempt (they do not count for speed)
     */
    public void start(String fileName, long total, long resumedFrom) {
        endLine();
        this.name = fileName.length() > NAME_MAX ? "..." + fileName.substring(fileName.length() - NAME_MAX + 3) : fileName;
        this.total = total;
        this.resumedFrom = resumedFrom;
        this.done = resumedFrom;
        this.startNanos = nanoClock.getAsLong();
        this.lastNanos = startNanos;
        this.lastStep = step(resumedFrom);
        this.active = true;
        if (terminal) {
            draw(render(startNanos, false));
        } else if (resumedFrom > 0) {
            out.println(name + ": resuming at " + size(resumedFrom) + (total > 0 ? " of " + size(total) : ""));
            out.flush();
        }
    }

    /** Bytes on disk now, the resumed part included. */
    public void advance(long bytesDone) {
        if (!active) {
            return;
        }
        done = bytesDone;
        long now = nanoClock.getAsLong();
        if (terminal) {
            if (now - lastNanos >= REDRAW_NANOS) {
                lastNanos = now;
                draw(render(now, false));
            }
        } else {
            int s = step(bytesDone);
            long since = now - lastNanos;
            if ((s != lastStep && since >= PLAIN_MIN_NANOS) || since >= PLAIN_MAX_NANOS) {
                lastStep = s;
                lastNanos = now;
                out.println(render(now, false));
                out.flush();
            }
        }
    }

    /** The download completed: the final state, on a line of its own. */
    public void finish() {
        if (!active) {
            return;
        }
        String line = render(nanoClock.getAsLong(), true);
        if (terminal) {
            draw(line);
            out.println();
        } else {
            out.println(line);
        }
        out.flush();
        active = false;
        lastWidth = 0;
    }

    /** The download stopped early: show where it stopped and move to a fresh line for the error. */
    public void abort() {
        if (active && terminal) {
            draw(render(nanoClock.getAsLong(), false));
        }
        endLine();
        active = false;
    }

    private void endLine() {
        if (terminal && lastWidth > 0) {
            out.println();
            out.flush();
        }
        lastWidth = 0;
    }

    private void draw(String line) {
        // Pad over the previous, possibly longer, line rather than relying on terminal escapes.
        int pad = Math.max(0, lastWidth - line.length());
        out.print("\r" + line + " ".repeat(pad));
        out.flush();
        lastWidth = line.length();
    }

    private int step(long bytes) {
        return total > 0 ? (int) (bytes * 10 / total) : 0;
    }

    String render(long now, boolean finished) {
        StringBuilder sb = new StringBuilder(name);
        sb.append(terminal ? "  " : ": ");
        if (total > 0) {
            int percent = (int) Math.min(100, done * 100 / total);
            sb.append(String.format(Locale.ROOT, "%3d%%", percent));
            if (terminal) {
                int filled = (int) Math.min(BAR, done * BAR / total);
                sb.append(" [").append("#".repeat(filled)).append("-".repeat(BAR - filled)).append(']');
            }
            sb.append("  ").append(sizePair(done, total));
        } else {
            sb.append(size(done));
        }
        double seconds = (now - startNanos) / 1e9;
        long fresh = done - resumedFrom;
        double speed = seconds > 0 && fresh > 0 ? fresh / seconds : 0;
        sb.append("  ").append(speed > 0 ? String.format(Locale.ROOT, "%.1f MB/s", speed / 1e6) : "-- MB/s");
        if (finished) {
            sb.append("  done in ").append(duration(seconds));
        } else if (total > 0) {
            sb.append("  ").append(speed > 0 ? duration((total - done) / speed) : "-:--").append(" left");
        }
        return sb.toString();
    }

    /** Decimal units, as the hub's web pages show sizes. */
    static String size(long bytes) {
        return bytes >= 1_000_000_000L
                ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
                : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** "12.3 / 4681.0 MB" would be hard to read: both numbers take the unit of the total. */
    private static String sizePair(long done, long total) {
        return total >= 1_000_000_000L
                ? String.format(Locale.ROOT, "%.2f / %.2f GB", done / 1e9, total / 1e9)
                : String.format(Locale.ROOT, "%.1f / %.1f MB", done / 1e6, total / 1e6);
    }

    static String duration(double seconds) {
        long s = Math.max(0, Math.round(seconds));
        return s >= 3600
                ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}
