package dev.kiln.api;

import dev.kiln.assembler.copy.Copies;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.PackageRequest;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** Resolving a spec into a lock, writing it, and holding a lock against a fresh resolution. */
final class Locking {
    private Locking() {
    }

    static LockResult lock(Session s, LockRequest request) {
        Path lockFile = request.lockFileOrDefault();
        Inputs in = Inputs.of(request.spec(), lockFile, s.context());
        checkLockTarget(lockFile);
        Lock previous = request.updateAll() ? null : previous(lockFile);
        requirePinned(previous, request.update(), lockFile);
        Resolver.Resolution r = resolve(s, in, request.mode(), false, previous, request.update());
        return result(lockFile, write(s, r.lock(), lockFile), previous, r);
    }

    /**
     * "Would {@code kiln lock} change this file?": the lock held against a conservative resolution
     * from itself. Newer versions that do not invalidate a pin are not a change (outdated's to report).
     */
    static LockCheckResult check(Session s, LockRequest request) {
        Path lockFile = request.lockFileOrDefault();
        Lock old = read(lockFile);
        Resolver.Resolution fresh = resolve(s, Inputs.of(request.spec(), lockFile, s.context()), request.mode(), false,
                old, request.update());
        List<String> lines = new ArrayList<>(LockDiff.between(old, fresh.lock(), Copies.listings(s.store())).lines());
        fresh.moved().forEach((arch, m) -> m.forEach((name, why) -> {
            if (!why.isEmpty()) {
                lines.add("  " + arch + " " + name + ": " + why);
            }
        }));
        if (lines.isEmpty() && !java.util.Arrays.equals(LockJson.write(old), LockJson.write(fresh.lock()))) {
            lines.add("~ the lock's bytes differ from what kiln lock writes (its Release pins or its format)");
        }
        return new LockCheckResult(lockFile, lines);
    }

    /** Each name to update must be a package {@code previous} pins: a misspelt one would update nothing without a word. */
    static void requirePinned(Lock previous, Set<String> update, Path lockFile) {
        if (update.isEmpty()) {
            return;
        }
        java.util.TreeSet<String> pinned = new java.util.TreeSet<>();
        if (previous != null) {
            previous.archs().values().forEach(ps -> ps.forEach(p -> pinned.add(p.name())));
        }
        List<String> unknown = update.stream().filter(n -> !pinned.contains(n)).sorted().toList();
        if (unknown.isEmpty()) {
            return;
        }
        if (previous == null) {
            throw new ResolveException(ResolveException.Kind.NO_SUCH_PACKAGE, "cannot update " + String.join(", ", unknown)
                    + ": there is no lock at " + lockFile + " whose pins could be kept or moved"
                    + "\n  fix: lock the spec first (every package then takes its newest version)");
        }
        StringBuilder m = new StringBuilder("cannot update " + String.join(", ", unknown) + ": " + lockFile
                + " pins no package of " + (unknown.size() == 1 ? "that name" : "those names"));
        for (String n : unknown) {
            List<String> near = dev.kiln.resolver.solve.Solver.closest(n, pinned);
            if (!near.isEmpty()) {
                m.append("\n  ").append(n).append(": did you mean ").append(String.join(", ", near)).append('?');
            }
        }
        m.append("\n  fix: name packages the lock pins (").append(pinned.size()).append(" of them, listed in the lock file)");
        throw new ResolveException(ResolveException.Kind.NO_SUCH_PACKAGE, m.toString());
    }

    /** The lock already at {@code lockFile}, whose pins a new lock keeps; null when there is none. */
    static Lock previous(Path lockFile) {
        if (!Files.exists(lockFile)) {
            return null;
        }
        try {
            return read(lockFile);
        } catch (ResolveException e) {
            throw new ResolveException(ResolveException.Kind.LOCK_INVALID, e.description()
                    + "\n  a new lock keeps the pins of the lock it replaces, so that lock must be readable"
                    + "\n  fix: resolve afresh (update everything), which replaces it, or move the file away", e);
        }
    }

    /**
     * Resolves a spec into a lock (nothing written): its copies first, so that one that cannot be
     * copied fails before any download. Offline, the newest Releases and indexes this store
     * verified are used and nothing is downloaded. With {@code deferCaches} the parsed indexes are
     * written to the store in the background ({@link Session#awaitBackground}).
     */
    static Lock resolve(Session s, Inputs in, LockMode mode, boolean deferCaches) {
        return resolve(s, in, mode, deferCaches, null, Set.of()).lock();
    }

    /** As {@link #resolve(Session, Inputs, LockMode, boolean)}, keeping {@code previous}'s pins but those of {@code update}. */
    static Resolver.Resolution resolve(Session s, Inputs in, LockMode mode, boolean deferCaches, Lock previous, Set<String> update) {
        return resolve(s, in, mode, deferCaches, previous, update, List.of());
    }

