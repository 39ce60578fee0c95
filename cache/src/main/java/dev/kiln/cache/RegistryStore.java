package dev.kiln.cache;

import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.ManifestContent;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryException;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import dev.kiln.store.MemoStep;
import dev.kiln.store.RemoteStore;
import dev.kiln.store.StoreException;
import dev.kiln.trust.Dsse;
import dev.kiln.trust.SigningKey;
import dev.kiln.trust.VerificationKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A store shared through a repository of an OCI registry. Blobs are kept by their sha256 and read
 * by it, hashed as they stream into the local store (a blob a lock pins needs nothing more). Memo
 * entries ({@link MemoEntry}) are read only with trusted keys, and an entry counts only when its
 * envelope verifies under one of them, its statement names kiln's format, exactly the step and key
 * asked for, its layers are exactly the statement's blobs, and every blob's bytes match: anything
 * else is a miss the {@link CacheListener} hears as a warning. A registry that cannot be had (no
 * answer, an error, a refusal) is told once and asked no more in this session; nothing here throws
 * for it.
 */
public final class RegistryStore implements RemoteStore, AutoCloseable {
    /** The largest envelope read (a statement lists a few blobs). */
    static final long MAX_ENVELOPE = 1 << 20;

    private final RegistryClient client;
    private final ImageReference repo;
    private final List<VerificationKey> trusted;
    private final Optional<SigningKey> pushKey;
    private final CacheListener listener;
    private final AtomicBoolean down = new AtomicBoolean();
    /** The entries this session found missing or refused: not asked for, or warned about, twice. */
    private final java.util.Set<String> missed = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * A cache in {@code repo} (its registry and repository; no tag or digest) read through
     * {@code client}, memo entries trusted when signed by one of {@code trusted} (none: blobs only),
     * pushed signed by {@code pushKey} when there is one.
     */
    public RegistryStore(RegistryClient client, ImageReference repo, List<VerificationKey> trusted, Optional<SigningKey> pushKey,
            CacheListener listener) {
        this.client = Objects.requireNonNull(client, "client");
        this.repo = Objects.requireNonNull(repo, "repo");
        this.trusted = List.copyOf(trusted);
        this.pushKey = Objects.requireNonNull(pushKey, "pushKey");
        this.listener = Objects.requireNonNull(listener, "listener");
    }

    /** {@code HOST[:PORT]/REPO} as a repository reference; a tag or digest is refused. */
    public static ImageReference repository(String text) {
        ImageReference r;
        try {
            r = ImageReference.parse(text);
        } catch (RegistryException e) {
            throw new CacheException(CacheException.Kind.REFERENCE, "the cache '" + text + "' is not a registry repository: "
                    + e.description() + "\n  fix: name a repository as HOST[:PORT]/REPO, e.g. registry.example:5000/kiln/cache");
        }
        if (r.tag().isPresent() || r.digest().isPresent() || !text.contains("/")) {
            throw new CacheException(CacheException.Kind.REFERENCE, "the cache '" + text + "' names a tag or digest, or no registry;"
                    + " expected a repository HOST[:PORT]/REPO (kiln tags the entries itself)"
                    + "\n  fix: name a repository as HOST[:PORT]/REPO, e.g. registry.example:5000/kiln/cache");
        }
        return r;
    }

    /** Whether entries made here are sent to the cache ({@link #push}). */
    public boolean pushes() {
        return pushKey.isPresent();
    }

    @Override
    public boolean fetchBlob(ContentStore local, Digest digest, long size) {
        if (down.get()) {
            return false;
        }
        try {
            fetch(local, new MemoEntry.Blob(digest, size));
            listener.hit("", digest, size);
            return true;
        } catch (RegistryException e) {
            if (!notFound(e)) {
                unavailable(e);
            }
            return false;
        } catch (Refused e) {
            listener.miss("", digest, true, e.getMessage());
            return false;
        }
    }

