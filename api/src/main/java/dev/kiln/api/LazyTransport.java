package dev.kiln.api;

import dev.kiln.fetcher.Transport;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.function.Supplier;

/**
 * A transport that is built on a spare thread while the command parses its inputs, and waited for
 * on the first request: start-up of the HTTP stack and name lookups of the mirrors overlap with the
 * rest of start-up instead of preceding the first download.
 */
final class LazyTransport implements Transport {
    private final CompletableFuture<Transport> delegate;

    LazyTransport(Supplier<? extends Transport> factory, Collection<String> hostsToResolve) {
        this.delegate = Background.start("kiln-http-init", () -> {
            for (String host : hostsToResolve) {
                try {
                    InetAddress.getAllByName(host); // warms the JVM's name cache
                } catch (UnknownHostException | SecurityException ignored) {
                    // the request itself reports what is wrong
                }
            }
            return factory.get();
        });
    }

    private Transport delegate() {
        return Background.join(delegate);
    }

    @Override
    public Body get(URI uri) {
        return delegate().get(uri);
    }

    @Override
    public Body get(URI uri, long fromByte) {
        return delegate().get(uri, fromByte);
    }

    @Override
    public void close() throws IOException {
        delegate().close();
    }
}
