package dev.kiln.resolver.lock;

import dev.kiln.fetcher.Transport;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.fetcher.pgp.TrustedKeys;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.repo.RepositoryReader;
import dev.kiln.resolver.repo.SuiteIndex;
import dev.kiln.resolver.solve.Candidate;
import dev.kiln.resolver.solve.PackageSource;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.Solution;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.solve.Solver;
import dev.kiln.resolver.solve.Universe;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import dev.kiln.store.MemoStep;
import dev.kiln.store.PhaseListener;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Turns what a spec asks for into a {@link Lock}: reads every repository's signed metadata for
 * every architecture (in parallel), builds one {@link Universe} per architecture and solves it.
 */
public final class Resolver {
    /** Bump when the solver's choices change, so that memoized solutions are not reused. */
    static final MemoStep SOLVE_STEP = MemoStep.DEBIAN_SOLVE;

    private final Transport transport;
    private final ContentStore store;
    private final TrustedKeys trustedKeys;
    private final Map<String, String> env;
    private final Instant now;
    private final java.util.function.Consumer<java.util.concurrent.CompletableFuture<Void>> background;
    private final PhaseListener phases;
    /** The second place a relative {@code signed-by} path is looked for, after the spec's directory; null: none. */
    private final Path keyHome;

    /**
     * @param trustedKeys the keys a repository without {@code signed-by} is checked against (keys/)
     * @param env variables for {@code ${VAR}} in source lines (mirrors)
     */
    public Resolver(Transport transport, ContentStore store, Keyring trustedKeys, Map<String, String> env, Instant now) {
        this(transport, store, TrustedKeys.of(trustedKeys), env, now);
    }

    /** With key files that are parsed only if a signature has to be checked (not on a warm run). */
    public Resolver(Transport transport, ContentStore store, TrustedKeys trustedKeys, Map<String, String> env, Instant now) {
        this(transport, store, trustedKeys, env, now, null, PhaseListener.NONE, null);
    }

    private Resolver(Transport transport, ContentStore store, TrustedKeys trustedKeys, Map<String, String> env, Instant now,
            java.util.function.Consumer<java.util.concurrent.CompletableFuture<Void>> background, PhaseListener phases,
            Path keyHome) {
        this.transport = transport;
        this.store = store;
        this.trustedKeys = trustedKeys;
        this.env = Map.copyOf(env);
        this.now = now;
        this.background = background;
        this.phases = phases;
        this.keyHome = keyHome;
    }

    /** This resolver, telling {@code listener} as it passes each phase (releases verified, indexes read, solved). */
    public Resolver withPhases(PhaseListener listener) {
        return new Resolver(transport, store, trustedKeys, env, now, background,
                java.util.Objects.requireNonNull(listener, "listener"), keyHome);
    }

    /**
     * This resolver, looking for a relative {@code signed-by} key file in {@code dir} (kiln's own
     * directory, which holds keys/) when it is not beside the spec.
     */
    public Resolver withKeyHome(Path dir) {
        return new Resolver(transport, store, trustedKeys, env, now, background, phases,
                java.util.Objects.requireNonNull(dir, "dir"));
    }

    /**
     * This resolver, but {@link #lock} returns without waiting for the parsed indexes to be cached in
     * the store (for the next lock): those writes go to {@code sink}, and the caller waits for them
     * before the process ends. A build goes on fetching and unpacking meanwhile.
     */
    public Resolver deferringCacheWrites(java.util.function.Consumer<java.util.concurrent.CompletableFuture<Void>> sink) {
        return new Resolver(transport, store, trustedKeys, env, now, java.util.Objects.requireNonNull(sink, "sink"), phases,
                keyHome);
    }

