package dev.kiln.oci.registry;

import dev.kiln.store.Network;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.OkHttpClient;

/**
 * Runs one registry operation (a blob, a manifest) with its tries, holding it to
 * {@link RegistryOptions#maxWait}. A try that fails for a reason that may pass (no connection, a
 * timeout, HTTP 5xx, 429, 408) is made again after a pause, at most {@link #ATTEMPTS} tries, while
 * the time waited so far leaves at least half a read timeout; each try's timeouts are cut to what
 * is left, so a registry that never answers costs at most {@code maxWait}. A failed try counts for
 * at most one timeout: time it spent before that moved bytes, it was not waiting.
 */
final class Retrying {
    static final int ATTEMPTS = Network.ATTEMPTS;
    /** The pause after the first failed try; it doubles after each further one. */
    static final Duration PAUSE = Duration.ofMillis(100);

    /** The work of one try; it sends its requests with {@link Attempt#http()}. */
    @FunctionalInterface
    interface Work<T> {
        T run(Attempt attempt) throws IOException;
    }

    /**
     * Try {@code number} of {@code operation} on {@code registry}, with an HTTP client whose
     * timeouts ({@code connect}, {@code read}) fit in what is left of the operation's wait.
     */
    record Attempt(String registry, String operation, int number, OkHttpClient http, Duration connect, Duration read) {
        /** The longest this try can have waited on a silent registry before it failed. */
        Duration longestWait() {
            return connect.compareTo(read) > 0 ? connect : read;
        }

        /** A failure to talk to the registry, in words that say how long was waited. */
        String why(IOException e) {
            String msg = String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT);
            if (e instanceof SocketTimeoutException || e instanceof InterruptedIOException && msg.equals("timeout")) {
                return msg.contains("connect") ? "no connection within " + seconds(connect)
                        : "no answer for " + seconds(read);
            }
            return Network.describe(e);
        }
    }

    private final OkHttpClient http;
    private final RegistryOptions options;
    /** What to do when an operation gave up, for the registry it was on. */
    private final Function<ImageReference, String> advice;

    Retrying(OkHttpClient http, RegistryOptions options, Function<ImageReference, String> advice) {
        this.http = http;
        this.options = options;
        this.advice = advice;
    }

    <T> T run(ImageReference repo, String what, Work<T> work) {
        String operation = repo.repository() + ": " + what;
        long began = System.nanoTime();
        Duration waited = Duration.ZERO;
        RegistryException.Transient last;
        int number = 0;
        while (true) {
            number++;
            Attempt attempt = attempt(repo.registry(), operation, number, options.maxWait().minus(waited));
            long start = System.nanoTime();
            try {
                return work.run(attempt);
            } catch (RegistryException.Transient e) {
                last = e;
            } catch (IOException e) {
                String why = attempt.why(e);
                last = new RegistryException.Transient(repo.registry() + " (repository " + repo.repository() + "): "
                        + what + ": " + why, why, e);
            }
            waited = waited.plus(min(since(start), attempt.longestWait()));
            Duration pause = PAUSE.multipliedBy(1L << (number - 1));
            Duration left = options.maxWait().minus(waited).minus(pause);
            if (number == ATTEMPTS || left.compareTo(options.readTimeout().dividedBy(2)) < 0) {
                break;
            }
            options.listener().waiting(new RegistryListener.Waiting(RegistryListener.Waiting.Kind.RETRY, repo.registry(),
                    operation, last.reason(), number + 1, ATTEMPTS, options.maxWait()));
            long paused = System.nanoTime();
            pause(pause);
            waited = waited.plus(since(paused));
        }
        throw new RegistryException(RegistryException.Kind.UNAVAILABLE,
                last.getMessage() + " (tried " + number + (number == 1 ? " time" : " times") + " in "
                + seconds(since(began)) + "; kiln waits " + seconds(options.readTimeout())
                + " for an answer and " + seconds(options.maxWait()) + " for one operation in all)"
                + "\n  fix: " + advice.apply(repo), last);
    }

    /** A try whose connect and read timeouts are cut to {@code left} where it is shorter. */
    private Attempt attempt(String registry, String operation, int number, Duration left) {
        // okhttp reads a timeout of 0 as none at all
        Duration atLeast = left.toMillis() < 1 ? Duration.ofMillis(1) : left;
        Duration connect = min(options.connectTimeout(), atLeast);
        Duration read = min(options.readTimeout(), atLeast);
        OkHttpClient client = connect.equals(options.connectTimeout()) && read.equals(options.readTimeout()) ? http
                : http.newBuilder()
                        .connectTimeout(connect.toMillis(), TimeUnit.MILLISECONDS)
                        .readTimeout(read.toMillis(), TimeUnit.MILLISECONDS)
                        .writeTimeout(read.toMillis(), TimeUnit.MILLISECONDS)
                        .build();
        return new Attempt(registry, operation, number, client, connect, read);
    }

    /** {@code 30 s}, {@code 29.9 s} or {@code 300 ms}. */
    static String seconds(Duration d) {
        long ms = d.toMillis();
        if (ms < 1000) {
            return ms + " ms";
        }
        return ms % 1000 == 0 ? ms / 1000 + " s" : String.format(Locale.ROOT, "%.1f s", ms / 1000.0);
    }

    private static void pause(Duration d) {
        try {
            // the pause between tries of a failed request, not test synchronisation
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new RegistryException("interrupted while waiting to try the registry again");
        }
    }

    private static Duration since(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos);
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }
}
