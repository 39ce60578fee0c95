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
        return result(lockFile, write(s, resolve(s, in, request.mode(), false), lockFile));
    }

    static LockCheckResult check(Session s, LockRequest request) {
        Path lockFile = request.lockFileOrDefault();
        Lock old = read(lockFile);
        Lock fresh = resolve(s, Inputs.of(request.spec(), lockFile, s.context()), request.mode(), false);
        return new LockCheckResult(lockFile, LockDiff.between(old, fresh, Copies.listings(s.store())).lines());
    }

    /**
     * Resolves a spec into a lock (nothing written): its copies first, so that one that cannot be
     * copied fails before any download. Offline, the newest Releases and indexes this store
     * verified are used and nothing is downloaded. With {@code deferCaches} the parsed indexes are
     * written to the store in the background ({@link Session#awaitBackground}).
     */
    static Lock resolve(Session s, Inputs in, LockMode mode, boolean deferCaches) {
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
        return resolver.lock(new Resolver.LockRequest(in.lockPath(), spec.digest(), in.baseDir(), spec.contents().repositories(),
                requests, spec.archs(), options, mode == LockMode.OFFLINE)).withCopies(copies);
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

    static LockResult result(Path lockFile, Lock lock) {
        TreeMap<String, List<LockResult.Package>> packages = new TreeMap<>();
        lock.archs().forEach((arch, list) -> packages.put(arch, list.stream()
                .map(p -> new LockResult.Package(p.name(), p.version(), p.architecture(), p.size(), p.sha256().toString())).toList()));
        List<LockResult.Copy> copies = lock.copies().stream()
                .map(c -> new LockResult.Copy(c.path(), c.source(), c.sha256().toString(), c.files(), c.size())).toList();
        return new LockResult(lockFile, lock.spec().digest().toString(), packages, copies);
    }
}
