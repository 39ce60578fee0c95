package dev.kiln.api;

import dev.kiln.assembler.deb.DebChangelog;
import dev.kiln.fetcher.Download;
import dev.kiln.fetcher.Fetcher;
import dev.kiln.resolver.debian.DebianChangelog;
import dev.kiln.resolver.debian.DebianVersion;
import dev.kiln.resolver.debian.Release;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Candidate;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.solve.Universe;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.KilnException;
import dev.kiln.store.MemoStep;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * Holding a lock against what its spec's signed repositories offer now: for each locked package
 * whose candidate is newer, the update, whether it is a security one, and what the new package's
 * changelog says since the locked version. Changelogs come from the .debs (fetched by the sha256
 * of the signed index, so nothing unverified enters the store) and are remembered by that sha256.
 */
final class Outdating {
    static final MemoStep STEP = MemoStep.DEBIAN_CHANGELOG;
    /** A doc directory that links to another package's, which links on: how far kiln follows. */
    private static final int MAX_LINKS = 3;
    /** The urgency from which a changelog entry that speaks of security makes an update a security one. */
    private static final int SECURITY_URGENCY = DebianChangelog.URGENCIES.indexOf("high");

    private final Session s;
    private final boolean offline;
    private final List<String> notes = new ArrayList<>();
    /** The packages whose changelog an offline run could not read. */
    private final TreeSet<String> offlineMissing = new TreeSet<>();

    private Outdating(Session s, boolean offline) {
        this.s = s;
        this.offline = offline;
    }

    static OutdatedResult outdated(Session s, OutdatedRequest request) {
        return new Outdating(s, request.mode() == LockMode.OFFLINE).run(request);
    }

    /** A change offered for a locked package, on the architectures it applies to. */
    private static final class Offer {
        final Lock.Package locked;
        final Candidate candidate;
        final Universe universe;
        final TreeSet<String> archs = new TreeSet<>();
        ChangelogRecord changelog;
        OutdatedResult.Changelog state = OutdatedResult.Changelog.MISSING;

        Offer(Lock.Package locked, Candidate candidate, Universe universe) {
            this.locked = locked;
            this.candidate = candidate;
            this.universe = universe;
        }
    }

    private OutdatedResult run(OutdatedRequest request) {
        Path lockFile;
        Spec spec;
        Lock lock;
        if (request.spec().isPresent()) {
            spec = request.spec().get();
            lockFile = request.lockFile().orElseGet(() -> LockRequest.lockFileOf(spec));
            lock = Locking.read(lockFile);
        } else {
            lockFile = request.lockFile().orElseThrow();
            lock = Locking.read(lockFile);
            spec = Spec.load(specOf(lockFile, lock));
        }
        s.events.phase("lock read");
        Inputs in = Inputs.of(spec, lockFile, s.context());
        ImageSpec parsed = in.parsed();
        if (!lock.spec().digest().equals(parsed.digest())) {
            notes.add("the spec changed since the lock was made: the lock's packages are held against the repositories"
                    + " the spec names now");
        }
        Instant now = s.clock.instant();
        for (Lock.Repository r : lock.repositories()) {
            if (r.validUntil().isPresent() && now.isAfter(r.validUntil().get())) {
                notes.add("'" + r.line() + "': the Release the lock was made from was valid until " + r.validUntil().get()
                        + "; fixes published since are not in the lock, and some may still be pending");
            }
        }
        List<String> archs = List.copyOf(lock.archs().keySet());
        Resolver.Universes universes = s.resolver(false).universes(new Resolver.LockRequest(in.lockPath(), parsed.digest(),
                in.baseDir(), parsed.contents().repositories(), List.of(), archs, SolveOptions.DEFAULT, offline));
        s.events.phase("repositories read");

        List<Offer> offers = offers(lock, universes);
        readChangelogs(offers, parsed.contents().repositories(), in.baseDir());
        if (!offlineMissing.isEmpty()) {
            notes.add("offline, and the store holds neither the package nor its changelog for " + String.join(", ", offlineMissing)
                    + ": their CVE ids and urgency are not known");
        }
        s.events.phase("changelogs read");

        List<OutdatedResult.Update> updates = new ArrayList<>();
        for (Offer o : offers) {
            updates.add(update(o, parsed.contents().repositories().get(o.candidate.repository()),
                    universes.releases().get(o.candidate.repository()).release()));
        }
        updates.sort(Comparator.comparing(OutdatedResult.Update::name)
                .thenComparing(u -> String.join(",", u.architectures())));
        return new OutdatedResult(lockFile, in.specPath(), updates, notes);
    }

