package dev.kiln.oci.registry;

import java.time.Duration;
import java.util.Objects;

/**
 * How kiln speaks to registries, as a command hands it down to a {@link RegistryClient}: plain HTTP
 * or not, how long it waits, and who hears about the waits.
 *
 * @param insecure speak plain HTTP to every registry (by default only to loopback ones)
 * @param connectTimeout the longest wait for a connection
 * @param readTimeout the longest wait for an answer, or for the next bytes of one (and for a
 *     registry to take the next bytes of an upload)
 * @param maxWait the longest one operation (a blob, a manifest) waits in all, its tries and the
 *     pauses between them together: each try's timeouts are cut to what is left, and a try that would
 *     start with less than half a read timeout left is not made. A failed try counts for at most one
 *     timeout, since time spent moving bytes is not waiting: a large upload that keeps flowing is
 *     never cut off
 * @param listener told what kiln waits for while it waits
 */
public record RegistryOptions(boolean insecure, Duration connectTimeout, Duration readTimeout, Duration maxWait,
        RegistryListener listener) {
    public static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration READ_TIMEOUT = Duration.ofSeconds(30);
    public static final Duration MAX_WAIT = READ_TIMEOUT.multipliedBy(2);
    /** HTTPS (plain HTTP to loopback), 15 s to connect, 30 s for an answer, 60 s per operation, nobody told. */
    public static final RegistryOptions DEFAULT = new RegistryOptions(false, CONNECT_TIMEOUT, READ_TIMEOUT, MAX_WAIT,
            RegistryListener.NONE);

    public RegistryOptions {
        positive(connectTimeout, "connectTimeout");
        positive(readTimeout, "readTimeout");
        positive(maxWait, "maxWait");
        Objects.requireNonNull(listener, "listener");
    }

    private static void positive(Duration d, String name) {
        Objects.requireNonNull(d, name);
        if (d.toMillis() < 1) {
            throw new IllegalArgumentException(name + " must be at least 1 ms, found " + d);
        }
    }

    public RegistryOptions withInsecure(boolean b) {
        return new RegistryOptions(b, connectTimeout, readTimeout, maxWait, listener);
    }

    public RegistryOptions withListener(RegistryListener l) {
        return new RegistryOptions(insecure, connectTimeout, readTimeout, maxWait, l);
    }

    public RegistryOptions withTimeouts(Duration connect, Duration read, Duration max) {
        return new RegistryOptions(insecure, connect, read, max, listener);
    }

    /** Answers awaited at most {@code read} (a connection no longer than 15 s), an operation twice that in all. */
    public RegistryOptions withTimeout(Duration read) {
        Objects.requireNonNull(read, "read");
        Duration connect = read.compareTo(CONNECT_TIMEOUT) < 0 ? read : CONNECT_TIMEOUT;
        return withTimeouts(connect, read, read.multipliedBy(2));
    }
}
