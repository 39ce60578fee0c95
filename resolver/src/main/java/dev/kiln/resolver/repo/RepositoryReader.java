package dev.kiln.resolver.repo;

import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.DownloadsFailedException;
import dev.kiln.fetcher.FetchException;
import dev.kiln.fetcher.FetchListener;
import dev.kiln.fetcher.FileTransport;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.fetcher.NotFoundException;
import dev.kiln.fetcher.Transport;
import dev.kiln.fetcher.pgp.SignatureException;
import dev.kiln.fetcher.pgp.SignatureException.Reason;
import dev.kiln.fetcher.pgp.SignatureVerifier;
import dev.kiln.fetcher.pgp.TrustedKeys;
import dev.kiln.fetcher.pgp.VerifiedDocument;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import dev.kiln.resolver.debian.Release;
import dev.kiln.resolver.solve.PackageSource;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.PhaseListener;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.zip.GZIPInputStream;
import org.tukaani.xz.XZInputStream;

/**
 * Reads a Debian repository the way apt does, but trusting nothing until it is checked: the
 * InRelease signature, its freshness (Valid-Until, and no rollback below the newest Date this
 * store has seen), then each Packages index against the size and SHA256 the signed Release lists.
 * Nothing reaches the store's published area before it passed its check.
 */
public final class RepositoryReader {
    private static final long MAX_RELEASE_BYTES = 64L << 20;
    private static final String ROLLBACK_STATE = "suite-date";
    private static final String OFFLINE_FIX = "\n  fix: resolve the spec online once ('kiln lock'), or use the store that did";

    private final Transport transport;
    private final ContentStore store;
    private final Instant now;
    private boolean offline;
    private final List<CompletableFuture<Void>> pending = new java.util.concurrent.CopyOnWriteArrayList<>();
    /** Set by {@link #settle}: from then on no index-cache write starts. Guarded by {@code pending}. */
    private boolean settled;
    /** Takes the index-cache writes when the caller waits for them itself; null: {@link #commit} waits. */
    private final java.util.function.Consumer<CompletableFuture<Void>> background;
    private final PhaseListener phases;

    public RepositoryReader(Transport transport, ContentStore store, Instant now) {
        this(transport, store, now, null, PhaseListener.NONE);
    }

    /**
     * A reader whose index-cache writes (the parsed form of each index, for the next lock) go to
     * {@code background} instead of being waited for in {@link #commit}: the caller must wait for
     * them before the process ends, and meanwhile goes on (fetching, building) without them.
     * {@code phases} hears each step (downloaded, verified, parsed, cached), for timing.
     */
    public RepositoryReader(Transport transport, ContentStore store, Instant now,
            java.util.function.Consumer<CompletableFuture<Void>> background, PhaseListener phases) {
        this.transport = FileTransport.over(transport);
        this.store = store;
        this.now = now;
        this.background = background;
        this.phases = java.util.Objects.requireNonNull(phases, "phases");
    }

    /** A repository to read: the line as written, where it is now, and the keys that may sign it. */
    public record Source(String line, URI base, String suite, List<String> components, TrustedKeys keys) {
    }

    /** The verified Release of a suite, before any index is read. */
    public record VerifiedRelease(Source source, byte[] raw, byte[] detachedSignature, Release release, Digest digest,
                                  VerifiedDocument doc) {
        public List<String> signers() {
            return doc.signerFingerprints();
        }

    }

    public VerifiedRelease release(Source src) {
        return release(src, false);
    }

    private static final String LAST_RELEASE_STATE = "suite-release";