    /** As above, with packages that recipes locked together will make as candidates (a recipe's environment only). */
    static Resolver.Resolution resolve(Session s, Inputs in, LockMode mode, boolean deferCaches, Lock previous, Set<String> update,
                                       List<Resolver.RecipePackage> recipes) {
        ImageSpec spec = in.parsed();
        s.events.phase("spec parsed");
        List<Request> requests = new ArrayList<>();
        for (PackageRequest p : spec.contents().packages()) {
            requests.add(p.constraint().isPresent()
                    ? new Request(p.name(), p.constraint().get().relation(), p.constraint().get().version())
                    : Request.of(p.name()));
        }
        Map<String, Set<String>> skip = new LinkedHashMap<>();
        spec.contents().skipDependencies().forEach((k, v) -> skip.put(k, new LinkedHashSet<>(v)));
        SolveOptions options = new SolveOptions(new LinkedHashSet<>(spec.contents().exclude()), skip, spec.contents().recommends());
        List<Lock.Copy> copies = Copies.lock(spec, in.buildContext(s.context()), s.store());
        Resolver resolver = s.resolver(deferCaches);
        Resolver.LockRequest req = new Resolver.LockRequest(in.lockPath(), spec.digest(), in.baseDir(), spec.contents().repositories(),
                requests, spec.archs(), options, mode == LockMode.OFFLINE);
        req = req.withRecipes(recipes);
        Resolver.Resolution r = resolver.resolve(previous == null ? req : req.keeping(previous, update));
        for (Resolver.Shadowed x : r.shadowed()) {
            s.events.emit(new ShadowedPackageEvent(x.name(), x.version(), x.from(), x.hiddenVersion(), x.hiddenFrom(), x.message()));
        }
        return new Resolver.Resolution(r.lock().withCopies(copies), r.moved(), r.shadowed());
    }

    /** A lock that could not be written where it goes is refused before anything is resolved. */
    static void checkLockTarget(Path lockFile) {
        if (Files.isDirectory(lockFile)) {
            throw new StoreException("cannot write the lock at " + lockFile.toAbsolutePath() + ": it is a directory"
                    + "\n  fix: name a file (e.g. " + lockFile.resolve("image.lock.json") + ")");
        }
    }

    /** Writes the lock atomically and registers it as a root of the store. */
    static Lock write(Session s, Lock lock, Path lockFile) {
        writeAtomically(lockFile, LockJson.write(lock));
        s.store().addRoot(lockFile.toAbsolutePath());
        return lock;
    }

    static Lock read(Path lockFile) {
        try {
            return LockJson.read(Files.readAllBytes(lockFile), lockFile.toString());
        } catch (IOException e) {
            throw new ResolveException(ResolveException.Kind.LOCK_INVALID, "cannot read the lockfile " + lockFile + ": " + IoErrors.why(e)
                    + "\n  fix: lock its spec to make it");
        }
    }

    /** Writes, fsyncs and renames {@code bytes} onto {@code target}, then fsyncs its directory. */
    static void writeAtomically(Path target, byte[] bytes) {
        Path abs = target.toAbsolutePath();
        try {
            AtomicFile.createDirectories(abs.getParent());
            AtomicFile.write(abs, bytes, AtomicFile.PUBLIC);
        } catch (IOException e) {
            throw new StoreException("cannot write " + target + ": " + IoErrors.why(e), e);
        }
    }

    static LockResult result(Path lockFile, Lock lock, Lock previous, Resolver.Resolution r) {
        LockResult plain = result(lockFile, lock);
        if (previous == null) {
            return plain;
        }
        List<LockResult.Change> changes = new ArrayList<>();
        LockDiff.forEachPackage(previous, lock, (arch, n, pa, pb) -> {
            if (pa != null && pb != null && pa.version().equals(pb.version()) && pa.sha256().equals(pb.sha256())) {
                return;
            }
            String why = r.moved().getOrDefault(arch, new TreeMap<>()).getOrDefault(n, "");
            changes.add(new LockResult.Change(arch, n, pa == null ? null : pa.version(), pb == null ? null : pb.version(),
                    why.isEmpty() ? null : why));
        });
        return plain.withChanges(true, changes);
    }

    static LockResult result(Path lockFile, Lock lock) {
        TreeMap<String, List<LockResult.Package>> packages = new TreeMap<>();
        lock.archs().forEach((arch, list) -> packages.put(arch, list.stream()
                .map(p -> new LockResult.Package(p.name(), p.version(), p.architecture(), p.size(), p.sha256().toString())).toList()));
        List<LockResult.Copy> copies = lock.copies().stream()
                .map(c -> new LockResult.Copy(c.path(), c.source(), c.sha256().toString(), c.files(), c.size())).toList();
        return new LockResult(lockFile, lock.spec().digest().toString(), packages, copies);
    }
}
