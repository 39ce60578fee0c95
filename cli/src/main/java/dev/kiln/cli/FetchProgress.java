package dev.kiln.cli;

import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.store.Digest;
import java.io.PrintWriter;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * How {@code kiln fetch} reports: on a terminal one live line per active download and a total with
 * bytes and rate; otherwise a plain line per package; {@code --json} one JSON object per event;
 * {@code --quiet} nothing. Failures are not printed as they happen but once, in the error that ends
 * the fetch ({@code --json} has an event for each).
 */
abstract class FetchProgress implements FetchListener, AutoCloseable {
    enum Mode { LIVE, PLAIN, JSON, QUIET }

    static FetchProgress of(Mode mode, PrintWriter out, int total, long totalBytes) {
        return switch (mode) {
            case LIVE -> new Live(out, total, totalBytes);
            case PLAIN -> new Plain(out);
            case JSON -> new Json(out);
            case QUIET -> new FetchProgress() {
            };
        };
    }

    @Override
    public void close() {
    }

    /** A blob the store held under a package's sha256 with other bytes: said once, with what happens next. */
    static String damagedLine(Download d, Digest found) {
        return "the store's copy of " + d.name() + " (" + d.sha256() + ") held other bytes (" + found
                + "); removed it from the store";
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    private static final class Plain extends FetchProgress {
        private final PrintWriter out;
        private final Set<String> retried = new HashSet<>();

        Plain(PrintWriter out) {
            this.out = out;
        }

        @Override
        public synchronized void finished(Download d, boolean alreadyPresent) {
            if (!alreadyPresent) {
                out.println("fetched " + d.name() + " (" + mb(d.size()) + ")");
            }
        }

        /** Once per host and reason: a dead mirror makes every file retry for the same reason. */
        @Override
        public synchronized void retrying(Download d, URI url, String why) {
            if (retried.add(url.getHost() + ":" + url.getPort() + " " + why)) {
                out.println("retrying " + d.name() + " from " + url + ": " + why);
            }
        }

        @Override
        public synchronized void damaged(Download d, Digest found) {
            out.println(damagedLine(d, found));
        }
    }

    private static final class Json extends FetchProgress {
        private final PrintWriter out;

        Json(PrintWriter out) {
            this.out = out;
        }

        private synchronized void event(String kind, Download d, String extra) {
            out.println("{\"event\": \"" + kind + "\", \"name\": " + quote(d.name()) + ", \"sha256\": \""
                    + d.sha256().hex() + "\", \"size\": " + d.size() + extra + "}");
        }

        @Override
        public void started(Download d, URI url) {
            event("started", d, ", \"url\": " + quote(url.toString()));
        }

        @Override
        public void retrying(Download d, URI url, String why) {
            event("retrying", d, ", \"url\": " + quote(url.toString()) + ", \"why\": " + quote(why));
        }

        @Override
        public void finished(Download d, boolean alreadyPresent) {
            event("finished", d, ", \"present\": " + alreadyPresent);
        }

        @Override
        public void failed(Download d, String why) {
            event("failed", d, ", \"why\": " + quote(why));
        }

        @Override
        public void damaged(Download d, Digest found) {
            event("damaged", d, ", \"found\": \"" + found.hex() + "\"");
        }

        static String quote(String s) {
            StringBuilder b = new StringBuilder("\"");
            for (char c : s.toCharArray()) {
                switch (c) {
                    case '"' -> b.append("\\\"");
                    case '\\' -> b.append("\\\\");
                    case '\n' -> b.append("\\n");
                    default -> {
                        if (c < 0x20) {
                            b.append(String.format("\\u%04x", (int) c));
                        } else {
                            b.append(c);
                        }
                    }
                }
            }
            return b.append('"').toString();
        }
    }

    /** Redraws a block of lines in place with ANSI cursor movement, at most ten times a second. */
    private static final class Live extends FetchProgress {
        private final PrintWriter out;
        private final int total;
        private final long totalBytes;
        private final Map<Download, Long> active = new LinkedHashMap<>();
        private final AtomicInteger done = new AtomicInteger();
        private final AtomicLong doneBytes = new AtomicLong();
        private final long start = System.nanoTime();
        private long lastDraw;
        private int drawn;

        Live(PrintWriter out, int total, long totalBytes) {
            this.out = out;
            this.total = total;
            this.totalBytes = totalBytes;
        }

        @Override
        public synchronized void started(Download d, URI url) {
            active.put(d, 0L);
            draw(false);
        }

        @Override
        public synchronized void progress(Download d, long bytes) {
            active.put(d, bytes);
            draw(false);
        }

        @Override
        public synchronized void finished(Download d, boolean alreadyPresent) {
            active.remove(d);
            done.incrementAndGet();
            doneBytes.addAndGet(d.size());
            draw(false);
        }

        @Override
        public synchronized void failed(Download d, String why) {
            active.remove(d);
            draw(true);
        }

        @Override
        public synchronized void damaged(Download d, Digest found) {
            clear();
            out.println(damagedLine(d, found));
            draw(true);
        }

        private void clear() {
            for (int i = 0; i < drawn; i++) {
                out.print("\033[1A\033[2K");
            }
            drawn = 0;
        }

        private void draw(boolean force) {
            long now = System.nanoTime();
            if (!force && now - lastDraw < 100_000_000L) {
                return;
            }
            lastDraw = now;
            clear();
            long inFlight = 0;
            int shown = 0;
            for (Map.Entry<Download, Long> e : active.entrySet()) {
                inFlight += e.getValue();
                if (shown++ < 8) {
                    out.println("  " + e.getKey().name() + "  " + mb(e.getValue()) + " / " + mb(e.getKey().size()));
                    drawn++;
                }
            }
            long bytes = doneBytes.get() + inFlight;
            double secs = Math.max(1e-3, (now - start) / 1e9);
            out.println(String.format(Locale.ROOT, "fetched %d/%d packages, %s / %s, %.1f MB/s",
                    done.get(), total, mb(bytes), mb(totalBytes), bytes / 1e6 / secs));
            drawn++;
            out.flush();
        }

        @Override
        public synchronized void close() {
            draw(true);
        }
    }
}
