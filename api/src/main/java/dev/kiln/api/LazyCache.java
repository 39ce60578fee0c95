package dev.kiln.api;

import dev.kiln.cache.RegistryStore;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.RemoteStore;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * The shared cache, set up on a spare thread (its registry client, its keys read) while the command
 * starts, and waited for on the first miss: a warm store never waits for it, a cold one overlaps it
 * with the rest of start-up. A setup that failed (a key file that is not one) fails the first use.
 */
final class LazyCache implements RemoteStore, AutoCloseable {
    private final CompletableFuture<RegistryStore> delegate;

    LazyCache(Supplier<RegistryStore> factory) {
        this.delegate = Background.start("kiln-cache-init", factory);
    }

    /** The cache, once set up; what its setup threw, if it failed. */
    RegistryStore get() {
        return Background.join(delegate);
    }

    @Override
    public boolean fetchBlob(ContentStore local, Digest digest, long size) {
        return get().fetchBlob(local, digest, size);
    }

    @Override
    public Optional<Digest> memo(ContentStore local, MemoStep step, Digest key, Function<byte[], Set<Digest>> later) {
        return get().memo(local, step, key, later);
    }

    @Override
    public void close() {
        delegate.thenAccept(RegistryStore::close);
    }
}