    /**
     * The suite's verified Release. Offline, it is the newest one this store verified for the line
     * (checked again: signature verdict, Valid-Until), and nothing is downloaded — as apt works from
     * the lists of its last update.
     */
    public VerifiedRelease release(Source src, boolean offline) {
        if (offline) {
            this.offline = true;
        }
        URI dists = dists(src);
        byte[] raw;
        VerifiedDocument doc;
        if (offline) {
            byte[] sig = null;
            Optional<String> last = store.state(LAST_RELEASE_STATE, rollbackKey(src));
            if (last.isEmpty()) {
                throw new ResolveException(ResolveException.Kind.OFFLINE_MISSING, "offline, and this store has no verified"
                        + " Release for '" + src.line() + "'" + OFFLINE_FIX);
            }
            String[] parts = last.get().trim().split(" ");
            raw = store.read(Digest.parse(parts[0]));
            if (parts.length > 1) {
                sig = store.read(Digest.parse(parts[1]));
                doc = verified(raw, sig, src, dists.resolve("Release").toString());
            } else {
                doc = verified(raw, null, src, dists.resolve("InRelease").toString());
            }
            Release rel = Release.parse(doc.content(), dists + "Release");
            checkSuite(src, rel, dists);
            checkFreshness(src, rel, dists);
            return new VerifiedRelease(src, raw, sig, rel, Digest.of(raw), doc);
        }
        byte[] sigBytes = null;
        try {
            raw = download(dists.resolve("InRelease"), MAX_RELEASE_BYTES);
            phases.phase("downloaded " + dists);
            doc = verified(raw, null, src, dists.resolve("InRelease").toString());
            phases.phase("verified " + dists);
        } catch (NotFoundException e) {
            byte[] release;
            try {
                release = download(dists.resolve("Release"), MAX_RELEASE_BYTES);
            } catch (NotFoundException e2) {
                throw new ResolveException(ResolveException.Kind.NO_RELEASE,
                        "no InRelease or Release for suite '" + src.suite() + "' at " + dists
                        + "\n  expected: " + dists.resolve("InRelease")
                        + "\n  fix: check the suite name and the mirror in the line '" + src.line() + "'");
            }
            byte[] sig;
            try {
                sig = download(dists.resolve("Release.gpg"), 1 << 20);
            } catch (NotFoundException e3) {
                throw new SignatureException(Reason.NOT_SIGNED,
                        dists + ": the repository has neither InRelease nor Release.gpg, so nothing"
                        + " vouches for its Release file\n  expected: a signed repository; kiln never uses unsigned metadata");
            }
            doc = verified(release, sig, src, dists.resolve("Release").toString());
            raw = release;
            sigBytes = sig;
        }
        Release rel = Release.parse(doc.content(), dists + "Release");
        checkSuite(src, rel, dists);
        checkFreshness(src, rel, dists);
        return new VerifiedRelease(src, raw, sigBytes, rel, Digest.of(raw), doc);
    }

    /** Waits until every parsed index started by {@link #read} is in the store. */
    public void finish() {
        awaitAll(pending);
    }

    /**
     * After a lock that failed: waits for the index-cache writes still running, so that none
     * outlives the run; their own failures give way to the one being reported. An index still being
     * parsed (parsing does not stop when its thread is interrupted) starts no write afterwards.
     */
    public void settle() {
        synchronized (pending) {
            settled = true;
        }
        try {
            awaitAll(pending);
        } catch (RuntimeException givesWay) {
            // the lock's own failure is the one to report
        }
    }