    /**
     * What to resolve; the spec's own model is turned into this by the caller.
     *
     * @param previous the lock made before from this spec, whose pins are kept where they still
     *     satisfy the spec and are still offered (conservative locking); null to resolve afresh
     * @param update names whose pins are not kept (take the newest versions); with {@code previous} only
     * @param recipes packages that recipes locked together with this one will make: candidates that
     *     shadow every repository for their names, pinned as {@link Lock.FromRecipe}
     */
    public record LockRequest(String specPath, Digest specDigest, Path baseDir, List<SourceLine> repositories,
                              List<Request> packages, List<String> archs, SolveOptions options, boolean offline,
                              Lock previous, java.util.Set<String> update, List<RecipePackage> recipes) {
        public LockRequest(String specPath, Digest specDigest, Path baseDir, List<SourceLine> repositories,
                           List<Request> packages, List<String> archs, SolveOptions options) {
            this(specPath, specDigest, baseDir, repositories, packages, archs, options, false);
        }

        public LockRequest(String specPath, Digest specDigest, Path baseDir, List<SourceLine> repositories,
                           List<Request> packages, List<String> archs, SolveOptions options, boolean offline) {
            this(specPath, specDigest, baseDir, repositories, packages, archs, options, offline, null, java.util.Set.of(), List.of());
        }

        public LockRequest {
            repositories = List.copyOf(repositories);
            packages = List.copyOf(packages);
            archs = List.copyOf(archs);
            update = java.util.Set.copyOf(update);
            recipes = List.copyOf(recipes);
        }

        /** This request, keeping {@code previous}'s pins except those of the {@code update} names. */
        public LockRequest keeping(Lock previous, java.util.Set<String> update) {
            return new LockRequest(specPath, specDigest, baseDir, repositories, packages, archs, options, offline,
                    java.util.Objects.requireNonNull(previous, "previous"), update, recipes);
        }

        /** This request, with the packages of recipes locked together with it as candidates (see {@link #recipes}). */
        public LockRequest withRecipes(List<RecipePackage> recipes) {
            return new LockRequest(specPath, specDigest, baseDir, repositories, packages, archs, options, offline, previous, update,
                    recipes);
        }
    }

    /**
     * A package a recipe will make, as the solver sees it before it is built: its control data from
     * the recipe's metadata, no file and no sha256.
     *
     * @param recipe the recipe's package name
     * @param recipeDigest the recipe's canonical digest
     * @param depends its {@code Depends} entries, each a group of alternatives as written
     * @param provides its {@code Provides} entries
     */
    public record RecipePackage(String recipe, Digest recipeDigest, String name, String version, String architecture,
                                List<String> depends, List<String> provides) {
        public RecipePackage {
            java.util.Objects.requireNonNull(recipe, "recipe");
            java.util.Objects.requireNonNull(recipeDigest, "recipeDigest");
            java.util.Objects.requireNonNull(name, "name");
            java.util.Objects.requireNonNull(version, "version");
            java.util.Objects.requireNonNull(architecture, "architecture");
            depends = List.copyOf(depends);
            provides = List.copyOf(provides);
        }

        /** The stanza the solver reads: what the built package's control file will say. */
        dev.kiln.resolver.debian.PackageRecord record() {
            return new dev.kiln.resolver.debian.PackageRecord(name, version, architecture, null, false, false, 0, name, null,
                    depends.isEmpty() ? null : String.join(", ", depends), null, null, null,
                    provides.isEmpty() ? null : String.join(", ", provides), null, null, -1, null);
        }

        /** The pin of this package in a lock. */
        Lock.FromRecipe pin() {
            return new Lock.FromRecipe(name, version, architecture, recipe, recipeDigest, java.util.Optional.empty());
        }
    }

    /**
     * A lock and, against the previous lock of the request, each package whose pin did not stay:
     * by architecture, name to the reason (empty when the spec's change alone explains it).
     */
    public record Resolution(Lock lock, SortedMap<String, SortedMap<String, String>> moved, List<Shadowed> shadowed) {
        public Resolution {
            TreeMap<String, SortedMap<String, String>> copy = new TreeMap<>();
            moved.forEach((arch, m) -> copy.put(arch, java.util.Collections.unmodifiableSortedMap(new TreeMap<>(m))));
            moved = java.util.Collections.unmodifiableSortedMap(copy);
            shadowed = List.copyOf(shadowed);
        }

        /** A resolution in which no name was shadowed. */
        public Resolution(Lock lock, SortedMap<String, SortedMap<String, String>> moved) {
            this(lock, moved, List.of());
        }
    }

    /**
     * A package name that a {@code file:} repository and another repository of the spec both offer,
     * taken from the {@code file:} repository (which shadows the others for the names it offers,
     * even when another offers a higher version); one per name, whatever the architectures.
     *
     * @param name the package name
     * @param version the version pinned, from {@code from}
     * @param from the {@code file:} repository's line as written, or {@code recipe NAME} ({@link #RECIPE})
     * @param hiddenVersion the highest version the other repositories offer
     * @param hiddenFrom the line of the repository that offers it, as written
     */
    public record Shadowed(String name, String version, String from, String hiddenVersion, String hiddenFrom) {
        /** How {@code from} names a recipe locked together with the request's, before the recipe's name. */
        public static final String RECIPE = "recipe ";

