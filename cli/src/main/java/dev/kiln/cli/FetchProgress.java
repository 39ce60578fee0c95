package dev.kiln.cli;

import dev.kiln.api.FetchEvent;
import java.io.PrintWriter;
import java.net.URI;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;

/**
 * How a fetch is shown, as the handler of the library's {@link FetchEvent}s: on a terminal one live
 * line per active download and a total with bytes and rate; otherwise a plain line per package;
 * {@code --quiet} nothing ({@code --json} is {@link JsonEvents}). Failures are not printed as they
 * happen but once, in the error that ends the fetch. Events come from eight download threads at
 * once: each mode prints under its own lock.
 */
abstract class FetchProgress implements Consumer<FetchEvent>, AutoCloseable {
    enum Mode { LIVE, PLAIN, QUIET }

    static FetchProgress of(Mode mode, PrintWriter out) {
        return switch (mode) {
            case LIVE -> new Live(out);
            case PLAIN -> new Plain(out);
            case QUIET -> new FetchProgress() {
            };
        };
    }

    @Override
    public void accept(FetchEvent e) {
        if (e instanceof FetchEvent.Planned p) {
            planned(p.packages(), p.bytes());
        } else if (e instanceof FetchEvent.Started s) {
            started(s.download(), s.url());
        } else if (e instanceof FetchEvent.Progress p) {
            progress(p.download(), p.bytes());
        } else if (e instanceof FetchEvent.Retrying r) {
            retrying(r.download(), r.url(), r.why());
        } else if (e instanceof FetchEvent.Damaged d) {
            damaged(d.download(), d.found());
        } else if (e instanceof FetchEvent.Finished f) {
            finished(f.download(), f.alreadyPresent());
        } else if (e instanceof FetchEvent.Failed f) {
            failed(f.download(), f.why());
        }
    }

    void planned(int total, long totalBytes) {
    }

    void started(FetchEvent.Download d, URI url) {
    }

    void progress(FetchEvent.Download d, long bytes) {
    }

    void retrying(FetchEvent.Download d, URI url, String why) {
    }

    void damaged(FetchEvent.Download d, String found) {
    }

    void finished(FetchEvent.Download d, boolean alreadyPresent) {
    }

    void failed(FetchEvent.Download d, String why) {
    }

    @Override
    public void close() {
    }

    /** A blob the store held under a package's sha256 with other bytes: said once, with what happens next. */
    static String damagedLine(FetchEvent.Download d, String found) {
        return "the store's copy of " + d.name() + " (" + d.sha256() + ") held other bytes (" + found
                + "); removed it from the store";
    }

    static String mb(long bytes) {
        return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
    }

    /** The hex of a {@code sha256:...} digest. */
    static String hex(String digest) {
        return digest.substring(digest.indexOf(':') + 1);
    }

    private static final class Plain extends FetchProgress {
        private final PrintWriter out;
        private final Set<String> retried = new HashSet<>();

        Plain(PrintWriter out) {
            this.out = out;
        }

        @Override
        synchronized void finished(FetchEvent.Download d, boolean alreadyPresent) {
            if (!alreadyPresent) {
                out.println("fetched " + d.name() + " (" + mb(d.size()) + ")");
            }
        }

        /** Once per host and reason: a dead mirror makes every file retry for the same reason. */
        @Override
        synchronized void retrying(FetchEvent.Download d, URI url, String why) {
            if (retried.add(url.getHost() + ":" + url.getPort() + " " + why)) {
                out.println("retrying " + d.name() + " from " + url + ": " + why);
            }
        }

        @Override
        synchronized void damaged(FetchEvent.Download d, String found) {
            out.println(damagedLine(d, found));
        }
    }

    /** Redraws a block of lines in place with ANSI cursor movement, at most ten times a second. */
    private static final class Live extends FetchProgress {
        private final PrintWriter out;
        private int total;
        private long totalBytes;
        private final Map<FetchEvent.Download, Long> active = new LinkedHashMap<>();
        private int done;
        private long doneBytes;
        private final long start = System.nanoTime();
        private long lastDraw;
        private int drawn;

        Live(PrintWriter out) {
            this.out = out;
        }

        @Override
        synchronized void planned(int total, long totalBytes) {
            this.total = total;
            this.totalBytes = totalBytes;
        }

        @Override
        synchronized void started(FetchEvent.Download d, URI url) {
            active.put(d, 0L);
            draw(false);
        }

        @Override
        synchronized void progress(FetchEvent.Download d, long bytes) {
            active.put(d, bytes);
            draw(false);
        }

        @Override
        synchronized void finished(FetchEvent.Download d, boolean alreadyPresent) {
            active.remove(d);
            done++;
            doneBytes += d.size();
            draw(false);
        }

        @Override
        synchronized void failed(FetchEvent.Download d, String why) {
            active.remove(d);
            draw(true);
        }

        @Override
        synchronized void damaged(FetchEvent.Download d, String found) {
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
            for (Map.Entry<FetchEvent.Download, Long> e : active.entrySet()) {
                inFlight += e.getValue();
                if (shown++ < 8) {
                    out.println("  " + e.getKey().name() + "  " + mb(e.getValue()) + " / " + mb(e.getKey().size()));
                    drawn++;
                }
            }
            long bytes = doneBytes + inFlight;
            double secs = Math.max(1e-3, (now - start) / 1e9);
            out.println(String.format(Locale.ROOT, "fetched %d/%d packages, %s / %s, %.1f MB/s",
                    done, total, mb(bytes), mb(totalBytes), bytes / 1e6 / secs));
            drawn++;
            out.flush();
        }

        @Override
        public synchronized void close() {
            draw(true);
        }
    }
}