    /** Waits until every one of {@code writes} has ended, then throws the first failure, if any. */
    public static void awaitAll(java.util.Collection<CompletableFuture<Void>> writes) {
        RuntimeException first = null;
        for (CompletableFuture<Void> f : writes) {
            try {
                f.join();
            } catch (java.util.concurrent.CompletionException e) {
                if (first == null) {
                    first = e.getCause() instanceof RuntimeException re ? re : e;
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static final MemoStep VERIFY_STEP = MemoStep.PGP_VERIFY;

    /**
     * Checks a signature, or recalls the verdict on exactly these bytes under exactly these keys:
     * only good verdicts are kept, and only until the first key behind them expires.
     */
    private VerifiedDocument verified(byte[] signed, byte[] detachedSignature, Source src, String what) {
        Optional<Digest> memo = store.memo(VERIFY_STEP, verdictKey(signed, detachedSignature, src));
        if (memo.isPresent()) {
            try {
                VerifiedDocument recalled = VerdictRecord.read(store.readChecked(memo.get()).orElseThrow(), store);
                if (now.isBefore(recalled.validThrough()) && !recalled.signedAt().isAfter(now.plus(SignatureVerifier.CLOCK_SKEW))) {
                    return recalled;
                }
            } catch (RuntimeException damaged) {
                // a damaged record is a miss: the signature is checked again below
            }
        }
        SignatureVerifier verifier = new SignatureVerifier(src.keys().keyring(), now);
        return detachedSignature == null
                ? verifier.verifyClearsigned(signed, what)
                : verifier.verifyDetached(signed, detachedSignature, what);
    }

    /** Names a verdict: exactly these signed bytes (and detached signature) under exactly these key files. */
    private static Digest verdictKey(byte[] signed, byte[] detachedSignature, Source src) {
        return Digest.of(VERIFY_STEP.id() + "\n" + Digest.of(signed) + "\n"
                + (detachedSignature == null ? "clearsigned" : Digest.of(detachedSignature)) + "\n" + src.keys().id());
    }

    /**
     * Publishes what a successful resolution relied on: each Release's bytes, its Date as the new
     * rollback floor, and the signature verdicts. Called last, so a refusal anywhere leaves the
     * store as it was.
     */
    public void commit(List<VerifiedRelease> releases) {
        // the Releases may be recorded before the parsed indexes are cached: an index's own blob is
        // in the store already (read() fetched it), and a missing cache entry is rebuilt from it
        if (background == null) {
            finish();
        } else {
            for (CompletableFuture<Void> f : pending) {
                background.accept(f);
            }
            pending.clear();
        }
        for (VerifiedRelease vr : releases) {
            Digest rawDigest = store.put(vr.raw());
            String last = rawDigest.toString();
            if (vr.detachedSignature() != null) {
                last += " " + store.put(vr.detachedSignature());
            }
            recordDate(vr.source(), vr.release());
            store.putState(LAST_RELEASE_STATE, rollbackKey(vr.source()), last);
            Digest verdict = verdictKey(vr.raw(), vr.detachedSignature(), vr.source());
            if (store.memo(VERIFY_STEP, verdict).isEmpty()) {
                store.putMemo(VERIFY_STEP, verdict, store.put(VerdictRecord.write(vr.doc(), store)));
            }
        }
    }

    /** Reads the suite's indexes for one architecture (their parsed forms are cached on the side). */
    public SuiteIndex read(VerifiedRelease vr, String arch) {
        Source src = vr.source();
        Release rel = vr.release();
        URI dists = dists(src);
        List<Release.FileEntry> entries = new ArrayList<>();
        for (String component : src.components()) {
            entries.add(pickIndex(rel, component, arch, dists, src));
            if (!rel.archAllInArchIndexes() && rel.architectures().contains("all")) {
                pickOptionalIndex(rel, component, "all").ifPresent(entries::add);
            }
        }
        List<PackageSource> sources = new ArrayList<>();
        for (Release.FileEntry e : entries) {
            sources.add(packages(e, dists, rel));
        }
        return new SuiteIndex(src.line(), rel, vr.digest(), vr.signers(), List.copyOf(entries), PackageSource.concat(sources));
    }

    private static URI dists(Source src) {
        String base = src.base().toString();
        if (!base.endsWith("/")) {
            base = base + "/";
        }
        return URI.create(base + "dists/" + src.suite() + "/");
    }

    private void checkSuite(Source src, Release rel, URI dists) {
        if (!src.suite().equals(rel.suite()) && !src.suite().equals(rel.codename())) {
            throw new ResolveException(ResolveException.Kind.WRONG_SUITE,
                    dists + "InRelease is for suite '" + rel.suite() + "' (codename '"
                    + rel.codename() + "'), not '" + src.suite() + "'"
                    + "\n  expected: the Release of the suite the spec names; a mismatch means the mirror serves"
                    + " another suite's metadata in its place\n  fix: check the mirror");
        }
    }

    private void checkFreshness(Source src, Release rel, URI dists) {
        if (rel.validUntil().isPresent() && rel.validUntil().get().isBefore(now)) {
            throw new ResolveException(ResolveException.Kind.RELEASE_EXPIRED,
                    dists + "InRelease expired: Valid-Until " + rel.validUntil().get()
                    + " is before now (" + now + ")\n  expected: a Release still within its validity"
                    + "\n  fix: the mirror serves stale metadata (or this clock is wrong); use an up-to-date mirror");
        }
        Optional<String> seen = store.state(ROLLBACK_STATE, rollbackKey(src));
        if (seen.isPresent()) {
            Instant before = Instant.parse(seen.get().trim());
            if (rel.date().isBefore(before)) {
                throw new ResolveException(ResolveException.Kind.ROLLBACK,
                        dists + "InRelease is older than one this store has already seen:"
                        + "\n  expected: Date " + before + " or newer\n  found:    Date " + rel.date()
                        + "\n  this is how a replay (rollback) attack looks; kiln refuses to go back in time."
                        + "\n  fix: use an up-to-date mirror");
            }
        }
    }

    private void recordDate(Source src, Release rel) {
        Digest key = rollbackKey(src);
        Optional<String> seen = store.state(ROLLBACK_STATE, key);
        if (seen.isEmpty() || Instant.parse(seen.get().trim()).isBefore(rel.date())) {
            store.putState(ROLLBACK_STATE, key, rel.date().toString());
        }
    }

    /**
     * Whether this store has verified a Release of {@code src} before. If not, its signature will
     * surely be checked (no verdict can be remembered), so its keys may as well be read early.
     */
    public boolean seenBefore(Source src) {
        return store.state(LAST_RELEASE_STATE, rollbackKey(src)).isPresent();
    }

    private static Digest rollbackKey(Source src) {
        // the line as written (with ${DEBIAN_MIRROR}), so that a stale mirror cannot roll a suite back either
        return Digest.of(src.line() + "\n" + src.suite());
    }

    /*
     * Which compressed form of an index to read, when the signed Release lists several. gzip comes
     * first: the JVM inflates it with the platform's zlib at ~250 MB/s, while xz-java decodes ~45
     * MB/s (bookworm's main index: 1.1 s for .xz against 0.2 s for .gz, for 3 MB more download).
     * Every form is checked against the same signed SHA256, so the choice changes no trust.
     */
    private static final String[] FLAVOURS = {"Packages.gz", "Packages.xz", "Packages"};

    private Release.FileEntry pickIndex(Release rel, String component, String arch, URI dists, Source src) {
        return pickOptionalIndex(rel, component, arch).orElseThrow(() -> new ResolveException(ResolveException.Kind.NO_INDEX,
                dists + "InRelease lists no Packages index for " + component + "/binary-" + arch
                        + "\n  expected: " + component + "/binary-" + arch + "/Packages.xz (or .gz, or plain)"
                        + "\n  found: architectures " + rel.architectures() + ", components " + rel.components()
                        + "\n  fix: check the component and the archs in the spec (line '" + src.line() + "')"));
    }

    private static Optional<Release.FileEntry> pickOptionalIndex(Release rel, String component, String arch) {
        for (String f : FLAVOURS) {
            Optional<Release.FileEntry> e = rel.file(component + "/binary-" + arch + "/" + f);
            if (e.isPresent()) {
                return e;
            }
        }
        return Optional.empty();
    }

    private PackageSource packages(Release.FileEntry e, URI dists, Release rel) {
        Optional<Digest> cached = store.memo(IndexCodec.STEP, e.sha256());
        if (cached.isPresent()) {
            try {
                return IndexCodec.source(store.readChecked(cached.get()).orElseThrow());
            } catch (RuntimeException damaged) {
                // a damaged cache entry is rebuilt from the verified index below
            }
        }
        if (!store.contains(e.sha256())) {
            fetchVerified(e, dists, rel);
        }
        phases.phase("fetched " + e.path());
        byte[] text = decompress(e, store.blobPath(e.sha256()), plainSize(rel, e));
        phases.phase("decompressed " + e.path());
        // each stanza goes straight into the store's form, which is also what the solver reads:
        // no parsed stanza outlives the parse (about 60k of them, which the collector would copy)
        IndexCodec.Encoder encoder = new IndexCodec.Encoder(text.length / 5 * 3);
        PackagesParser.parse(text, 0, text.length, dists + e.path(), encoder::add);
        text = null; // the ~45 MB of text may be collected before finish() allocates the encoded form
        byte[] encoded = encoder.finish();
        phases.phase("parsed " + e.path());
        // cached on the side while the caller goes on to solve, unless the lock has failed meanwhile
        synchronized (pending) {
            if (!settled) {
                pending.add(CompletableFuture.runAsync(() -> {
                    store.putMemo(IndexCodec.STEP, e.sha256(), store.put(encoded));
                    phases.phase("cached " + e.path());
                }, r -> {
                    Thread t = new Thread(r, "kiln-index-cache");
                    t.setDaemon(true);
                    t.start();
                }));
            }
        }
        return IndexCodec.source(encoded);
    }

    /**
     * Downloads an index with the same fetcher that fetches packages (retries, resume, size cap,
     * streaming verification): through by-hash when the Release offers it, else (or when a mirror
     * lags on by-hash) the plain path, both checked against the same signed size and SHA256.
     */
    private void fetchVerified(Release.FileEntry e, URI dists, Release rel) {
        if (offline) {
            throw new ResolveException(ResolveException.Kind.OFFLINE_MISSING, "offline, and this store lacks " + dists + e.path()
                    + " (" + e.sha256() + ")" + OFFLINE_FIX);
        }
        List<URI> urls = new ArrayList<>();
        if (rel.acquireByHash()) {
            String dir = e.path().substring(0, e.path().lastIndexOf('/') + 1);
            urls.add(dists.resolve(dir + "by-hash/SHA256/" + e.sha256().hex()));
        }
        urls.add(dists.resolve(e.path()));
        try {
            new Fetcher(transport, store, 1, FetchListener.NONE)
                    .fetch(List.of(new Download("the index " + dists + e.path(), urls, e.size(), e.sha256())));
        } catch (DownloadsFailedException failed) {
            if (failed.networkOnly()) {
                throw failed; // the mirror was not reached: nothing to say of its contents
            }
            throw new FetchException(failed::code, dists + e.path() + " does not match the signed Release (or could not be had):"
                    + "\n  expected: " + e.size() + " bytes with " + e.sha256() + "\n" + failed.report()
                    + "\n  nothing was kept; fix: the mirror is inconsistent or tampered with; retry or use another mirror", failed);
        }
    }

    /**
     * The size the Release gives the uncompressed index (Debian's list it beside the compressed
     * forms, served or not), or -1: only a hint for the buffer, held to nothing.
     */
    private static int plainSize(Release rel, Release.FileEntry e) {
        String p = e.path();
        if (!p.endsWith(".gz") && !p.endsWith(".xz")) {
            return -1;
        }
        return rel.file(p.substring(0, p.length() - 3)).map(Release.FileEntry::size)
                .filter(n -> n >= 0 && n < Integer.MAX_VALUE - 16).map(Long::intValue).orElse(-1);
    }

    private static byte[] decompress(Release.FileEntry e, Path file, int expected) {
        try (InputStream raw = Files.newInputStream(file)) {
            InputStream in;
            if (e.path().endsWith(".xz")) {
                in = new XZInputStream(new java.io.BufferedInputStream(raw, 1 << 16));
            } else if (e.path().endsWith(".gz")) {
                in = new GZIPInputStream(raw, 1 << 16);
            } else {
                in = raw;
            }
            if (expected < 0) {
                return in.readAllBytes();
            }
            // into one array of the size the Release gives: readAllBytes() would gather ~45 MB in
            // pieces and copy them once more, garbage the collector would copy on the critical path
            byte[] text = new byte[expected];
            int n = in.readNBytes(text, 0, expected);
            int next = n == expected ? in.read() : -1;
            if (n == expected && next == -1) {
                return text;
            }
            ByteArrayOutputStream whole = new ByteArrayOutputStream(n + (1 << 20)); // the Release was wrong: read on
            whole.write(text, 0, n);
            if (next != -1) {
                whole.write(next);
                in.transferTo(whole);
            }
            return whole.toByteArray();
        } catch (IOException io) {
            throw new ResolveException("cannot decompress " + e.path() + " (" + e.sha256() + "): " + io.getMessage()
                    + "\n  the file matched its signed hash, so the repository itself ships a broken index");
        }
    }

    private byte[] download(URI uri, long max) {
        try (Transport.Body body = transport.get(uri)) {
            if (body.length() > max) {
                throw new FetchException(FetchException.Kind.WRONG_BYTES,
                        uri + ": the server announces " + body.length() + " bytes; more than the "
                        + max + " any such file may have");
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            byte[] buf = new byte[1 << 16];
            long total = 0;
            try (InputStream in = body.stream()) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    total += n;
                    if (total > max) {
                        throw new FetchException(FetchException.Kind.WRONG_BYTES,
                                uri + ": more than " + max + " bytes; refusing to read further");
                    }
                    out.write(buf, 0, n);
                }
            }
            return out.toByteArray();
        } catch (IOException io) {
            throw new FetchException(FetchException.Kind.NETWORK, "reading " + uri + " failed: " + io.getMessage(), io);
        }
    }
}