        /** "hello: taken from file:../repo recipes (2.10-0kiln1), not from ${DEBIAN_MIRROR} bookworm (2.10-3)". */
        public String message() {
            return name + ": taken from " + brief(from) + " (" + version + "), not from " + brief(hiddenFrom) + " (" + hiddenVersion
                    + (from.startsWith(RECIPE) ? "): the recipes locked together shadow every repository for the packages they make"
                            : "): a file: repository shadows the others for the names it offers");
        }

        private static String brief(String line) {
            if (line.startsWith(RECIPE)) {
                return line;
            }
            try {
                SourceLine l = SourceLine.parse(line);
                return l.uriTemplate() + " " + l.suite();
            } catch (RuntimeException unreadable) {
                return line;
            }
        }
    }

    /**
     * What a request's repositories offer: each one's verified Release, in spec order, and one
     * {@link Universe} per architecture (in the request's order) over their indexes.
     *
     * @param releases the verified Releases, one per repository of the request, in its order
     */
    public record Universes(List<RepositoryReader.VerifiedRelease> releases, Map<String, Universe> byArch) {
        public Universes {
            releases = List.copyOf(releases);
            byArch = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byArch));
        }
    }

    /**
     * Reads the request's repositories as {@link #lock} does (every Release verified, every index
     * checked against it; offline, the newest ones this store verified) without solving anything,
     * and records the Releases read, as a lock does.
     */
    public Universes universes(LockRequest req) {
        RepositoryReader reader = new RepositoryReader(transport, store, now, background, phases);
        List<RepositoryReader.Source> sources = sources(req);
        ExecutorService pool = pool(sources, req);
        try {
            List<RepositoryReader.VerifiedRelease> verified = releases(reader, pool, sources, req.offline());
            Map<String, Universe> universes = readUniverses(reader, pool, req, verified);
            reader.commit(verified);
            return new Universes(verified, universes);
        } finally {
            pool.shutdownNow();
            reader.settle();
        }
    }

    public Lock lock(LockRequest req) {
        return resolve(req).lock();
    }

    /** Resolves {@code req}; with a previous lock, conservatively (see {@link LockRequest#previous}). */
    public Resolution resolve(LockRequest req) {
        RepositoryReader reader = new RepositoryReader(transport, store, now, background, phases);
        List<RepositoryReader.Source> sources = sources(req);
        ExecutorService pool = pool(sources, req);
        try {
            List<RepositoryReader.VerifiedRelease> verified = releases(reader, pool, sources, req.offline());
            List<Lock.Repository> locked = new ArrayList<>();
            for (RepositoryReader.VerifiedRelease vr : verified) {
                locked.add(new Lock.Repository(vr.source().line(), vr.digest(), vr.release().date(),
                        vr.release().validUntil(), vr.signers(),
                        Lock.Distribution.of(vr.release().origin(), vr.release().codename(), vr.release().version())));
            }
            SolveOptions o = req.options();
            Lock.Spec spec = new Lock.Spec(req.specPath(), req.specDigest());
            Digest solveKey = solveKey(req, verified);
            var memo = store.memo(SOLVE_STEP, solveKey);
            if (memo.isPresent()) {
                try {
                    Lock cached = LockJson.read(store.readChecked(memo.get()).orElseThrow(), "memo " + memo.get());
                    phases.phase("solve memo hit");
                    reader.commit(verified);
                    TreeMap<String, List<Lock.Package>> archs = new TreeMap<>(cached.archs());
                    return new Resolution(new Lock(Lock.VERSION, spec, keptReleases(req, locked, archs), cached.options(), archs)
                            .withFromRecipes(cached.fromRecipes()),
                            moved(req, archs, rememberedReasons(solveKey)), rememberedShadows(solveKey));
                } catch (RuntimeException damaged) {
                    // a damaged memo entry is recomputed
                }
            }
            Map<String, Universe> universes = readUniverses(reader, pool, req, verified);
            Solver.requireKnownNames(List.copyOf(universes.values()), req.options());
            TreeMap<String, List<Lock.Package>> archs = new TreeMap<>();
            TreeMap<String, List<Lock.FromRecipe>> fromRecipes = new TreeMap<>();
            Map<String, Map<String, String>> why = new TreeMap<>();
            for (Map.Entry<String, Universe> e : universes.entrySet()) {
                Map<String, String> reasons = new TreeMap<>();
                Map<String, Candidate> keep = offeredPins(req, e.getKey(), e.getValue(), reasons);
                Solver.Kept kept = Solver.solveKeeping(e.getValue(), req.options(), req.packages(), keep);
                kept.moved().forEach(n -> reasons.put(n, "a dependency needs a newer version"));
                List<Lock.FromRecipe> made = new ArrayList<>();
                archs.put(e.getKey(), pin(kept.solution(), req, made));
                fromRecipes.put(e.getKey(), made);
                why.put(e.getKey(), reasons);
                phases.phase("solved " + e.getKey());
            }
            List<Shadowed> shadowed = shadowed(req, universes, archs, fromRecipes);
            reader.commit(verified);
            Lock.Options options = new Lock.Options(o.exclude(), o.skipDependencies(), o.recommends());
            if (!shadowed.isEmpty()) {
                rememberShadows(solveKey, shadowed); // before the memo, which a later lock finds first
            }
            store.putMemo(SOLVE_STEP, solveKey, store.put(LockJson.write(new Lock(Lock.VERSION, spec, locked, options, archs)
                    .withFromRecipes(fromRecipes))));
            if (req.previous() != null) {
                rememberReasons(solveKey, why);
            }
            return new Resolution(new Lock(Lock.VERSION, spec, keptReleases(req, locked, archs), options, archs)
                    .withFromRecipes(fromRecipes), moved(req, archs, why), shadowed);
        } finally {
            pool.shutdownNow();
            reader.settle(); // nothing is left writing into the store when the lock has failed
        }
    }

    private List<RepositoryReader.Source> sources(LockRequest req) {
        List<RepositoryReader.Source> sources = new ArrayList<>();
        for (SourceLine line : req.repositories()) {
            URI base = line.expandAll(env, req.baseDir()).get(0);
            if (SourceLine.isFileUri(base) && !req.offline()) {
                requireDirectory(line, base, req.baseDir());
            }
            sources.add(new RepositoryReader.Source(line.written(), base, line.suite(), line.components(), keyringFor(line, req.baseDir())));
        }
        return sources;
    }

    private static ExecutorService pool(List<RepositoryReader.Source> sources, LockRequest req) {
        return Executors.newFixedThreadPool(Math.min(4, Math.max(1, sources.size() * req.archs().size())), r -> {
            Thread t = new Thread(r, "kiln-repo");
            t.setDaemon(true);
            return t;
        });
    }

    /** Every repository's Release, verified (in parallel), in spec order. */
    private List<RepositoryReader.VerifiedRelease> releases(RepositoryReader reader, ExecutorService pool,
            List<RepositoryReader.Source> sources, boolean offline) {
        if (!offline) {
            readKeysEarly(reader, sources);
        }
        List<Future<RepositoryReader.VerifiedRelease>> releases = new ArrayList<>();
        for (RepositoryReader.Source s : sources) {
            releases.add(pool.submit(() -> reader.release(s, offline)));
        }
        List<RepositoryReader.VerifiedRelease> verified = new ArrayList<>();
        for (Future<RepositoryReader.VerifiedRelease> f : releases) {
            verified.add(get(f));
        }
        phases.phase("releases verified");
        return verified;
    }

    /** One universe per architecture over every repository's indexes (read in parallel), in the request's order. */
    private Map<String, Universe> readUniverses(RepositoryReader reader, ExecutorService pool, LockRequest req,
            List<RepositoryReader.VerifiedRelease> verified) {
        Map<String, List<Future<SuiteIndex>>> perArch = new LinkedHashMap<>();
        for (String arch : req.archs()) {
            List<Future<SuiteIndex>> fs = new ArrayList<>();
            for (int i = 0; i < verified.size(); i++) {
                RepositoryReader.VerifiedRelease vr = verified.get(i);
                SourceLine line = req.repositories().get(i);
                if (!line.archs().isEmpty() && !line.archs().contains(arch)) {
                    fs.add(null);
                    continue;
                }
                fs.add(pool.submit(() -> reader.read(vr, arch)));
            }
            perArch.put(arch, fs);
        }
        Map<String, Universe> universes = new LinkedHashMap<>();
        for (Map.Entry<String, List<Future<SuiteIndex>>> e : perArch.entrySet()) {
            List<PackageSource> repos = new ArrayList<>();
            for (Future<SuiteIndex> f : e.getValue()) {
                repos.add(f == null ? PackageSource.of(List.of()) : get(f).packages());
            }
            phases.phase("indexes read " + e.getKey());
            int[] ranks = new int[repos.size() + (req.recipes().isEmpty() ? 0 : 1)];
            shadowing(req).forEach(i -> ranks[i] = 1);
            if (!req.recipes().isEmpty()) {
                // the packages recipes will make, after the spec's repositories: they shadow even the file: ones
                List<dev.kiln.resolver.debian.PackageRecord> made = new ArrayList<>();
                for (RecipePackage r : req.recipes()) {
                    made.add(r.record());
                }
                repos.add(PackageSource.of(made));
                ranks[repos.size() - 1] = 2;
            }
            universes.put(e.getKey(), Universe.overRanked(e.getKey(), repos, ranks));
            phases.phase("universe " + e.getKey());
        }
        return universes;
    }

    /**
     * Solving is a pure function of the verified Releases (which pin every index by hash) and what
     * the spec asks for, so its result is memoized under a key of exactly those inputs.
     */
    private Digest solveKey(LockRequest req, List<RepositoryReader.VerifiedRelease> verified) {
        StringBuilder k = new StringBuilder(SOLVE_STEP.id()).append('\n');
        for (int i = 0; i < verified.size(); i++) {
            k.append("repo ").append(req.repositories().get(i).written()).append(' ')
                    .append(verified.get(i).digest()).append('\n');
        }
        k.append("archs ").append(req.archs()).append('\n');
        for (Request r : req.packages()) {
            k.append("request ").append(r).append('\n');
        }
        SolveOptions o = req.options();
        k.append("exclude ").append(new java.util.TreeSet<>(o.exclude())).append('\n');
        new TreeMap<>(o.skipDependencies()).forEach((p, d) -> k.append("skip ").append(p).append(' ')
                .append(new java.util.TreeSet<>(d)).append('\n'));
        k.append("recommends ").append(o.recommends()).append('\n');
        java.util.SortedSet<Integer> shadowing = new java.util.TreeSet<>(shadowing(req));
        if (!shadowing.isEmpty()) {
            // which repositories shadow the others follows from where the lines lead (a variable may hold a file: URL)
            k.append("shadowing ").append(shadowing).append('\n');
        }
        for (RecipePackage r : req.recipes()) {
            // what the recipes locked together will make: their candidates are part of what is solved
            k.append("recipe ").append(r.recipe()).append(' ').append(r.recipeDigest()).append(' ').append(r.name()).append(' ')
                    .append(r.version()).append(' ').append(r.architecture()).append(" depends ").append(r.depends())
                    .append(" provides ").append(r.provides()).append('\n');
        }
        if (req.previous() != null) {
            // the pins offered to keep: what the solve may prefer (whether each is still offered
            // follows from the Releases above)
            for (Map.Entry<String, Map<String, Lock.Package>> a : keptPins(req).entrySet()) {
                for (Lock.Package p : a.getValue().values()) {
                    k.append("keep ").append(a.getKey()).append(' ').append(p.name()).append(' ').append(p.version()).append(' ')
                            .append(p.sha256()).append(' ').append(req.previous().repositories().get(p.repository()).line()).append('\n');
                }
            }
        }
        return Digest.of(k.toString());
    }

    /** The request's repositories that shadow the others for the names they offer: its {@code file:} ones. */
    private java.util.Set<Integer> shadowing(LockRequest req) {
        java.util.Set<Integer> out = new java.util.TreeSet<>();
        for (int i = 0; i < req.repositories().size(); i++) {
            if (req.repositories().get(i).isFile(env)) {
                out.add(i);
            }
        }
        return out;
    }

    /** Each pinned name another repository also offers, taken from a shadowing one: once per name, the first architecture's. */
    private static List<Shadowed> shadowed(LockRequest req, Map<String, Universe> universes, Map<String, List<Lock.Package>> archs,
                                           Map<String, List<Lock.FromRecipe>> fromRecipes) {
        Map<String, Shadowed> out = new TreeMap<>();
        for (String arch : req.archs()) {
            Universe u = universes.get(arch);
            Map<String, String[]> taken = new java.util.LinkedHashMap<>(); // name -> {version, where from}
            for (Lock.Package p : archs.getOrDefault(arch, List.of())) {
                taken.put(p.name(), new String[] {p.version(), req.repositories().get(p.repository()).written()});
            }
            for (Lock.FromRecipe p : fromRecipes.getOrDefault(arch, List.of())) {
                taken.put(p.name(), new String[] {p.version(), Shadowed.RECIPE + p.recipe()});
            }
            taken.forEach((name, from) -> {
                List<Candidate> hidden = u == null || out.containsKey(name) ? List.of() : u.hidden(name);
                if (hidden.isEmpty()) {
                    return;
                }
                Candidate best = hidden.get(0);
                for (Candidate c : hidden) {
                    if (c.version().compareTo(best.version()) > 0) {
                        best = c;
                    }
                }
                out.put(name, new Shadowed(name, from[0], from[1], best.record().version(),
                        req.repositories().get(best.repository()).written()));
            });
        }
        return List.copyOf(out.values());
    }

    /** The shadowed names of a solve, kept beside its memo so that a remembered solve says them again. */
    private void rememberShadows(Digest solveKey, List<Shadowed> shadowed) {
        StringBuilder text = new StringBuilder();
        for (Shadowed x : shadowed) {
            text.append(x.name()).append('\t').append(x.version()).append('\t').append(x.from()).append('\t')
                    .append(x.hiddenVersion()).append('\t').append(x.hiddenFrom()).append('\n');
        }
        store.putMemo(SOLVE_STEP, shadowsKey(solveKey), store.put(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private List<Shadowed> rememberedShadows(Digest solveKey) {
        List<Shadowed> out = new ArrayList<>();
        for (String line : remembered(shadowsKey(solveKey))) {
            String[] f = line.split("\t", 5);
            if (f.length == 5) {
                out.add(new Shadowed(f[0], f[1], f[2], f[3], f[4]));
            }
        }
        return out;
    }

    /**
     * The lines of the text kept beside a solve's memo under {@code key}; none when there is none or
     * it cannot be read (they are words for people: the lock itself is the memo's).
     */
    private List<String> remembered(Digest key) {
        try {
            var memo = store.memo(SOLVE_STEP, key);
            if (memo.isPresent()) {
                return List.of(new String(store.readChecked(memo.get()).orElseThrow(), java.nio.charset.StandardCharsets.UTF_8)
                        .split("\n"));
            }
        } catch (RuntimeException damaged) {
            // said without them
        }
        return List.of();
    }

    private static Digest shadowsKey(Digest solveKey) {
        return Digest.of("shadowed " + solveKey);
    }

    /** Why pins moved in a solve, kept beside its memo so that a remembered solve says it again. */
    private void rememberReasons(Digest solveKey, Map<String, Map<String, String>> why) {
        StringBuilder text = new StringBuilder();
        why.forEach((arch, m) -> m.forEach((name, reason) -> text.append(arch).append('\t').append(name).append('\t')
                .append(reason.replace('\n', ' ')).append('\n')));
        store.putMemo(SOLVE_STEP, reasonsKey(solveKey), store.put(text.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    }

    private Map<String, Map<String, String>> rememberedReasons(Digest solveKey) {
        Map<String, Map<String, String>> out = new TreeMap<>();
        // without the reasons, the pins that moved are still named
        for (String line : remembered(reasonsKey(solveKey))) {
            String[] f = line.split("\t", 3);
            if (f.length == 3) {
                out.computeIfAbsent(f[0], a -> new TreeMap<>()).put(f[1], f[2]);
            }
        }
        return out;
    }

    private static Digest reasonsKey(Digest solveKey) {
        return Digest.of("reasons " + solveKey);
    }

    /** The previous lock's pins that may be kept, by architecture and name: all but the update names. */
    private static Map<String, Map<String, Lock.Package>> keptPins(LockRequest req) {
        Map<String, Map<String, Lock.Package>> out = new TreeMap<>();
        if (req.previous() == null) {
            return out;
        }
        req.previous().archs().forEach((arch, ps) -> {
            Map<String, Lock.Package> m = new TreeMap<>();
            for (Lock.Package p : ps) {
                if (!req.update().contains(p.name()) && p.repository() >= 0 && p.repository() < req.previous().repositories().size()) {
                    m.put(p.name(), p);
                }
            }
            out.put(arch, m);
        });
        return out;
    }

    /**
     * The previous pins of {@code arch} that its repository still offers (same line in the spec, same
     * version, same sha256), as candidates of {@code universe}; each pin that is not is given its
     * reason in {@code reasons}.
     */
    private static Map<String, Candidate> offeredPins(LockRequest req, String arch, Universe universe, Map<String, String> reasons) {
        Map<String, Candidate> keep = new java.util.HashMap<>();
        if (req.previous() == null) {
            return keep;
        }
        for (String n : req.update()) {
            reasons.put(n, "update asked for");
        }
        for (Lock.Package p : keptPins(req).getOrDefault(arch, Map.of()).values()) {
            String line = req.previous().repositories().get(p.repository()).line();
            int repo = repositoryOf(req, line);
            Candidate offered = null;
            for (Candidate c : repo < 0 ? List.<Candidate>of() : universe.versions(p.name())) {
                if (c.repository() == repo && c.record().version().equals(p.version()) && c.record().sha256() != null
                        && c.record().sha256().equalsIgnoreCase(p.sha256().hex())) {
                    offered = c;
                    break;
                }
            }
            boolean hidden = repo >= 0 && universe.hidden(p.name()).stream().anyMatch(c -> c.repository() == repo);
            if (offered != null) {
                keep.put(p.name(), offered);
            } else if (hidden && req.recipes().stream().anyMatch(r -> r.name().equals(p.name()))) {
                reasons.put(p.name(), "a recipe locked with it makes " + p.name() + ", which shadows " + line);
            } else if (hidden) {
                reasons.put(p.name(), "a file: repository of the spec offers " + p.name() + ", which shadows " + line);
            } else {
                reasons.put(p.name(), repo < 0 ? "its repository left the spec" : p.version() + " no longer offered by " + line);
            }
        }
        return keep;
    }

    /**
     * The spec's repository that a previous lock's line names: the same line, else the same URI and
     * suite written otherwise (options, components or spacing edited); -1 when none is.
     */
    private static int repositoryOf(LockRequest req, String line) {
        for (int i = 0; i < req.repositories().size(); i++) {
            if (req.repositories().get(i).written().equals(line)) {
                return i;
            }
        }
        SourceLine old;
        try {
            old = SourceLine.parse(line);
        } catch (RuntimeException unreadable) {
            return -1;
        }
        for (int i = 0; i < req.repositories().size(); i++) {
            SourceLine now = req.repositories().get(i);
            if (now.uriTemplate().equals(old.uriTemplate()) && now.suite().equals(old.suite())) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The Releases to pin: the previous lock's pin of a repository stays as it was when the
     * packages pinned from it are the same (it still proves them), so that re-locking against a
     * re-signed repository changes nothing; otherwise the Release just verified.
     */
    private static List<Lock.Repository> keptReleases(LockRequest req, List<Lock.Repository> verified,
            Map<String, List<Lock.Package>> archs) {
        if (req.previous() == null) {
            return verified;
        }
        List<Lock.Repository> out = new ArrayList<>(verified);
        for (int i = 0; i < out.size(); i++) {
            String line = out.get(i).line();
            for (int j = 0; j < req.previous().repositories().size(); j++) {
                // a pin from before locks recorded the distribution is renewed, so that it gets one
                if (req.previous().repositories().get(j).line().equals(line)
                        && req.previous().repositories().get(j).distribution().isPresent() == out.get(i).distribution().isPresent()
                        && pinnedFrom(archs, i).equals(pinnedFrom(req.previous().archs(), j))) {
                    out.set(i, req.previous().repositories().get(j));
                    break;
                }
            }
        }
        return out;
    }

    /** What is pinned from repository {@code index}: "arch name version sha256" lines, sorted. */
    private static java.util.SortedSet<String> pinnedFrom(Map<String, List<Lock.Package>> archs, int index) {
        java.util.SortedSet<String> out = new java.util.TreeSet<>();
        archs.forEach((arch, ps) -> {
            for (Lock.Package p : ps) {
                if (p.repository() == index) {
                    out.add(arch + ' ' + p.name() + ' ' + p.version() + ' ' + p.sha256() + ' ' + p.path() + ' ' + p.size());
                }
            }
        });
        return out;
    }

    /** Each previous pin that did not stay, by architecture, with its reason where one is known. */
    private static SortedMap<String, SortedMap<String, String>> moved(LockRequest req, Map<String, List<Lock.Package>> archs,
            Map<String, Map<String, String>> reasons) {
        SortedMap<String, SortedMap<String, String>> out = new TreeMap<>();
        if (req.previous() == null) {
            return out;
        }
        req.previous().archs().forEach((arch, ps) -> {
            Map<String, Lock.Package> now = new java.util.HashMap<>();
            for (Lock.Package p : archs.getOrDefault(arch, List.of())) {
                now.put(p.name(), p);
            }
            SortedMap<String, String> m = new TreeMap<>();
            for (Lock.Package p : ps) {
                Lock.Package q = now.get(p.name());
                if (q == null || !q.version().equals(p.version()) || !q.sha256().equals(p.sha256())) {
                    String why = reasons.getOrDefault(arch, Map.of()).get(p.name());
                    m.put(p.name(), why != null ? why : req.update().contains(p.name()) ? "update asked for" : "");
                }
            }
            if (!m.isEmpty()) {
                out.put(arch, m);
            }
        });
        return out;
    }

    /** The solution's packages pinned; a package a recipe will make goes into {@code fromRecipes} instead. */
    private static List<Lock.Package> pin(Solution s, LockRequest req, List<Lock.FromRecipe> fromRecipes) {
        List<Lock.Package> out = new ArrayList<>();
        for (Candidate c : s.packages()) {
            var r = c.record();
            if (c.repository() == req.repositories().size()) {
                for (RecipePackage m : req.recipes()) {
                    if (m.name().equals(r.name()) && m.version().equals(r.version()) && m.architecture().equals(r.architecture())) {
                        fromRecipes.add(m.pin());
                        break;
                    }
                }
                continue;
            }
            if (r.filename() == null || r.sha256() == null || r.size() < 0) {
                throw new ResolveException(c + " (" + s.architecture() + ") has no Filename, Size or SHA256 in its index,"
                        + " so it cannot be pinned\n  expected: every stanza of a Packages index to carry them");
            }
            out.add(new Lock.Package(r.name(), r.version(), r.architecture(), r.sourceName(), r.filename(), r.size(),
                    Digest.parse(r.sha256()), c.repository()));
        }
        return out;
    }

    /**
     * Parses, while the Releases download, the keys of each repository this store has never
     * verified a Release of: its signature will be checked (there is no verdict to recall), and
     * parsing the key files is most of that check's cost on a cold run (~80 ms). A warm run reads
     * no keys. A key file that fails here fails again, with its message, where it is needed.
     */
    private static void readKeysEarly(RepositoryReader reader, List<RepositoryReader.Source> sources) {
        java.util.Set<TrustedKeys> keys = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
        for (RepositoryReader.Source s : sources) {
            if (!reader.seenBefore(s)) {
                keys.add(s.keys());
            }
        }
        if (keys.isEmpty()) {
            return;
        }
        Thread t = new Thread(() -> {
            for (TrustedKeys k : keys) {
                try {
                    k.keyring();
                } catch (RuntimeException again) {
                    // reported where the keys are needed
                }
            }
        }, "kiln-keys");
        t.setDaemon(true);
        t.start();
    }

    /** A {@code file:} repository's directory must be there: a wrong path is said as such, not as a missing InRelease. */
    private static void requireDirectory(SourceLine line, URI base, Path baseDir) {
        Path dir = SourceLine.directoryOf(base);
        if (Files.isDirectory(dir)) {
            return;
        }
        throw new ResolveException(ResolveException.Kind.NO_RELEASE,
                "'" + line.written() + "': no repository at " + dir + (Files.exists(dir) ? " (it is not a directory)" : " (no such directory)")
                + (line.isRelativeFile() ? "\n  the path is relative to the spec's directory, " + baseDir : "")
                + "\n  expected: a directory holding dists/" + line.suite() + "/InRelease (a signed Debian repository)"
                + "\n  fix: publish the repository there, or correct the path in the line");
    }

    private TrustedKeys keyringFor(SourceLine line, Path baseDir) {
        if (line.signedBy().isEmpty()) {
            return trustedKeys;
        }
        TrustedKeys k = null;
        for (String p : line.signedBy()) {
            Path path = Path.of(p);
            if (!path.isAbsolute()) {
                Path local = baseDir.resolve(p);
                path = Files.exists(local) || keyHome == null ? local : keyHome.resolve(p);
            }
            if (!Files.exists(path)) {
                throw new ResolveException(ResolveException.Kind.KEY_NOT_FOUND,
                        "'" + line.written() + "': signed-by key file " + p + " not found"
                        + "\n  looked in: " + baseDir.resolve(p) + (keyHome == null ? "" : " and " + keyHome.resolve(p))
                        + "\n  fix: give a path relative to the spec, or an absolute one");
            }
            TrustedKeys one = TrustedKeys.of(path);
            k = k == null ? one : k.union(one);
        }
        return k;
    }

    private static <T> T get(Future<T> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ResolveException("interrupted");
        } catch (ExecutionException e) {
            Throwable c = e.getCause();
            if (c instanceof KilnException k) {
                throw k;
            }
            if (c instanceof RuntimeException r) {
                throw r;
            }
            throw new ResolveException(c.toString(), c);
        }
    }

}