    /** The spec a lock names: its path is relative to the lock's directory. */
    private static Path specOf(Path lockFile, Lock lock) {
        Path file = lockFile.resolveSibling(lock.spec().path()).normalize();
        if (!Files.isRegularFile(file)) {
            throw new SpecException(SpecException.Kind.NOT_FOUND, lockFile + " was made from the spec " + lock.spec().path()
                    + " (relative to the lock), and there is no file at " + file.toAbsolutePath(),
                    "name the spec instead of the lock, or put the lock back beside its spec");
        }
        return file;
    }

    /** Each locked package whose candidate is newer, architectures with the same change merged. */
    private List<Offer> offers(Lock lock, Resolver.Universes universes) {
        Map<String, Offer> byChange = new LinkedHashMap<>();
        TreeSet<String> gone = new TreeSet<>();
        for (Map.Entry<String, List<Lock.Package>> arch : lock.archs().entrySet()) {
            Universe u = universes.byArch().get(arch.getKey());
            for (Lock.Package p : arch.getValue()) {
                Candidate c = u.candidate(p.name());
                if (c == null) {
                    gone.add(p.name() + " (" + arch.getKey() + ")");
                    continue;
                }
                if (c.version().compareTo(DebianVersion.parse(p.version())) <= 0) {
                    continue;
                }
                String key = p.name() + " " + p.version() + " " + c.record().version() + " " + c.repository();
                byChange.computeIfAbsent(key, k -> new Offer(p, c, u)).archs.add(arch.getKey());
            }
        }
        if (!gone.isEmpty()) {
            notes.add("no longer offered by the spec's repositories: " + String.join(", ", gone)
                    + "; locking again replaces them");
        }
        return new ArrayList<>(byChange.values());
    }

    /**
     * Reads the changelog of each offer's new package: from the memo, else from the .deb (all the
     * missing ones fetched at once), following a doc directory that links to another package's to
     * that package's candidate in the same repository.
     */
    private void readChangelogs(List<Offer> offers, List<SourceLine> lines, Path specDir) {
        Map<Offer, Candidate> pending = new LinkedHashMap<>();
        for (Offer o : offers) {
            pending.put(o, o.candidate);
        }
        for (int hop = 0; hop <= MAX_LINKS && !pending.isEmpty(); hop++) {
            fetchMissing(pending.values(), lines, specDir);
            Map<Offer, Candidate> next = new LinkedHashMap<>();
            for (Map.Entry<Offer, Candidate> e : pending.entrySet()) {
                Offer o = e.getKey();
                Candidate c = e.getValue();
                Optional<ChangelogRecord> r = record(c, o);
                if (r.isEmpty()) {
                    continue; // the state says why
                }
                if (r.get().elsewhere() == null) {
                    o.changelog = r.get();
                    o.state = r.get().entries() == null ? OutdatedResult.Changelog.MISSING : OutdatedResult.Changelog.READ;
                    continue;
                }
                Candidate other = sameRepository(o.universe, r.get().elsewhere(), c.repository());
                if (other == null) {
                    notes.add(o.locked.name() + " " + o.candidate.record().version() + ": its changelog is in the doc directory of "
                            + r.get().elsewhere() + ", which its repository does not offer");
                    o.state = OutdatedResult.Changelog.MISSING;
                } else if (hop == MAX_LINKS) {
                    notes.add(o.locked.name() + " " + o.candidate.record().version() + ": its doc directory links on past "
                            + MAX_LINKS + " other packages; its changelog was not read");
                    o.state = OutdatedResult.Changelog.UNREADABLE;
                } else {
                    next.put(o, other);
                }
            }
            pending = next;
        }
    }

    /** The newest version of {@code name} in the repository at {@code repository}, or null. */
    private static Candidate sameRepository(Universe u, String name, int repository) {
        Candidate best = null;
        for (Candidate c : u.versions(name)) {
            if (c.repository() == repository && (best == null || c.version().compareTo(best.version()) > 0)) {
                best = c;
            }
        }
        return best;
    }

    private static Digest sha256(Candidate c) {
        return Digest.parse(c.record().sha256());
    }

    private Digest memoKey(Digest deb) {
        return Digest.of(STEP.id() + "\n" + deb);
    }

