package dev.kiln.api;

import dev.kiln.api.registry.RegistryClients;
import dev.kiln.assembler.copy.BuildContext;
import dev.kiln.assembler.copy.Copies;
import dev.kiln.assembler.copy.Copy;
import dev.kiln.assembler.image.ImageAssembler;
import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.fetcher.FetchResult;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.Transport;
import dev.kiln.fetcher.pgp.TrustedKeys;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.resolver.spec.PackageRequest;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.ContentStore;
import dev.kiln.store.PhaseListener;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
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
    /** Store writes left running by a build's resolve (index caches); the build and {@link #close} wait for them. */
    private final java.util.List<java.util.concurrent.CompletableFuture<Void>> background =
            new java.util.concurrent.CopyOnWriteArrayList<>();
    private final Transport transport;
    private final TrustedKeys trustedKeys;
    private final Map<String, String> mirrors;
    private final Clock clock;
    private final java.util.Optional<Path> context;
    private final PhaseListener phases;
    private final Path home;

    private Kiln(ContentStore store, Transport transport, TrustedKeys trustedKeys, Map<String, String> mirrors, Clock clock,
            java.util.Optional<Path> context, PhaseListener phases, Path home) {
        this.store = store;
        this.transport = transport;
        this.trustedKeys = trustedKeys;
        this.mirrors = mirrors;
        this.clock = clock;
        this.context = context;
        this.phases = phases;
        this.home = home;
    }

    /** Configures a {@link Kiln}; every part has a default that works on a Debian or Ubuntu host. */
    public static final class Builder {
        private Path store;
        private Transport transport;
        private Path keys;
        private Map<String, String> mirrors;
        private Clock clock = Clock.systemUTC();
        private Path context;
        private PhaseListener phases = PhaseListener.NONE;

        /** Who hears each phase of a run, for timings (default: nobody). */
        public Builder phases(PhaseListener listener) {
            this.phases = listener;
            return this;
        }

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

        /**
         * The build context: the directory that the local sources ({@code paths} with a {@code source})
         * of every spec this Kiln locks or builds must lie inside, every symlink followed, and that
         * must contain each such spec (default: each spec's own directory). See {@link BuildContext}.
         */
        public Builder context(Path dir) {
            this.context = dir;
            return this;
        }

        public Kiln open() {
            Path root = store != null ? store : SystemDefaults.store();
            Map<String, String> vars = mirrors != null ? mirrors : SystemDefaults.mirrors();
            Path home = SystemDefaults.home();
            Path k = keys != null ? keys : home.resolve("keys");
            if (!Files.exists(k)) {
                throw new ResolveException("no trusted keys at " + k
                        + "\n  expected: kiln's keys/ directory of OpenPGP public keys (set KILN_HOME to kiln's checkout)");
            }
            TrustedKeys keys = TrustedKeys.of(k);
            // HTTP is set up on a spare thread meanwhile; a fetch with everything present makes no request
            Transport t = transport != null ? transport : new LazyTransport(() -> HttpTransport.builder()
                    .environment(SystemDefaults.proxyVariables()).fallbackProxies(java.net.ProxySelector.getDefault())
                    .netrc(SystemDefaults.netrc()).build(), hosts(vars));
            ContentStore opened = ContentStore.open(root, ContentStore.DEFAULT_LOCK_TIMEOUT,
                    (String message) -> System.err.println("kiln: " + message));
            return new Kiln(opened, t, keys, vars, clock, java.util.Optional.ofNullable(context), phases, home);
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

    /**
     * Waits for the store writes a build's resolve left running (the parsed indexes, cached for
     * the next lock); a failed one fails the build before its image is published.
     */
    private void awaitBackground() {
        // taken off the list first: a failure is thrown once, not again by close()
        List<java.util.concurrent.CompletableFuture<Void>> running = List.copyOf(background);
        background.clear();
        dev.kiln.resolver.repo.RepositoryReader.awaitAll(running);
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
        return resolve(specFile, lockFile, offline, false);
    }

    /**
     * As {@link #resolve(Path, Path, boolean)}; with {@code deferCaches} the parsed indexes are
     * written to the store in the background instead of before the Releases are recorded, and
     * {@link #awaitBackground} must be called before anything is published that rests on them.
     */
    private Lock resolve(Path specFile, Path lockFile, boolean offline, boolean deferCaches) {
        ImageSpec spec = ImageSpecParser.parse(specFile);
        phases.phase("spec parsed");
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
        // local sources first: a source that cannot be copied fails before any download
        List<Lock.Copy> sources = Copies.lock(spec, BuildContext.of(specFile, context), store);
        Resolver resolver = new Resolver(transport, store, trustedKeys, mirrors, clock.instant()).withPhases(phases).withKeyHome(home);
        if (deferCaches) {
            resolver = resolver.deferringCacheWrites(background::add);
        }
        return resolver.lock(new Resolver.LockRequest(rel, spec.digest(), baseDir, spec.contents().repositories(),
                requests, spec.archs(), options, offline)).withCopies(sources);
    }

    /** Resolves a spec and writes its lockfile atomically. */
    public Lock lock(Path specFile, Path lockFile) {
        return lock(specFile, lockFile, false);
    }

    /** Resolves a spec (offline: from what the store already verified) and writes its lockfile atomically. */
    public Lock lock(Path specFile, Path lockFile, boolean offline) {
        checkLockTarget(lockFile);
        return writeLock(resolve(specFile, lockFile, offline), lockFile);
    }

    /** A lock that could not be written where it goes is refused before anything is resolved. */
    private static void checkLockTarget(Path lockFile) {
        if (Files.isDirectory(lockFile)) {
            throw new StoreException("cannot write the lock at " + lockFile.toAbsolutePath() + ": it is a directory"
                    + "\n  fix: name a file (e.g. " + lockFile.resolve("image.lock.json") + ")");
        }
    }

    private Lock writeLock(Lock lock, Path lockFile) {
        writeAtomically(lockFile, LockJson.write(lock));
        store.addRoot(lockFile.toAbsolutePath());
        return lock;
    }

    /** Re-resolves and compares with the lockfile on disk. */
    public LockDiff check(Path specFile, Path lockFile) {
        Lock old = readLock(lockFile);
        Lock fresh = resolve(specFile, lockFile);
        return LockDiff.between(old, fresh, Copies.listings(store));
    }

    /**
     * Puts every locked package of every architecture into the store, each checked against its
     * pinned size and sha256 as it streams in. What is already there is not fetched again (with
     * everything present, no request is made at all); {@code offline} never touches the network.
     */
    public FetchResult fetch(Path lockFile, boolean offline, FetchListener listener) {
        return fetch(lockFile, downloads(lockFile), offline, listener);
    }

    /** As {@link #fetch(Path, boolean, FetchListener)}, with the lock's {@link #downloads} already read. */
    public FetchResult fetch(Path lockFile, List<Download> downloads, boolean offline, FetchListener listener) {
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
    public record Built(Path layout, dev.kiln.oci.Descriptor top, Lock lock, long epoch) {
    }

    /**
     * Builds the spec's image into an OCI image layout at {@code out}: the lock beside the spec is
     * used when it was made from this spec (else the spec is resolved and the lock written;
     * {@code frozen} refuses that instead), every locked package is fetched and verified, unpacked
     * without running any maintainer script (once: unpacked packages and written layers are memo
     * entries in the store), and laid out per architecture as deterministic layers: the packages
     * (one layer, or one per large package with origin layering), then what local sources bring,
     * then the spec and the lock. Local
     * sources the spec copies in are read again, put into the store and held to the lock (pinned
     * anew when they changed; {@code frozen} refuses that). The image epoch is {@code
     * SOURCE_DATE_EPOCH} if set, else the newest Release date in the lock — never the wall clock.
     */
    public Built build(Path specFile, Path lockFile, Path out, boolean frozen, FetchListener listener) {
        return build(specFile, lockFile, out, frozen, java.util.OptionalLong.empty(), listener);
    }

    /**
     * As {@link #build(Path, Path, Path, boolean, FetchListener)} at a given image epoch (seconds),
     * when one is given: a rebuild takes the epoch of the image it checks.
     */
    public Built build(Path specFile, Path lockFile, Path out, boolean frozen, java.util.OptionalLong atEpoch,
            FetchListener listener) {
        return build(specFile, lockFile, out, frozen, atEpoch, Copies.Origin.DISK, listener);
    }

    /**
     * The build, taking local sources from {@code origin}: the disk (held to the lock; re-pinned
     * when they changed, unless {@code frozen}), or the store by the lock's digests (a rebuild).
     */
    private Built build(Path specFile, Path lockFile, Path out, boolean frozen, java.util.OptionalLong atEpoch,
            Copies.Origin origin, FetchListener listener) {
        ImageSpec spec = ImageSpecParser.parse(specFile);
        // where local sources come from is checked before anything is written, resolved or fetched
        BuildContext buildContext = null;
        if (origin == Copies.Origin.DISK) {
            buildContext = BuildContext.of(specFile, context);
            buildContext.check(spec);
        }
        dev.kiln.oci.ImageLayout.checkTarget(out); // before anything is resolved or fetched
        dev.kiln.assembler.rootfs.RootfsBuilder.checkSpec(spec); // accounts and run-as, too
        if (atEpoch.isEmpty()) {
            SystemDefaults.sourceDateEpoch(); // a bad SOURCE_DATE_EPOCH too
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
            checkLockTarget(lockFile);
            // the parsed indexes go into the store while the build goes on; it waits for them
            // before it publishes the image (a failed write fails the build, the lock stays)
            lock = writeLock(resolve(specFile, lockFile, false, true), lockFile);
            phases.phase("locked");
        }
        Map<String, Copy> copies;
        if (origin == Copies.Origin.DISK) {
            copies = Copies.load(spec, buildContext, store);
            Lock pinned = Copies.reconcile(lock, copies, specFile, lockFile, frozen, store);
            if (pinned != lock) {
                lock = pinned;
                writeAtomically(lockFile, LockJson.write(lock));
            }
        } else {
            copies = Copies.fromStore(spec, lock, store);
        }
        fetch(lockFile, LockDownloads.of(lock, mirrors), false, listener); // the lock in hand, not read again
        phases.phase("fetched");
        long epoch = atEpoch.isPresent() ? atEpoch.getAsLong() : epoch(lock);
        byte[] specBytes;
        try {
            specBytes = Files.readAllBytes(specFile);
        } catch (IOException e) {
            throw new ResolveException("cannot read " + specFile + ": " + dev.kiln.store.IoErrors.why(e));
        }
        if (!dev.kiln.store.Digest.of(specBytes).equals(spec.digest())) {
            throw new ResolveException(specFile + " changed while kiln was building from it\n  fix: build again");
        }
        try (dev.kiln.oci.ImageLayout layout = dev.kiln.oci.ImageLayout.stage(out)) {
            ImageAssembler assembler = new ImageAssembler(store, spec, specBytes, lock, epoch, copies).withPhases(phases);
            dev.kiln.oci.Descriptor top = assembler.write(layout);
            awaitBackground();
            // the SBOMs and the provenance are written (beside the target, under temporary names)
            // before the layout is put in place, so that a full disk leaves neither behind
            Path staged = layout.prepare(top, dev.kiln.oci.ImageLayout.IMAGE_REF);
            Path target = out.toAbsolutePath().normalize();
            List<AtomicFile.Staged> documents = stageDocuments(staged, target, assembler, lock, epoch);
            try {
                Path written = layout.publish();
                phases.phase("image written");
                for (AtomicFile.Staged d : documents) {
                    d.commit();
                }
                phases.phase("sbom and provenance written");
                store.addRoot(lockFile.toAbsolutePath());
                return new Built(written, top, lock, epoch);
            } catch (IOException e) {
                throw new StoreException("cannot put the SBOM and provenance beside " + target + ": "
                        + dev.kiln.store.IoErrors.why(e), e);
            } finally {
                discard(documents);
            }
        }
    }

    /**
     * Pushes the image of an OCI layout (a {@link #build} output) to {@code reference}
     * ({@code HOST[:PORT]/REPO[:TAG]}): blobs the registry lacks, each platform's manifest by digest,
     * then the top manifest or index by tag. Logins come from the containers/docker auth files; plain
     * HTTP is spoken only to loopback registries unless {@code registry} is insecure; waits are bounded
     * and reported as {@code registry} says.
     */
    public static dev.kiln.oci.registry.Pushed push(Path layout, String reference,
            dev.kiln.oci.registry.RegistryOptions registry) {
        return RegistryClients.push(layout, reference, registry);
    }

    /** Pulls {@code reference} into an OCI image layout at {@code layout}, every manifest and blob verified. */
    public static dev.kiln.oci.Descriptor pull(String reference, Path layout,
            dev.kiln.oci.registry.RegistryOptions registry) {
        return RegistryClients.pull(reference, layout, registry);
    }

    /**
     * Fails now if {@link #writeTarball} could not write {@code tarball} later, or would find no
     * image for {@code arch} (else this host's) among the spec's, so that a build is not wasted.
     */
    public static void checkTarball(Path tarball, Path specFile, java.util.Optional<String> arch) {
        dev.kiln.oci.DockerArchive.checkTarget(tarball);
        dev.kiln.oci.DockerArchive.checkArchitecture(ImageSpecParser.parse(specFile).archs(), arch, SystemDefaults.architecture());
    }

    /**
     * Writes the image of an OCI layout as a {@code docker load} / {@code podman load} archive named
     * {@code repoTag} ({@code HOST/REPO[:TAG]}, tag {@code latest} if none). A multi-platform image
     * gives the manifest for {@code arch} (Debian or OCI name), else the host's architecture.
     */
    public static dev.kiln.oci.Descriptor writeTarball(Path layout, Path tarball, String repoTag, java.util.Optional<String> arch) {
        var ref = dev.kiln.oci.registry.ImageReference.parse(repoTag);
        if (ref.digest().isPresent()) {
            throw new dev.kiln.oci.registry.RegistryException("a docker archive names its image by tag, found the digest in '"
                    + repoTag + "'\n  fix: give HOST/REPO:TAG");
        }
        String name = ref.name() + ":" + ref.tagOrDefault().orElseThrow();
        return dev.kiln.oci.DockerArchive.write(layout, tarball, name, arch, SystemDefaults.architecture());
    }

    /**
     * What {@link #verify} found: the image, its rebuild and where they part (nothing when identical),
     * and the packages where the image's dpkg records and the lock disagree.
     */
    public record Verification(dev.kiln.api.verify.CheckedImage image, Built rebuilt,
            dev.kiln.oci.compare.ImageDiff diff, java.util.Optional<dev.kiln.trust.Signatures.Verified> signature,
            List<dev.kiln.api.verify.InstalledPackages.Mismatch> packages, AttestationReport attestations) {
        public Verification {
            packages = List.copyOf(packages);
        }

        public boolean identical() {
            return diff.identical();
        }

        /** The rebuild is identical and the image holds exactly the packages the lock pins. */
        public boolean verified() {
            return identical() && packages.isEmpty();
        }
    }

    /**
     * The attestations (provenance, SBOMs) attached to an image and to each of its platform
     * manifests that verify with the key given: each with its predicate type. {@code unverified}
     * says, for each of those images that has attestations of which none verifies with the key,
     * why not (another key's, changed after signing, moved from another image). Attestations are
     * reported, not required: the signature is what {@code --key} requires.
     */
    public record AttestationReport(List<dev.kiln.trust.Attestations.Verified> verified, List<String> unverified) {
        public AttestationReport {
            verified = List.copyOf(verified);
            unverified = List.copyOf(unverified);
        }

        static final AttestationReport NONE = new AttestationReport(List.of(), List.of());
    }

    private static AttestationReport attestations(dev.kiln.api.verify.CheckedImage image,
            dev.kiln.oci.LayoutReader reader, String pem) {
        List<dev.kiln.trust.VerificationKey> keys =
                List.of(dev.kiln.trust.VerificationKey.parsePem(pem, "the public key given"));
        List<dev.kiln.store.Digest> subjects = new ArrayList<>();
        subjects.add(image.top().digest());
        for (dev.kiln.oci.Descriptor d : reader.images()) {
            if (!subjects.contains(d.digest())) {
                subjects.add(d.digest());
            }
        }
        List<dev.kiln.trust.Attestations.Verified> verified = new ArrayList<>();
        List<String> unverified = new ArrayList<>();
        image.withReferrers(target -> {
            for (dev.kiln.store.Digest subject : subjects) {
                try {
                    verified.addAll(dev.kiln.trust.Attestations.verify(target, subject, keys));
                } catch (dev.kiln.trust.VerificationException e) {
                    if (e.problem() != dev.kiln.trust.VerificationException.Problem.NO_SIGNATURE) {
                        unverified.add(e.getMessage());
                    }
                }
            }
            return null;
        });
        return new AttestationReport(verified, unverified);
    }

    /**
     * Rebuilds an image from its inputs and holds the rebuild against it: the spec and lock it
     * carries (or {@code spec} and {@code lock} given), at its own epoch, with this Kiln's store (a
     * fresh one makes the rebuild trust nothing already there), every package fetched by its
     * pinned sha256. Then the image and everything it reaches is compared blob by blob with the
     * rebuild, and the packages its dpkg records name with those the lock pins. With
     * {@code publicKey}, the image must also carry a valid signature by that key (in its layout, or
     * for a registry reference in the registry), and the attestations that key signed are reported.
     * Nothing is written outside {@code scratch}.
     */
    public Verification verify(dev.kiln.api.verify.CheckedImage image, java.util.Optional<Path> spec,
            java.util.Optional<Path> lock, java.util.Optional<String> publicKey, Path scratch, FetchListener listener) {
        // first: a changed blob is named as such, before anything reads the image's contents
        dev.kiln.api.verify.ImageBlobs.check(image.layout(), image.top(), image.described());
        java.util.Optional<dev.kiln.trust.Signatures.Verified> signature = publicKey.map(
                pem -> image.withReferrers(target -> dev.kiln.trust.Signatures.verify(target, image.top().digest(), pem)));
        var reader = dev.kiln.oci.LayoutReader.at(image.layout(), image.top());
        AttestationReport attestations = publicKey.map(pem -> attestations(image, reader, pem)).orElse(AttestationReport.NONE);
        long epoch;
        Path inputs = scratch.resolve("inputs");
        Path specFile = inputs.resolve("image.yaml");
        Path lockFile = inputs.resolve("image.lock.json");
        try {
            Files.createDirectories(inputs);
            if (spec.isPresent() && lock.isPresent()) {
                Files.copy(spec.get(), specFile);
                Files.copy(lock.get(), lockFile);
                epoch = dev.kiln.api.verify.EmbeddedInputs.epoch(reader, image.top());
            } else if (spec.isPresent() || lock.isPresent()) {
                throw new ResolveException("give both --spec and --lock, or neither (then the image's own are used)");
            } else {
                var embedded = dev.kiln.api.verify.EmbeddedInputs.of(reader, image.top());
                Files.write(specFile, embedded.spec());
                Files.write(lockFile, embedded.lock());
                epoch = embedded.epoch();
            }
        } catch (IOException e) {
            throw new StoreException("cannot write the inputs into " + inputs + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
        Lock pinned = readLock(lockFile);
        var packages = dev.kiln.api.verify.InstalledPackages.against(reader, image.top(), pinned);
        // local sources are pinned inputs: from this store, else from the image itself, each checked by its digest
        dev.kiln.api.verify.ImageCopies.recover(reader, image.top(), pinned, store);
        Built rebuilt;
        try {
            rebuilt = build(specFile, lockFile, scratch.resolve("rebuilt"), true, java.util.OptionalLong.of(epoch),
                    Copies.Origin.STORE, listener);
        } catch (dev.kiln.assembler.deb.PackageMismatchException e) {
            // a lock entry relabelled with another version: the image's inputs are not what it says
            StringBuilder m = new StringBuilder(image.described() + " does not hold the packages its lock pins:");
            packages.forEach(p -> m.append("\n  ").append(p.render()));
            String relabelled = e.getMessage().lines().findFirst().orElse(""); // its fix is for a build, not this
            throw new dev.kiln.api.verify.CheckFailedException(m + "\n  " + relabelled
                    + "\n  fix: the lock was edited after kiln made it; verify against the lock kiln wrote, or rebuild the image", e);
        }
        var diff = dev.kiln.oci.compare.ImageDiff.between(image.layout(), image.top(), rebuilt.layout(), rebuilt.top());
        return new Verification(image, rebuilt, diff, signature, packages, attestations);
    }

    /** kiln's version (the jar's), or {@code dev} when run from classes. */
    public static String version() {
        String v = Kiln.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /**
     * The documents that go beside the layout {@code DIR}: an SPDX 2.3 SBOM per architecture
     * ({@code DIR.ARCH.spdx.json}) and the SLSA provenance of the build ({@code DIR.provenance.json}),
     * for the layout that {@code staged} holds and that goes to {@code target}. Each is written and
     * fsynced as a temporary file beside the target, to be put in place after the layout. Nothing is
     * left when it fails.
     */
    private static List<AtomicFile.Staged> stageDocuments(Path staged, Path target, ImageAssembler assembler, Lock lock, long epoch) {
        String name = target.getFileName().toString();
        Map<Path, byte[]> documents = new java.util.LinkedHashMap<>();
        for (Map.Entry<String, dev.kiln.oci.Descriptor> image : assembler.images().entrySet()) {
            String arch = image.getKey();
            documents.put(target.resolveSibling(name + "." + arch + ".spdx.json"), dev.kiln.api.sbom.SpdxSbom.of(assembler.installed(),
                    new dev.kiln.api.sbom.SpdxSbom.Image(name, image.getValue().digest(), arch, epoch), version())
                    .withMaintainers(assembler.maintainers()).json());
        }
        List<dev.kiln.api.attest.Provenance.Subject> subjects = dev.kiln.api.attest.Provenance.subjects(staged, name);
        documents.put(target.resolveSibling(name + ".provenance.json"),
                new dev.kiln.api.attest.Provenance(lock, subjects, version(), epoch).json());
        List<AtomicFile.Staged> written = new ArrayList<>();
        try {
            for (Map.Entry<Path, byte[]> d : documents.entrySet()) {
                written.add(writeBeside(d.getKey(), d.getValue()));
            }
            return written;
        } catch (IOException e) {
            discard(written);
            throw new StoreException("cannot write the SBOM and provenance beside " + target + ": "
                    + dev.kiln.store.IoErrors.why(e) + "\n  fix: free space there, or write the image elsewhere with -o", e);
        }
    }

    /** {@code SOURCE_DATE_EPOCH}, else the newest Release date the lock names. */
    static long epoch(Lock lock) {
        java.util.OptionalLong sde = SystemDefaults.sourceDateEpoch();
        if (sde.isPresent()) {
            return sde.getAsLong();
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
            throw new ResolveException("cannot read the lockfile " + lockFile + ": " + dev.kiln.store.IoErrors.why(e)
                    + "\n  fix: create it with 'kiln lock SPEC'");
        }
    }

    /** Writes, fsyncs and renames {@code bytes} onto {@code target}, then fsyncs its directory. */
    private static void writeAtomically(Path target, byte[] bytes) {
        Path abs = target.toAbsolutePath();
        try {
            AtomicFile.createDirectories(abs.getParent());
            AtomicFile.write(abs, bytes, AtomicFile.PUBLIC);
        } catch (IOException e) {
            throw new StoreException("cannot write " + target + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /**
     * {@code bytes} written and fsynced beside {@code target}, to be put onto it; readable by everyone
     * who may read the directory, as a lock or an SBOM is meant to be. Gone at shutdown unless put in
     * place; one a killed build left is removed by the next write of the same target.
     */
    private static AtomicFile.Staged writeBeside(Path target, byte[] bytes) throws IOException {
        return AtomicFile.stage(target, bytes, AtomicFile.PUBLIC);
    }

    /** Removes the temporary halves of staged documents that are still there; a leftover is only a dot-file. */
    private static void discard(List<AtomicFile.Staged> documents) {
        documents.forEach(AtomicFile.Staged::close);
    }

    @Override
    public void close() {
        try {
            awaitBackground();
        } finally {
            try {
                transport.close();
            } catch (IOException ignored) {
                // closing connections cannot lose data
            } finally {
                store.close();
            }
        }
    }
}
