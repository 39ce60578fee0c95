package dev.kiln.assembler;

import dev.kiln.fetcher.Transport;
import java.io.IOException;
import java.net.URI;
import java.util.function.Supplier;

/** A transport built on its first request, so that runs which need no network never start one. */
final class LazyTransport implements Transport {
    private final Supplier<? extends Transport> factory;
    private Transport delegate;

    LazyTransport(Supplier<? extends Transport> factory) {
        this.factory = factory;
    }

    private synchronized Transport delegate() {
        if (delegate == null) {
            delegate = factory.get();
        }
        return delegate;
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
    public synchronized void close() throws IOException {
        if (delegate != null) {
            delegate.close();
        }
    }
}
