package dev.kiln.api;

import dev.kiln.builder.build.BuildLog;
import dev.kiln.fetcher.Transport;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * kiln's Java API: what the {@code kiln} command does, callable from a build or a test. A Kiln
 * holds a content-addressed store, the trusted keys, the mirrors and how to reach the network, all
 * given to its {@link Builder}: it reads no environment variable and keeps no global state, so
 * several Kilns can run side by side. What it does as it works goes to the event handlers
 * registered on the builder; it prints nothing.
 *
 * <pre>{@code
 * try (Kiln kiln = Kiln.builder().store(storeDir).keys(keysDir)
 *         .mirrors(Map.of("DEBIAN_MIRROR", "http://mirror.example/debian"))
 *         .addEventHandler(FetchEvent.Finished.class, e -> log.info("fetched {}", e.download().name()))
 *         .open()) {
 *     Spec spec = Spec.load(Path.of("base.yaml"));
 *     kiln.lock(LockRequest.of(spec));
 *     BuildResult built = kiln.build(BuildRequest.of(spec).withMode(LockMode.FROZEN)
 *             .to(Target.layout(Path.of("out/base")))
 *             .to(Target.registry("registry.example/team/base:1")));
 * }
 * }</pre>
 *
 * <p>A Kiln may be used from several threads, one operation per thread; {@link #close} waits for
 * store writes a build left running and lets go of the store.
 */
public final class Kiln implements AutoCloseable {
    private final Session session;

    private Kiln(Session session) {
        this.session = session;
    }

    /**
     * A builder. Locking, fetching, building and verifying need a store and trusted keys; signing
     * needs neither. Everything else has a default that reads nothing from the host.
     */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Resolves a spec against its signed repositories, for each of its architectures, and writes
     * its lock (atomically), pinning every package by size and sha256. With {@link LockMode#OFFLINE}
     * the newest Releases and indexes this store verified are used and nothing is downloaded.
     */
    public LockResult lock(LockRequest request) {
        return Locking.lock(session, request);
    }

    /** Resolves a spec afresh and holds the result against its lock file, which is left as it is. */
    public LockCheckResult checkLock(LockRequest request) {
        return Locking.check(session, request);
    }

    /**
     * Holds a lock against what its spec's signed repositories offer now (read as {@link #lock}
     * reads them, nothing written but to the store): each locked package with a newer candidate,
     * its architectures merged, whether the update is a security one (from a {@code *-security}
     * suite, or so its changelog says), and the CVE ids and urgency of the new package's changelog
     * entries since the locked version. The changelogs come from the new .debs, fetched by the
     * sha256 of the signed index into the store, and what was read of each is remembered there:
     * a second run downloads and unpacks nothing. With {@link LockMode#OFFLINE} nothing is downloaded.
     * An empty answer means nothing newer is published, never that no flaw is known.
     */
    public OutdatedResult outdated(OutdatedRequest request) {
        return Outdating.outdated(session, request);
    }

    /**
     * Locks recipes ({@code packages/NAME.yaml}): each recipe's build environment resolved as
     * {@link #lock} resolves a spec (conservatively, keeping the pins of the lock there), for the
     * request's architecture, and every source fetched and checked on this host (a fetched file by
     * its sha256 and sha512 while it streams, a git ref held to its expected commit and its tree
     * exported, a local source read as a spec's copies are), then {@code NAME.lock.json} written
     * beside it atomically; with {@link RecipeLockRequest.Action#CHECK} nothing is written and the
     * result says what would change. A source that is not what the recipe pins fails before any
     * lock is written.
     */
    public RecipeLockResult recipeLock(RecipeLockRequest request) {
        return RecipeLocks.lock(session, request);
    }

    /**
     * Builds locked recipes, each for the host's architecture in a bubblewrap sandbox (no network,
     * no host files, uid 0 inside whoever runs it) on its environment's root, into deterministic
     * {@code .deb} files; an unchanged recipe (the same build key) is found in the store and not
     * built again. A recipe builds after the recipes that make a package of its environment's
     * locked closure; independent ones build at the same time (at most the request's jobs); each
     * once. With a repository, every package is then added to it and its Release signed
     * (nothing is written when any recipe fails, or when nothing changed).
     *
     * @throws dev.kiln.builder.RecipeException {@code recipe.lock} for a missing or stale lock,
     *     {@code recipe.step-failed} with the step's last lines, {@code recipe.version-taken} for other
     *     bytes under a version the repository holds, {@code recipe.cycle} naming recipes that need
     *     each other, {@code recipe.not-built} when several failed or a failure stopped others
     *     (recipes that do not need a failed one are built and kept in the store)
     */
    public RecipeBuildResult recipeBuild(RecipeBuildRequest request) {
        RecipeBuildResult r = RecipeBuilding.build(session, request);
        session.pushCache();
        return r;
    }

    /**
     * The whole output of the last build of the recipe named {@code name} (its package name) in
     * this store, finished or failed: {@code STORE/logs/NAME/last.log}, each step's lines after a
     * line {@code ==> step STEP}, scrubbed of secret values. Empty when no build of it ran here (a
     * build found in the store by its key writes no log).
     */
    public java.util.Optional<java.nio.file.Path> recipeLog(String name) {
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9+._-]*")) {
            throw new IllegalArgumentException("not a package name: " + name);
        }
        return BuildLog.last(session.store(), name);
    }

    /**
     * Rebuilds a recipe-built package (or each one an image holds) from the recipe and recipe lock
     * it carries, in a fresh store and sandbox at the epoch it records, and compares the bytes: the
     * result names the differing tar entries of each package that did not come out the same.
     */
    public RecipeVerifyResult recipeVerify(RecipeVerifyRequest request) {
        return RecipeVerifying.verify(session, request);
    }

    /**
     * Puts every package a lock pins, for every architecture, into the store, each checked against
     * its pinned size and sha256 as it streams in. What is already there is not fetched again
     * (with everything present, no request is made at all).
     */
    public FetchResult fetch(FetchRequest request) {
        return Fetching.fetch(session, request);
    }

    /**
     * Says why a package is in the closure of a spec's lock: for each architecture (those that
     * answer alike together), the shortest chain of dependencies from each package the spec asks
     * for, each link with the relation that made it ({@code Depends: libbpf1 (>= 1:0.8)}, an
     * alternative, a Provides); or why it is not there (excluded, skipped, or needed by nothing).
     * The dependencies are read from the control data of the packages the lock pins, fetched into the
     * store by their sha256 when it lacks them (after a build it has them). Nothing is resolved.
     */
    public WhyResult why(WhyRequest request) {
        return Explaining.why(session, request);
    }

    /**
     * Builds a spec's image and puts it where the request says. The lock is used when it was made
     * from this spec (else the spec is resolved and the lock written, unless the request is
     * {@link LockMode#FROZEN}); every locked package is fetched and verified, unpacked without running
     * any maintainer script, and laid out per architecture as deterministic layers: the packages, then
     * what the spec's copies bring, then the spec and the lock. The image's time is the request's
     * {@link Epoch}, never the wall clock. With no layout target, the layout is made in a temporary
     * directory and removed once pushed or archived. With {@link BuildRequest#withRecipes}, the
     * recipes are built (or found in the store) and published first, as {@link #recipeBuild} does,
     * and a lock that pins one of their packages with other bytes than its recipe now makes is locked
     * again for those names only (as {@link LockRequest#withUpdate(java.util.Collection)} does).
     */
    public BuildResult build(BuildRequest request) {
        Map<String, String> fromRecipes = new java.util.HashMap<>();
        request.recipes().ifPresent(r -> RecipeBuilding.build(session, r).recipes().forEach(b -> b.packages().forEach(
                p -> fromRecipes.put(p.name() + "_" + p.architecture(), p.sha256()))));
        BuildResult r = Building.build(session, request, fromRecipes);
        session.pushCache();
        return r;
    }

    /**
     * Builds a spec twice from scratch, each time in a fresh temporary store, the second time in
     * another JVM under other conditions (another JDK when one is installed, time zone, locale,
     * umask, one CPU, working directory), and compares the two layouts blob by blob. The request
     * must name a layout target: the first build goes there, and a second that differs is kept
     * beside it ({@code DIR.rebuild}).
     */
    public BuildCheckResult checkBuild(BuildRequest request) {
        return BuildCheck.check(session, request, dev.kiln.api.internal.BuildVariation.ofHost());
    }

    /** As {@link #checkBuild(BuildRequest)}, the second build under {@code variation}. */
    BuildCheck.Result checkBuild(BuildRequest request, dev.kiln.api.internal.BuildVariation variation) {
        return BuildCheck.run(session, request, variation);
    }

    /**
     * Signs an image in a layout or a registry (a registry tag is resolved and its digest signed)
     * and attaches the attestations asked for, each as an OCI 1.1 referrer. Deterministic: signing
     * again changes nothing. Every document is read and checked before anything is attached.
     */
    public SignResult sign(SignRequest request) {
        return Signing.sign(session, request);
    }

    /**
     * Rebuilds an image from its inputs and holds the rebuild against it: the spec and lock it
     * carries (or those the request gives), at its own epoch, every package fetched by its pinned
     * sha256. The image and everything it reaches is compared blob by blob with the rebuild, and
     * the packages its dpkg records name with those the lock pins. With a public key, the image must
     * also carry a good signature by that key, and the attestations that key signed are reported.
     *
     * @throws CheckFailedException when the image cannot be what its inputs build, or is not signed
     *     by the key, before any rebuild
     */
    public VerifyResult verify(VerifyRequest request) {
        return Verification.verify(session, request); // a fresh store's session pushes what it made
    }

    /**
     * Publishes what the store already holds for the images the lock files pin to the shared cache
     * given to the builder (with its push key): each package's blob, unpacked copy and control file,
     * and the layers the newest build from each lock recorded, every entry signed. Blobs the
     * registry has are not sent again.
     *
     * @throws dev.kiln.cache.CacheException {@code cache.push-failed} when the registry refused or
     *     could not be reached
     */
    public CachePushResult pushToCache(java.util.List<java.nio.file.Path> lockFiles) {
        return CachePushing.push(session, lockFiles);
    }

    /** kiln's version (the jar's), or {@code dev} when run from classes. */
    public static String version() {
        String v = Kiln.class.getPackage().getImplementationVersion();
        return v == null ? "dev" : v;
    }

    /** The session, for tests in this package. */
    Session session() {
        return session;
    }

    /** Waits for the store writes a build left running, then lets go of the store and the network. */
    @Override
    public void close() {
        session.close();
    }

    /**
     * Configures a {@link Kiln}. Nothing is read from the environment: the CLI fills it from the
     * host with {@link SystemDefaults}; a program passes what it means.
     */
    public static final class Builder {
        Path store;
        Path keys;
        Path home;
        Map<String, String> mirrors = Map.of();
        Path context;
        Proxies proxies = Proxies.none();
        Path netrc;
        Registries registries = Registries.defaults();
        String toolPath = DEFAULT_TOOL_PATH;
        Clock clock = Clock.systemUTC();
        Transport transport;
        SharedCache cache;
        final List<Events.Handler<?>> handlers = new ArrayList<>();

        private Builder() {
        }

        /** Where recipe builds look for bubblewrap's {@code bwrap} unless told: Debian's places. */
        public static final String DEFAULT_TOOL_PATH = "/usr/local/bin:/usr/bin:/bin";

        /**
         * Where recipe builds look for bubblewrap's {@code bwrap}: a {@code PATH} value (directories
         * separated by {@code :}); {@value #DEFAULT_TOOL_PATH} unless given.
         */
        public Builder toolPath(String path) {
            this.toolPath = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The content-addressed store (made if missing); lock, fetch, build and verify need one. */
        public Builder store(Path dir) {
            this.store = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The trusted OpenPGP keys a repository's signature is checked against: a key file or a directory of them. */
        public Builder keys(Path fileOrDir) {
            this.keys = Objects.requireNonNull(fileOrDir, "fileOrDir");
            return this;
        }

        /**
         * kiln's own directory (its checkout): its {@code keys/} are the trusted keys unless
         * {@link #keys} says otherwise, and a repository's relative {@code signed-by} path is looked
         * for there when it is not beside the spec.
         */
        public Builder home(Path dir) {
            this.home = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** Values for {@code ${VAR}} in source lines, e.g. {@code DEBIAN_MIRROR} (default: none). */
        public Builder mirrors(Map<String, String> variables) {
            this.mirrors = Map.copyOf(variables);
            return this;
        }

        /**
         * The build context: the directory the copies of every spec this Kiln locks or builds must
         * lie inside, every symlink followed, and which must hold each such spec file (default: each
         * spec's own directory). A spec made in code takes its copies from here and needs it. For
         * {@link Kiln#verify} of an image's own spec, the directory that spec was in when it was
         * locked: its relative {@code file:} repositories are found from there (a spec's relative
         * {@code file:} repositories are relative to its own directory, never to a wider context).
         */
        public Builder context(Path dir) {
            this.context = Objects.requireNonNull(dir, "dir");
            return this;
        }

        /** The proxies to mirrors and registries (default: none). */
        public Builder proxies(Proxies p) {
            this.proxies = Objects.requireNonNull(p, "proxies");
            return this;
        }

        /** A netrc file with mirror logins (default: none; a missing file holds none). */
        public Builder netrc(Path file) {
            this.netrc = Objects.requireNonNull(file, "file");
            return this;
        }

        /** How registries are spoken to (default: {@link Registries#defaults()}). */
        public Builder registries(Registries r) {
            this.registries = Objects.requireNonNull(r, "registries");
            return this;
        }

        /** The clock that judges a Release's {@code Valid-Until} (default: the system's, in UTC). */
        public Builder clock(Clock c) {
            this.clock = Objects.requireNonNull(c, "clock");
            return this;
        }

        /**
         * A store shared through a registry, asked before fetching, unpacking, compressing or
         * building a recipe, and sent what was made when it has a push key (default: none). Used by
         * build, verify and recipe builds; never by {@link Kiln#checkBuild} or a recipe verify, which
         * must build from scratch.
         */
        public Builder cache(SharedCache c) {
            this.cache = Objects.requireNonNull(c, "cache");
            return this;
        }

        /** The transport to mirrors, for tests. */
        Builder transport(Transport t) {
            this.transport = Objects.requireNonNull(t, "transport");
            return this;
        }

        /**
         * Delivers every event of {@code type} (or a subtype) to {@code handler}, synchronously and
         * possibly from several threads at once (see {@link KilnEvent}). Handlers are called in the
         * order added.
         */
        public <E extends KilnEvent> Builder addEventHandler(Class<E> type, Consumer<? super E> handler) {
            handlers.add(new Events.Handler<>(Objects.requireNonNull(type, "type"), Objects.requireNonNull(handler, "handler")));
            return this;
        }

        /**
         * Opens the store (waiting, at most ten minutes, for a gc or repair in another process) and
         * reads the trusted keys' files lazily.
         *
         * @throws dev.kiln.store.KilnException when the store cannot be opened or the keys are not there
         */
        public Kiln open() {
            return new Kiln(Session.open(this));
        }
    }
}
