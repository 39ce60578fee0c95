package dev.kiln.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A store shared through a repository of an OCI registry ({@code HOST[:PORT]/REPO}): before kiln
 * fetches a locked package, unpacks a {@code .deb}, compresses a layer or builds a recipe, it looks
 * there. Package blobs are read by the sha256 the lock pins and need no further trust; memo entries
 * (an unpacked package, a layer, a parsed index, a control file, a recipe build) are read only when
 * signed by one of the {@linkplain #trusting trusted keys} (none: blobs only). With a
 * {@linkplain #pushingWith push key}, what a command made is sent there, signed, after it succeeded.
 * A cache that is down, slow or lying is a miss: a {@link CacheEvent}, never an error.
 */
public final class SharedCache {
    private final String repository;
    private final List<Path> trusted;
    private final Path pushKey;

    private SharedCache(String repository, List<Path> trusted, Path pushKey) {
        this.repository = repository;
        this.trusted = List.copyOf(trusted);
        this.pushKey = pushKey;
    }

    /**
     * A cache in {@code repository} ({@code HOST[:PORT]/REPO}, e.g. {@code registry.example/kiln/cache}), read only for blobs.
     *
     * @throws dev.kiln.cache.CacheException {@code cache.reference} when it is not a repository (a tag, a digest, no registry)
     */
    public static SharedCache of(String repository) {
        dev.kiln.cache.RegistryStore.repository(Objects.requireNonNull(repository, "repository"));
        return new SharedCache(repository, List.of(), null);
    }

    /** This cache, also trusting memo entries signed by the ECDSA P-256 public key in {@code publicKey} (PEM). */
    public SharedCache trusting(Path publicKey) {
        List<Path> more = new ArrayList<>(trusted);
        more.add(Objects.requireNonNull(publicKey, "publicKey"));
        return new SharedCache(repository, more, pushKey);
    }

    /**
     * This cache, sending what a command made (entries signed by the unencrypted P-256 private key
     * in {@code privateKey}, as {@code kiln keys generate} writes it) after the command succeeded.
     */
    public SharedCache pushingWith(Path privateKey) {
        return new SharedCache(repository, trusted, Objects.requireNonNull(privateKey, "privateKey"));
    }

    /** The repository, {@code HOST[:PORT]/REPO}. */
    public String repository() {
        return repository;
    }

    /** The public keys whose entries are read. */
    public List<Path> trusted() {
        return trusted;
    }

    /** The key entries are signed with when pushing; empty when nothing is pushed. */
    public Optional<Path> pushKey() {
        return Optional.ofNullable(pushKey);
    }

    @Override
    public String toString() {
        return "SharedCache[" + repository + ", " + trusted.size() + " trusted keys" + (pushKey != null ? ", pushing" : "") + "]";
    }
}