    /** Fetches (in one go) the .debs whose changelog is neither remembered nor in the store; offline, none. */
    private void fetchMissing(java.util.Collection<Candidate> candidates, List<SourceLine> lines, Path specDir) {
        ContentStore store = s.store();
        Map<Digest, Download> downloads = new LinkedHashMap<>();
        for (Candidate c : candidates) {
            Digest deb = sha256(c);
            if (downloads.containsKey(deb) || store.memo(STEP, memoKey(deb)).isPresent() || offline) {
                continue;
            }
            List<URI> urls = new ArrayList<>();
            for (URI base : lines.get(c.repository()).expandAll(s.mirrors, specDir)) {
                String b = base.toString();
                urls.add(URI.create((b.endsWith("/") ? b : b + "/") + c.record().filename()));
            }
            downloads.put(deb, new Download(c.name() + " " + c.record().version() + " " + c.record().architecture(), urls,
                    c.record().size(), deb));
        }
        if (!downloads.isEmpty()) {
            new Fetcher(s.transport, store, Fetcher.DEFAULT_CONCURRENCY, s.events.fetch()).fetch(List.copyOf(downloads.values()));
        }
    }

    /**
     * What the changelog of {@code c}'s .deb says: remembered, or read from the .deb in the store
     * and remembered. Empty when it cannot be had (offline and not in the store) or read; the offer's
     * state and the notes say which.
     */
    private Optional<ChangelogRecord> record(Candidate c, Offer o) {
        ContentStore store = s.store();
        Digest deb = sha256(c);
        Digest key = memoKey(deb);
        Optional<Digest> memo = store.memo(STEP, key);
        if (memo.isPresent()) {
            try {
                Optional<byte[]> bytes = store.readChecked(memo.get());
                if (bytes.isPresent()) {
                    return Optional.of(ChangelogRecord.read(bytes.get(), deb));
                }
            } catch (RuntimeException damaged) {
                // read from the .deb again
            }
        }
        String what = c.name() + " " + c.record().version();
        Optional<Path> blob = store.blob(deb);
        if (blob.isEmpty()) {
            if (offline) {
                o.state = OutdatedResult.Changelog.OFFLINE;
                offlineMissing.add(what);
                return Optional.empty();
            }
            throw new StoreException(StoreException.Kind.MISSING, what + " (" + deb + ") was fetched, but the store has no such blob");
        }
        ChangelogRecord r;
        try (InputStream in = Files.newInputStream(blob.get())) {
            DebChangelog found = DebChangelog.read(in, what);
            if (found instanceof DebChangelog.Text t) {
                r = ChangelogRecord.of(deb, DebianChangelog.parse(t.text(), what + ": " + t.path()));
            } else if (found instanceof DebChangelog.Elsewhere e) {
                r = new ChangelogRecord(deb, e.otherPackage(), null);
            } else {
                r = new ChangelogRecord(deb, null, null);
            }
        } catch (IOException e) {
            throw new StoreException("cannot read " + blob.get() + ": " + IoErrors.why(e), e);
        } catch (KilnException e) {
            if (e instanceof StoreException) {
                throw e;
            }
            o.state = OutdatedResult.Changelog.UNREADABLE;
            notes.add("the changelog of " + what + " cannot be read, so its CVE ids and urgency are not known: " + e.getMessage());
            return Optional.empty();
        }
        store.putMemo(STEP, key, store.put(r.json()));
        return Optional.of(r);
    }

    private OutdatedResult.Update update(Offer o, SourceLine line, Release release) {
        boolean securitySuite = isSecuritySuite(line.suite()) || isSecuritySuite(release.suite())
                || isSecuritySuite(release.codename());
        List<ChangelogRecord.Entry> newer = new ArrayList<>();
        if (o.changelog != null && o.changelog.entries() != null) {
            DebianVersion locked = DebianVersion.parse(o.locked.version());
            for (ChangelogRecord.Entry e : o.changelog.entries()) {
                if (DebianVersion.parse(e.version()).compareTo(locked) > 0) {
                    newer.add(e);
                }
            }
        }
        TreeSet<String> cves = new TreeSet<>(DebianChangelog.CVE_ORDER);
        int urgency = -1;
        boolean securityChangelog = false;
        for (ChangelogRecord.Entry e : newer) {
            cves.addAll(e.cves());
            int rank = DebianChangelog.urgencyRank(e.urgency());
            urgency = Math.max(urgency, rank);
            // a CVE id is a security fix whatever the urgency (Debian's point releases carry them at medium)
            securityChangelog |= !e.cves().isEmpty() || (rank >= SECURITY_URGENCY && e.mentionsSecurity());
        }
        return new OutdatedResult.Update(o.locked.name(), List.copyOf(o.archs), o.locked.version(), o.candidate.record().version(),
                line.written(), line.suite(), securitySuite || securityChangelog, List.copyOf(cves),
                urgency < 0 ? Optional.empty() : Optional.of(DebianChangelog.URGENCIES.get(urgency)), o.state);
    }

    private static boolean isSecuritySuite(String suite) {
        return suite != null && suite.endsWith("-security");
    }
}
