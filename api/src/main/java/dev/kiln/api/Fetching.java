package dev.kiln.api;

import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.resolver.lock.Lock;
import java.nio.file.Path;
import java.util.List;

/** Bringing what a lock pins into the store. */
final class Fetching {
    private Fetching() {
    }

    static FetchResult fetch(Session s, FetchRequest request) {
        Lock lock = Locking.read(request.lockFile());
        s.events.phase("lock read");
        return fetch(s, request.lockFile(), lock, request.mode() == LockMode.OFFLINE);
    }

    /** Fetches what {@code lock} pins (the lock in hand, not read again) and registers {@code lockFile} as a root. */
    static FetchResult fetch(Session s, Path lockFile, Lock lock, boolean offline) {
        List<Download> downloads = LockDownloads.of(lock, s.mirrors);
        if (s.events.wants(FetchEvent.Planned.class)) {
            s.events.emit(new FetchEvent.Planned(downloads.size(), downloads.stream().mapToLong(Download::size).sum()));
        }
        dev.kiln.fetcher.FetchResult r = new Fetcher(s.transport, s.store(), Fetcher.DEFAULT_CONCURRENCY, s.events.fetch())
                .withOffline(offline).fetch(downloads);
        s.store().addRoot(lockFile.toAbsolutePath());
        return new FetchResult(r.fetched(), r.bytesFetched(), r.alreadyPresent(), r.bytesAlreadyPresent(), r.elapsed());
    }
}
