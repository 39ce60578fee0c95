package dev.kiln.api;

import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.FetchException;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.fetcher.FileTransport;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.SourceLine;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;

/** Bringing what a lock pins into the store. */
final class Fetching {
    private Fetching() {
    }

    static FetchResult fetch(Session s, FetchRequest request) {
        Lock lock = Locking.read(request.lockFile());
        s.events.phase("lock read");
        return fetch(s, request.lockFile(), lock, request.mode() == LockMode.OFFLINE, specDir(request.lockFile(), lock));
    }

    /** The directory of the spec a lock was made from, as the lock names it (relative to the lock's directory). */
    static Path specDir(Path lockFile, Lock lock) {
        Path lockDir = lockFile.toAbsolutePath().getParent();
        try {
            Path spec = lockDir.resolve(lock.spec().path()).normalize();
            return spec.getParent() == null ? lockDir : spec.getParent();
        } catch (InvalidPathException e) {
            return lockDir;
        }
    }

    /**
     * Fetches what {@code lock} pins (the lock in hand, not read again) and registers {@code lockFile}
     * as a root; a relative {@code file:} repository is found in {@code specDir}.
     */
    static FetchResult fetch(Session s, Path lockFile, Lock lock, boolean offline, Path specDir) {
        List<Download> downloads = LockDownloads.of(lock, s.mirrors, specDir);
        if (!offline) {
            requireRepositories(s, lock, downloads, specDir);
        }
        if (s.events.wants(FetchEvent.Planned.class)) {
            s.events.emit(new FetchEvent.Planned(downloads.size(), downloads.stream().mapToLong(Download::size).sum()));
        }
        dev.kiln.fetcher.FetchResult r = new Fetcher(s.transport, s.store(), Fetcher.DEFAULT_CONCURRENCY, s.events.fetch())
                .withOffline(offline).fetch(downloads);
        s.store().addRoot(lockFile.toAbsolutePath());
        return new FetchResult(r.fetched(), r.bytesFetched(), r.alreadyPresent(), r.bytesAlreadyPresent(), r.elapsed());
    }

    /**
     * A {@code file:} repository that packages must come from must be a directory: a wrong path is
     * said as such, naming the directory, before any download (a package already in the store needs none).
     */
    private static void requireRepositories(Session s, Lock lock, List<Download> downloads, Path specDir) {
        for (Download d : downloads) {
            if (d.urls().stream().noneMatch(FileTransport::reads) || s.store().contains(d.sha256())) {
                continue;
            }
            for (Lock.Repository r : lock.repositories()) {
                SourceLine line = SourceLine.parse(r.line());
                for (URI base : line.expandAll(s.mirrors, specDir)) {
                    if (FileTransport.reads(base) && d.urls().stream().anyMatch(u -> u.toString().startsWith(base.toString()))
                            && !Files.isDirectory(SourceLine.directoryOf(base))) {
                        throw new FetchException(FetchException.Kind.NOT_FOUND, "'" + r.line() + "': no repository at "
                                + SourceLine.directoryOf(base) + " to fetch " + d.name() + " from"
                                + (line.isRelativeFile() ? "\n  the path is relative to the spec's directory, " + specDir : "")
                                + "\n  expected: a directory holding " + lockPathOf(lock, d)
                                + "\n  fix: put the repository there (or give the directory the spec was in), or fetch from"
                                + " a store that holds the packages");
                    }
                }
            }
        }
    }

    private static String lockPathOf(Lock lock, Download d) {
        return lock.allPackages().stream().filter(p -> p.sha256().equals(d.sha256())).map(Lock.Package::path).findFirst().orElse(d.name());
    }
}
