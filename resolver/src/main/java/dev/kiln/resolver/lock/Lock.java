package dev.kiln.resolver.lock;

import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * An image's resolved inputs: every package of every architecture pinned by sha256, and the signed
 * Releases they were chosen from. It names no host, so it works with any mirror.
 */
public record Lock(
        int lockVersion,
        Spec spec,
        List<Repository> repositories,
        Options options,
        SortedMap<String, List<Package>> archs) {

    public static final int VERSION = 1;

    public Lock {
        repositories = List.copyOf(repositories);
        archs = java.util.Collections.unmodifiableSortedMap(new TreeMap<>(archs));
    }

    /** The spec the lock was made from: its path relative to the lock, and its digest. */
    public record Spec(String path, Digest digest) {
    }

    /**
     * A repository as the spec writes it, with what its verified Release said when the lock was made.
     *
     * @param release sha256 of the InRelease (or Release) bytes
     * @param signedBy primary-key fingerprints of its good signatures
     */
    public record Repository(String line, Digest release, Instant date, Optional<Instant> validUntil, List<String> signedBy) {
        public Repository {
            signedBy = List.copyOf(signedBy);
        }
    }

    /** How far the closure reached: what the spec excluded or chose not to follow. */
    public record Options(Set<String> exclude, Map<String, Set<String>> skipDependencies, boolean recommends) {
        public Options {
            exclude = Set.copyOf(exclude);
            skipDependencies = Map.copyOf(skipDependencies);
        }
    }

    /**
     * One pinned package.
     *
     * @param path the pool path relative to the repository root ({@code pool/main/...deb})
     * @param repository the index in {@link Lock#repositories()} of the repository it comes from
     */
    public record Package(String name, String version, String architecture, String source, String path,
                          long size, Digest sha256, int repository) {
    }

    public List<Package> packages(String arch) {
        return archs.getOrDefault(arch, List.of());
    }

    /** Every package of every architecture, each distinct file once. */
    public List<Package> allPackages() {
        Map<Digest, Package> byDigest = new TreeMap<>();
        for (List<Package> ps : archs.values()) {
            for (Package p : ps) {
                byDigest.putIfAbsent(p.sha256(), p);
            }
        }
        return new ArrayList<>(byDigest.values());
    }
}
