package dev.kiln.assembler;

import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.fetcher.FetchResult;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.Transport;
import dev.kiln.fetcher.pgp.TrustedKeys;
import dev.kiln.resolver.KilnHome;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.Resolver;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.resolver.spec.MirrorEnvironment;
import dev.kiln.resolver.spec.PackageRequest;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * kiln's Java API: what the CLI does, callable from a build or a test. Holds the store, the
 * transport and the trusted keys; nothing global.
 */
public final class Kiln implements AutoCloseable {
    private final ContentStore store;
    private final Transport transport;
    private final TrustedKeys trustedKeys;
    private final Map<String, String> mirrors;
    private final Clock clock;

    private Kiln(ContentStore store, Transport transport, TrustedKeys trustedKeys, Map<String, String> mirrors, Clock clock) {
        this.store = store;
        this.transport = transport;
        this.trustedKeys = trustedKeys;
        this.mirrors = mirrors;
        this.clock = clock;
    }

    /** Configures a {@link Kiln}; every part has a default that works on a Debian or Ubuntu host. */
    public static final class Builder {
        private Path store;
        private Transport transport;
        private Path keys;
        private Map<String, String> mirrors;
        private Clock clock = Clock.systemUTC();

        public Builder store(Path root) {
            this.store = root;
            return this;
        }

        public Builder transport(Transport t) {
            this.transport = t;
            return this;
        }

        /** A key file or a directory of them (default: kiln's keys/). */
        public Builder keys(Path fileOrDir) {
            this.keys = fileOrDir;
            return this;
        }

        /** Values for {@code ${VAR}} in source lines (default: the environment, then the host's apt sources). */
        public Builder mirrors(Map<String, String> vars) {
            this.mirrors = Map.copyOf(vars);
            return this;
        }

        public Builder clock(Clock c) {
            this.clock = c;
            return this;
        }

        public Kiln open() {
            Path root = ContentStore.root(store);
            Map<String, String> vars = mirrors != null ? mirrors : MirrorEnvironment.ofSystem().variables();
            Path k = keys != null ? keys : KilnHome.keys();
            if (!Files.exists(k)) {
                throw new ResolveException("no trusted keys at " + k
                        + "\n  expected: kiln's keys/ directory of OpenPGP public keys (set KILN_HOME to kiln's checkout)");
            }
            TrustedKeys keys = TrustedKeys.of(k);
            // HTTP is set up on a spare thread meanwhile; a fetch with everything present makes no request
            Transport t = transport != null ? transport : new LazyTransport(HttpTransport::withDefaults, hosts(vars));
            return new Kiln(ContentStore.open(root), t, keys, vars, clock);
        }
    }

    /** The host names in mirror variables (for an early name lookup). */
    private static List<String> hosts(Map<String, String> vars) {
        List<String> out = new ArrayList<>();
        for (String v : vars.values()) {
            for (String one : SourceLine.mirrorList(v)) {
                try {
                    String h = java.net.URI.create(one).getHost();
                    if (h != null && !out.contains(h)) {
                        out.add(h);
                    }
                } catch (IllegalArgumentException notAUri) {
                    // expansion reports it properly later
                }
            }
        }
        return out;
    }

    public static Builder builder() {
        return new Builder();
    }

    public ContentStore store() {
        return store;
    }

    /** The lockfile's default place: {@code NAME.lock.json} beside {@code NAME.yaml}. */
    public static Path defaultLockPath(Path spec) {
        String name = spec.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String base = dot > 0 ? name.substring(0, dot) : name;
        return spec.resolveSibling(base + ".lock.json");
    }

    /** Resolves a spec into a lock (nothing written). */
    public Lock resolve(Path specFile, Path lockFile) {
        return resolve(specFile, lockFile, false);
    }

