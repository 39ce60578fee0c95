package dev.kiln.api;

import dev.kiln.fetcher.Download;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.SourceLine;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a lock's pinned packages into downloads: each package's pool path under every mirror its
 * repository line expands to (in order, for failover), checked against the pinned size and sha256.
 * A {@code file:} repository's packages are read from its directory (a relative one against the
 * spec's directory), checked the same way.
 */
final class LockDownloads {
    private LockDownloads() {
    }

    static List<Download> of(Lock lock, Map<String, String> mirrors) {
        return of(lock, mirrors, null);
    }

    /** As {@link #of(Lock, Map)}, a relative {@code file:} repository found in {@code specDir} (null: none may be relative). */
    static List<Download> of(Lock lock, Map<String, String> mirrors, Path specDir) {
        List<List<URI>> bases = new ArrayList<>();
        for (Lock.Repository r : lock.repositories()) {
            bases.add(SourceLine.parse(r.line()).expandAll(mirrors, specDir));
        }
        Map<String, Download> byDigest = new LinkedHashMap<>();
        for (Map.Entry<String, List<Lock.Package>> arch : lock.archs().entrySet()) {
            for (Lock.Package p : arch.getValue()) {
                if (byDigest.containsKey(p.sha256().hex())) {
                    continue;
                }
                List<URI> urls = new ArrayList<>();
                for (URI base : bases.get(p.repository())) {
                    String b = base.toString();
                    urls.add(URI.create((b.endsWith("/") ? b : b + "/") + p.path()));
                }
                byDigest.put(p.sha256().hex(), new Download(p.name() + " " + p.version() + " " + p.architecture(),
                        urls, p.size(), p.sha256()));
            }
        }
        return List.copyOf(byDigest.values());
    }
}