    @Override
    public Optional<Digest> memo(ContentStore local, MemoStep step, Digest key, java.util.function.Function<byte[], java.util.Set<Digest>> later) {
        if (trusted.isEmpty() || down.get() || !step.shared() || missed.contains(step.id() + " " + key)) {
            return Optional.empty();
        }
        Optional<Digest> found = lookUp(local, step, key, later);
        if (found.isEmpty()) {
            missed.add(step.id() + " " + key);
        }
        return found;
    }

    private Optional<Digest> lookUp(ContentStore local, MemoStep step, Digest key,
            java.util.function.Function<byte[], java.util.Set<Digest>> later) {
        ManifestContent m;
        try {
            m = client.getManifest(new ImageReference(repo.registry(), repo.repository(), Optional.of(MemoEntry.tag(step, key)),
                    Optional.empty()));
        } catch (RegistryException e) {
            if (notFound(e)) {
                listener.miss(step.id(), key, false, "no entry");
            } else {
                unavailable(e);
            }
            return Optional.empty();
        }
        try {
            MemoEntry.Statement s = accepted(m, step, key);
            long bytes = fetch(local, s.value());
            java.util.Set<Digest> left = s.value().size() > MAX_ENVELOPE ? java.util.Set.of() : later.apply(local.read(s.value().digest()));
            for (MemoEntry.Blob b : s.blobs()) {
                if (!b.equals(s.value()) && !left.contains(b.digest())) {
                    bytes += fetch(local, b);
                }
            }
            local.putMemoFetched(step, key, s.value().digest());
            listener.hit(step.id(), s.value().digest(), bytes);
            return Optional.of(s.value().digest());
        } catch (Refused e) {
            listener.miss(step.id(), key, true, e.getMessage());
            return Optional.empty();
        } catch (RegistryException e) {
            if (notFound(e)) {
                listener.miss(step.id(), key, true, "a blob of the entry is gone: " + e.getMessage());
            } else {
                unavailable(e);
            }
            return Optional.empty();
        }
    }

    /** The entry's statement, if it holds: signed by a trusted key, for this step and key, its layers its blobs. */
    private MemoEntry.Statement accepted(ManifestContent m, MemoStep step, Digest key) throws Refused {
        MemoEntry.Parsed parsed;
        MemoEntry.Statement s;
        try {
            parsed = MemoEntry.parseManifest(m.bytes());
            if (parsed.config().size() > MAX_ENVELOPE) {
                throw new Refused("its envelope has " + parsed.config().size() + " bytes, more than " + MAX_ENVELOPE);
            }
            Dsse.Envelope envelope = Dsse.parse(client.getBlob(repo, parsed.config().digest(), parsed.config().size()));
            if (Dsse.signer(envelope, MemoEntry.PAYLOAD_TYPE, trusted) == null) {
                throw new Refused("not signed by a trusted key");
            }
            s = MemoEntry.Statement.parse(envelope.payload());
        } catch (IllegalArgumentException e) {
            throw new Refused("not a kiln memo entry: " + e.getMessage());
        } catch (RegistryException e) {
            if (e.code().equals(RegistryException.Kind.WRONG_BYTES.code())) {
                throw new Refused("its envelope has other bytes than its digest: " + e.getMessage());
            }
            throw e;
        }
        if (!s.format().equals(MemoEntry.FORMAT)) {
            throw new Refused("its format is " + s.format() + ", expected " + MemoEntry.FORMAT);
        }
        if (!s.step().equals(step.id()) || !s.key().equals(key)) {
            throw new Refused("it is signed for " + s.step() + " " + s.key().shortHex() + ", asked for " + step.id() + " "
                    + key.shortHex() + " (a moved tag)");
        }
        if (!parsed.layers().equals(s.blobs())) {
            throw new Refused("its layers are not the blobs its statement names");
        }
        return s;
    }

    /** Brings {@code b} into the local store unless there, hashed as it streams; the bytes read. */
    private long fetch(ContentStore local, MemoEntry.Blob b) throws Refused {
        if (local.contains(b.digest())) {
            return 0;
        }
        try {
            client.readBlob(repo, b.digest(), in -> local.put(in, b.digest(), b.size()));
            return b.size();
        } catch (StoreException e) {
            if (e.code().equals(StoreException.Kind.MISMATCH.code())) {
                throw new Refused("blob " + b.digest().shortHex() + " has other bytes: " + e.getMessage());
            }
            throw e;
        }
    }