    /**
     * Resolves a spec into a lock (nothing written). Offline, the newest Releases and indexes this
     * store verified are used and nothing is downloaded.
     */
    public Lock resolve(Path specFile, Path lockFile, boolean offline) {
        ImageSpec spec = ImageSpecParser.parse(specFile);
        dev.kiln.resolver.Timing.mark("spec parsed");
        Path lockDir = lockFile.toAbsolutePath().getParent();
        String rel = lockDir.relativize(specFile.toAbsolutePath()).toString();
        List<Request> requests = new ArrayList<>();
        for (PackageRequest p : spec.contents().packages()) {
            requests.add(p.constraint().isPresent()
                    ? new Request(p.name(), p.constraint().get().relation(), p.constraint().get().version())
                    : Request.of(p.name()));
        }
        Map<String, Set<String>> skip = new LinkedHashMap<>();
        spec.contents().skipDependencies().forEach((k, v) -> skip.put(k, new LinkedHashSet<>(v)));
        SolveOptions options = new SolveOptions(new LinkedHashSet<>(spec.contents().exclude()), skip, spec.contents().recommends());
        Path baseDir = specFile.toAbsolutePath().getParent();
        Resolver resolver = new Resolver(transport, store, trustedKeys, mirrors, clock.instant());
        return resolver.lock(new Resolver.LockRequest(rel, spec.digest(), baseDir, spec.contents().repositories(),
                requests, spec.archs(), options, offline));
    }

    /** Resolves a spec and writes its lockfile atomically. */
    public Lock lock(Path specFile, Path lockFile) {
        return lock(specFile, lockFile, false);
    }

    /** Resolves a spec (offline: from what the store already verified) and writes its lockfile atomically. */
    public Lock lock(Path specFile, Path lockFile, boolean offline) {
        Lock lock = resolve(specFile, lockFile, offline);
        writeAtomically(lockFile, LockJson.write(lock));
        store.addRoot(lockFile.toAbsolutePath());
        return lock;
    }

    /** Re-resolves and compares with the lockfile on disk. */
    public LockDiff check(Path specFile, Path lockFile) {
        Lock old = readLock(lockFile);
        Lock fresh = resolve(specFile, lockFile);
        return LockDiff.between(old, fresh);
    }

    /**
     * Puts every locked package of every architecture into the store, each checked against its
     * pinned size and sha256 as it streams in. What is already there is not fetched again (with
     * everything present, no request is made at all); {@code offline} never touches the network.
     */
    public FetchResult fetch(Path lockFile, boolean offline, FetchListener listener) {
        Lock lock = readLock(lockFile);
        List<Download> downloads = LockDownloads.of(lock, mirrors);
        FetchResult result = new Fetcher(transport, store, Fetcher.DEFAULT_CONCURRENCY, listener)
                .withOffline(offline).fetch(downloads);
        store.addRoot(lockFile.toAbsolutePath());
        return result;
    }

    /** The downloads a lockfile stands for (for progress totals). */
    public List<Download> downloads(Path lockFile) {
        return LockDownloads.of(readLock(lockFile), mirrors);
    }

    /** What {@link #build} made: the layout and the digest of its top manifest (or index). */
    public record Built(Path layout, dev.kiln.assembler.oci.Descriptor top, Lock lock, long epoch) {
    }

