package dev.kiln.api;

import dev.kiln.assembler.cache.ControlCache;
import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.solve.ClosureGraph;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.PackageRequest;
import dev.kiln.store.Digest;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Why a package is in a lock's closure: the graph of each architecture's locked packages, from their
 * control data (the .debs fetched into the store by their pinned sha256), and the shortest chain
 * from each package the spec asks for.
 */
final class Explaining {
    private Explaining() {
    }

    static WhyResult why(Session s, WhyRequest request) {
        Path given = request.specOrLock();
        boolean lockGiven = given.getFileName() != null && given.getFileName().toString().endsWith(".json");
        Path lockFile = lockGiven ? given : LockRequest.besideSpec(given);
        Lock lock = Locking.read(lockFile);
        Path specFile = lockGiven ? specBeside(lockFile, lock) : given;
        Spec spec = Spec.load(specFile);
        s.events.phase("lock read");
        Fetching.fetch(s, lockFile, lock, request.mode() == LockMode.OFFLINE, specFile.toAbsolutePath().getParent());
        s.events.phase("fetched");
        ControlCache controls = new ControlCache(s.store());
        Map<Digest, PackageRecord> stanzas = new HashMap<>();
        lock.allPackages().forEach(p -> stanzas.put(p.sha256(), controls.stanza(p)));
        s.events.phase("control data read");

        Lock.Options o = lock.options();
        SolveOptions options = new SolveOptions(o.exclude(), o.skipDependencies(), o.recommends());
        List<String> requested = spec.parsed().contents().packages().stream().map(PackageRequest::name).distinct().toList();
        Map<WhyResult.Answer, List<String>> byAnswer = new LinkedHashMap<>();
        for (String arch : archsInSpecOrder(lock, spec)) {
            List<PackageRecord> closure = lock.packages(arch).stream().map(p -> stanzas.get(p.sha256())).toList();
            ClosureGraph graph = ClosureGraph.of(arch, closure, options);
            WhyResult.Answer answer = answer(request, graph, lock.packages(arch), requested, options);
            byAnswer.computeIfAbsent(answer, a -> new ArrayList<>()).add(arch);
        }
        List<WhyResult.Answer> answers = new ArrayList<>();
        byAnswer.forEach((a, archs) -> answers.add(new WhyResult.Answer(archs, a.status(), a.version(), a.providedBy(), a.skippedBy(),
                a.chains(), a.moreChains())));
        s.events.phase("chains found");
        return new WhyResult(request.packageName(), specFile, lockFile, lock.spec().digest().toString().equals(spec.digest()), answers);
    }

    /** The spec a lock was made from: its path in the lock is relative to the lock's directory. */
    private static Path specBeside(Path lockFile, Lock lock) {
        Path dir = lockFile.getParent();
        return (dir == null ? Path.of(lock.spec().path()) : dir.resolve(lock.spec().path())).normalize();
    }

    private static List<String> archsInSpecOrder(Lock lock, Spec spec) {
        List<String> order = spec.architectures();
        return lock.archs().keySet().stream()
                .sorted(Comparator.comparingInt(a -> order.contains(a) ? order.indexOf(a) : order.size())).toList();
    }

    /** One architecture's answer (its architectures list left empty: answers that agree are merged). */
    private static WhyResult.Answer answer(WhyRequest request, ClosureGraph graph, List<Lock.Package> locked, List<String> requested,
            SolveOptions options) {
        String name = request.packageName();
        List<String> providers = graph.contains(name) ? List.of() : graph.providersOf(name);
        Set<String> targets = providers.isEmpty() ? Set.of(name) : new LinkedHashSet<>(providers);
        Optional<String> version = locked.stream().filter(p -> targets.contains(p.name())).map(Lock.Package::version).findFirst();
        if (version.isEmpty()) {
            if (options.exclude().contains(name)) {
                return answer(WhyResult.Status.EXCLUDED, version, providers, List.of(), List.of(), 0);
            }
            List<String> skippedBy = options.skipDependencies().entrySet().stream()
                    .filter(e -> e.getValue().contains(name)).map(Map.Entry::getKey).sorted().toList();
            return answer(skippedBy.isEmpty() ? WhyResult.Status.ABSENT : WhyResult.Status.SKIPPED, version, providers, skippedBy,
                    List.of(), 0);
        }
        boolean isRequested = false;
        List<WhyResult.Chain> chains = new ArrayList<>();
        Set<String> roots = new HashSet<>();
        for (String r : requested) {
            Optional<String> root = graph.requested(r);
            if (root.isEmpty() || !roots.add(root.get())) {
                continue;
            }
            if (targets.contains(root.get())) {
                isRequested = true;
                continue;
            }
            graph.shortestChain(root.get(), targets).ifPresent(edges -> chains.add(new WhyResult.Chain(r, edges.stream()
                    .map(e -> new WhyResult.Link(e.from(), e.to(), e.relation(),
                            e.group().size() > 1 ? Optional.of(e.alternative().toString()) : Optional.empty(),
                            e.provided().map(Object::toString)))
                    .toList())));
        }
        chains.sort(Comparator.comparingInt(c -> c.links().size())); // stable: the spec's order among equals
        int shown = Math.min(chains.size(), request.maxChains());
        WhyResult.Status status = isRequested ? WhyResult.Status.REQUESTED
                : chains.isEmpty() ? WhyResult.Status.UNREACHABLE : WhyResult.Status.PULLED_IN;
        return answer(status, version, providers, List.of(), chains.subList(0, shown), chains.size() - shown);
    }

    private static WhyResult.Answer answer(WhyResult.Status status, Optional<String> version, List<String> providers, List<String> skippedBy,
            List<WhyResult.Chain> chains, int more) {
        return new WhyResult.Answer(List.of(), status, version, providers, skippedBy, chains, more);
    }
}