    /** What a push sent: memo entries, blobs uploaded (and their bytes); {@code failure} says why it stopped, if it did. */
    public record Pushed(int entries, int blobs, long bytes, Optional<String> failure) {
    }

    /**
     * Sends the memos {@code made} (this session's, after it succeeded) with their blobs from
     * {@code local}, each entry signed, then the blobs {@code alone} (package blobs no entry
     * lists); blobs the registry has are not uploaded again. Nothing without a push key; a registry
     * that refuses is told once and the rest given up.
     */
    public Pushed push(ContentStore local, List<Made> made, List<Digest> alone) {
        if (pushKey.isEmpty() || made.isEmpty() && alone.isEmpty()) {
            return new Pushed(0, 0, 0, Optional.empty());
        }
        if (down.get()) {
            return new Pushed(0, 0, 0, Optional.of("the cache was not reachable earlier in this run"));
        }
        Map<String, Made> unique = new LinkedHashMap<>();
        made.forEach(m -> unique.putIfAbsent(m.step().id() + " " + m.key(), m));
        int entries = 0;
        int blobs = 0;
        long bytes = 0;
        Optional<String> failure = Optional.empty();
        try {
            for (Made m : unique.values()) {
                List<MemoEntry.Blob> listed = new ArrayList<>();
                List<Path> files = new ArrayList<>();
                List<Digest> all = new ArrayList<>();
                all.add(m.value());
                all.addAll(m.blobs());
                for (Digest d : all) {
                    Optional<Path> p = local.blob(d);
                    if (p.isEmpty()) {
                        break;
                    }
                    files.add(p.get());
                    listed.add(new MemoEntry.Blob(d, Files.size(p.get())));
                }
                if (listed.size() != all.size()) {
                    continue; // gone from the store meanwhile: nothing to vouch for
                }
                for (int i = 0; i < listed.size(); i++) {
                    if (client.putBlob(repo, listed.get(i).digest(), listed.get(i).size(), files.get(i))) {
                        blobs++;
                        bytes += listed.get(i).size();
                    }
                }
                MemoEntry.Statement s = new MemoEntry.Statement(MemoEntry.FORMAT, m.step().id(), m.key(), listed);
                byte[] envelope = Dsse.sign(s.json(), MemoEntry.PAYLOAD_TYPE, pushKey.get()).json();
                client.putBlob(repo, envelope);
                byte[] manifest = MemoEntry.manifest(new MemoEntry.Blob(Digest.of(envelope), envelope.length), s);
                client.putManifest(repo, MemoEntry.tag(m.step(), m.key()), MemoEntry.MANIFEST_MEDIA_TYPE, manifest);
                entries++;
            }
            for (Digest d : alone) {
                Optional<Path> p = local.blob(d);
                if (p.isPresent()) {
                    long size = Files.size(p.get());
                    if (client.putBlob(repo, d, size, p.get())) {
                        blobs++;
                        bytes += size;
                    }
                }
            }
        } catch (KilnException e) {
            failure = Optional.of(unavailable(e));
        } catch (IOException e) {
            failure = Optional.of(unavailable(new StoreException("cannot read a blob to push: " + e.getMessage(), e)));
        }
        listener.pushed(entries, blobs, bytes);
        return new Pushed(entries, blobs, bytes, failure);
    }

    /** Whether the registry answered that it has no such manifest or blob (a miss, not a cache that is down). */
    private static boolean notFound(RegistryException e) {
        return e.code().equals(RegistryException.Kind.NOT_FOUND.code());
    }

    /** Marks the cache down for this session, telling the listener the first time; returns why. */
    private String unavailable(KilnException e) {
        String first = e.getMessage().lines().findFirst().orElse(e.getMessage());
        if (down.compareAndSet(false, true)) {
            listener.unavailable(repo.registry() + "/" + repo.repository(), first);
        }
        return first;
    }

    /** Closes the registry client. */
    @Override
    public void close() {
        client.close();
    }

    /** An entry or blob the cache offered that is not what was asked for: a miss, with why. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }
}