    /**
     * Builds the spec's image into an OCI image layout at {@code out}: the lock beside the spec is
     * used when it was made from this spec (else the spec is resolved and the lock written;
     * {@code frozen} refuses that instead), every locked package is fetched and verified, unpacked
     * without running any maintainer script, and laid out as one deterministic layer per
     * architecture. The image epoch is {@code SOURCE_DATE_EPOCH} if set, else the newest Release
     * date in the lock — never the wall clock.
     */
    public Built build(Path specFile, Path lockFile, Path out, boolean frozen, FetchListener listener) {
        ImageSpec spec = ImageSpecParser.parse(specFile);
        // keys the spec accepts but the build cannot honour yet are refused, never silently ignored
        if (spec.layering().strategy() != ImageSpec.Layering.Strategy.NONE) {
            throw new dev.kiln.assembler.AssembleException(specFile + ": layering strategy '"
                    + spec.layering().strategy().name().toLowerCase(java.util.Locale.ROOT)
                    + "' is not supported by kiln build yet (one layer per architecture)\n  fix: remove 'layering' from the spec");
        }
        for (ImageSpec.PathEntry p : spec.paths()) {
            if (p.recursive()) {
                throw new dev.kiln.assembler.AssembleException(specFile + ": paths " + p.path()
                        + ": 'recursive' is not supported by kiln build yet\n  fix: list the paths one by one");
            }
        }
        Lock lock = null;
        if (Files.exists(lockFile)) {
            Lock existing = readLock(lockFile);
            if (existing.spec().digest().equals(spec.digest())) {
                lock = existing;
            } else if (frozen) {
                throw new ResolveException(lockFile + " was made from another version of " + specFile
                        + " (spec " + existing.spec().digest().shortHex() + ", now " + spec.digest().shortHex() + ")"
                        + "\n  fix: run 'kiln lock " + specFile + "', or build without --frozen");
            }
        } else if (frozen) {
            throw new ResolveException("--frozen, but there is no lock at " + lockFile + "\n  fix: run 'kiln lock " + specFile + "'");
        }
        if (lock == null) {
            lock = lock(specFile, lockFile);
        }
        fetch(lockFile, false, listener);
        long epoch = epoch(lock);
        try (dev.kiln.assembler.oci.ImageLayout layout = dev.kiln.assembler.oci.ImageLayout.stage(out)) {
            List<dev.kiln.assembler.oci.Descriptor> images = new ArrayList<>();
            for (String arch : lock.archs().keySet()) {
                List<dev.kiln.assembler.deb.DebPackage> debs = new ArrayList<>();
                for (Lock.Package p : lock.packages(arch)) {
                    debs.add(dev.kiln.assembler.deb.DebPackage.read(store.blobPath(p.sha256()), p.name() + " " + p.version()));
                }
                dev.kiln.assembler.tree.FileTree tree = dev.kiln.assembler.rootfs.RootfsBuilder.build(debs,
                        dev.kiln.assembler.rootfs.RootfsBuilder.Options.of(arch, epoch)
                                .withAccounts(spec.accounts()).withPaths(spec.paths()).withPathFilter(spec.contents().pathFilter()));
                dev.kiln.assembler.layer.LayerDigests layer = layout.writeLayer(tree, new dev.kiln.assembler.layer.TarLayerWriter(epoch));
                var config = dev.kiln.assembler.oci.SpecConfig.configFile(spec, arch, List.of(layer.uncompressed()), epoch);
                images.add(layout.writeImage(config, List.of(layer), dev.kiln.assembler.oci.SpecConfig.annotations(spec)));
            }
            dev.kiln.assembler.oci.Descriptor top = images.size() == 1 ? images.get(0)
                    : layout.writeIndex(new dev.kiln.assembler.oci.Index(images, dev.kiln.assembler.oci.SpecConfig.annotations(spec)));
            Path written = layout.commit(top, "latest");
            store.addRoot(lockFile.toAbsolutePath());
            return new Built(written, top, lock, epoch);
        }
    }

    /** {@code SOURCE_DATE_EPOCH}, else the newest Release date the lock names. */
    static long epoch(Lock lock) {
        String sde = System.getenv("SOURCE_DATE_EPOCH");
        if (sde != null && !sde.isBlank()) {
            try {
                return Long.parseLong(sde.trim());
            } catch (NumberFormatException e) {
                throw new ResolveException("SOURCE_DATE_EPOCH must be a number of seconds, found '" + sde + "'");
            }
        }
        long newest = 0;
        for (Lock.Repository r : lock.repositories()) {
            newest = Math.max(newest, r.date().getEpochSecond());
        }
        return newest;
    }

    public static Lock readLock(Path lockFile) {
        try {
            return LockJson.read(Files.readAllBytes(lockFile), lockFile.toString());
        } catch (IOException e) {
            throw new ResolveException("cannot read the lockfile " + lockFile + ": " + e.getMessage()
                    + "\n  fix: create it with 'kiln lock SPEC'");
        }
    }

    private static void writeAtomically(Path target, byte[] bytes) {
        Path abs = target.toAbsolutePath();
        try {
            Files.createDirectories(abs.getParent());
            Path tmp = Files.createTempFile(abs.getParent(), "." + abs.getFileName(), ".tmp");
            try {
                Files.write(tmp, bytes);
                Files.move(tmp, abs, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new StoreException("cannot write " + target + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        try {
            transport.close();
        } catch (IOException ignored) {
            // closing connections cannot lose data
        } finally {
            store.close();
        }
    }
}
