package dev.kiln.api;

import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.oci.registry.RegistryListener;
import dev.kiln.store.Digest;
import dev.kiln.store.PhaseListener;
import dev.kiln.store.StoreListener;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;

/**
 * The handlers a {@link Kiln} was given, by event type, and the listeners of the modules below
 * that turn what they hear into events. Fixed when the Kiln opens, so delivery needs no lock.
 */
final class Events {
    /** A handler and the type of event it takes. */
    record Handler<E extends KilnEvent>(Class<E> type, Consumer<? super E> consumer) {
        void offer(KilnEvent e) {
            if (type.isInstance(e)) {
                consumer.accept(type.cast(e));
            }
        }
    }

    private final List<Handler<?>> handlers;
    private final long opened = System.nanoTime();

    Events(List<Handler<?>> handlers) {
        this.handlers = List.copyOf(handlers);
    }

    void emit(KilnEvent e) {
        for (Handler<?> h : handlers) {
            h.offer(e);
        }
    }

    /** Whether any handler takes events of {@code type} (so that none are made for nobody). */
    boolean wants(Class<? extends KilnEvent> type) {
        for (Handler<?> h : handlers) {
            if (h.type().isAssignableFrom(type) || type.isAssignableFrom(h.type())) {
                return true;
            }
        }
        return false;
    }

    void phase(String name) {
        if (!handlers.isEmpty()) {
            emit(new PhaseEvent(name, Duration.ofNanos(System.nanoTime() - opened)));
        }
    }

    PhaseListener phases() {
        return wants(PhaseEvent.class) ? this::phase : PhaseListener.NONE;
    }

    StoreListener store() {
        if (!wants(StoreEvent.class)) {
            return StoreListener.NONE;
        }
        return new StoreListener() {
            @Override
            public void waiting(String why) {
                emit(new StoreEvent.Waiting(why));
            }

            @Override
            public void removed(Digest name, Digest found) {
                emit(new StoreEvent.DamagedBlobRemoved(name.toString(), found.toString()));
            }
        };
    }

    RegistryListener registry() {
        if (!wants(RegistryWaitEvent.class)) {
            return RegistryListener.NONE;
        }
        return w -> emit(new RegistryWaitEvent(w.registry(), w.operation(), w.reason(), w.kind() == RegistryListener.Waiting.Kind.RETRY,
                w.attempt(), w.attempts(), w.maxWait(), w.message()));
    }

    dev.kiln.cache.CacheListener cache() {
        if (!wants(CacheEvent.class)) {
            return dev.kiln.cache.CacheListener.NONE;
        }
        return new dev.kiln.cache.CacheListener() {
            @Override
            public void hit(String step, Digest digest, long size) {
                emit(new CacheEvent.Hit(step, digest.toString(), size));
            }

            @Override
            public void miss(String step, Digest key, boolean refused, String why) {
                emit(new CacheEvent.Miss(step, key.toString(), refused, why));
            }

            @Override
            public void pushed(int entries, int blobs, long bytes) {
                emit(new CacheEvent.Pushed(entries, blobs, bytes));
            }

            @Override
            public void unavailable(String registry, String why) {
                emit(new CacheEvent.Unavailable(registry, why));
            }
        };
    }

    FetchListener fetch() {
        if (!wants(FetchEvent.class)) {
            return FetchListener.NONE;
        }
        return new FetchListener() {
            @Override
            public void started(Download d, URI url) {
                emit(new FetchEvent.Started(of(d), url));
            }

            @Override
            public void progress(Download d, long bytesSoFar) {
                emit(new FetchEvent.Progress(of(d), bytesSoFar));
            }

            @Override
            public void retrying(Download d, URI url, String why) {
                emit(new FetchEvent.Retrying(of(d), url, why));
            }

            @Override
            public void finished(Download d, boolean alreadyPresent) {
                emit(new FetchEvent.Finished(of(d), alreadyPresent));
            }

            @Override
            public void damaged(Download d, Digest found) {
                emit(new FetchEvent.Damaged(of(d), found.toString()));
            }

            @Override
            public void failed(Download d, String why) {
                emit(new FetchEvent.Failed(of(d), why));
            }
        };
    }

    private static FetchEvent.Download of(Download d) {
        return new FetchEvent.Download(d.name(), d.sha256().toString(), d.size());
    }
}
