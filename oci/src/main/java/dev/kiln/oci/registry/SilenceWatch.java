package dev.kiln.oci.registry;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import okhttp3.Call;
import okhttp3.EventListener;
import okhttp3.Request;

/**
 * Tells the {@link RegistryListener} when a registry has not begun to answer a request a third of
 * the read timeout after it was sent (after its body, if it has one), so that a silent registry is
 * named long before the try times out. Only requests sent for a {@link Retrying.Attempt} (their
 * tag) are watched; a silence in the middle of a response is told when its try fails.
 */
final class SilenceWatch extends EventListener {
    private final ScheduledExecutorService timer;
    private final RegistryOptions options;
    private final Retrying.Attempt attempt;
    private ScheduledFuture<?> pending;

    private SilenceWatch(ScheduledExecutorService timer, RegistryOptions options, Retrying.Attempt attempt) {
        this.timer = timer;
        this.options = options;
        this.attempt = attempt;
    }

    /** Watches the calls of {@link Retrying.Attempt}s, on {@code timer}. */
    static EventListener.Factory factory(ScheduledExecutorService timer, RegistryOptions options) {
        return call -> {
            Retrying.Attempt attempt = call.request().tag(Retrying.Attempt.class);
            return attempt == null ? EventListener.NONE : new SilenceWatch(timer, options, attempt);
        };
    }

    @Override
    public void requestHeadersEnd(Call call, Request request) {
        if (request.body() == null) {
            start();
        }
    }

    @Override
    public void requestBodyEnd(Call call, long byteCount) {
        start();
    }

    @Override
    public void responseHeadersStart(Call call) {
        stop();
    }

    @Override
    public void responseFailed(Call call, IOException ioe) {
        stop();
    }

    @Override
    public void requestFailed(Call call, IOException ioe) {
        stop();
    }

    @Override
    public void callEnd(Call call) {
        stop();
    }

    @Override
    public void callFailed(Call call, IOException ioe) {
        stop();
    }

    @Override
    public void canceled(Call call) {
        stop();
    }

    private synchronized void start() {
        stop();
        long ms = Math.max(1, options.readTimeout().dividedBy(3).toMillis());
        if (ms >= attempt.read().toMillis()) {
            return; // a try cut short by the max wait times out first and says so
        }
        RegistryListener.Waiting waiting = new RegistryListener.Waiting(RegistryListener.Waiting.Kind.SILENT,
                attempt.registry(), attempt.operation(), "no answer for " + Retrying.seconds(Duration.ofMillis(ms)),
                attempt.number(), Retrying.ATTEMPTS, options.maxWait());
        pending = timer.schedule(() -> options.listener().waiting(waiting), ms, TimeUnit.MILLISECONDS);
    }

    private synchronized void stop() {
        if (pending != null) {
            pending.cancel(false);
            pending = null;
        }
    }
}
