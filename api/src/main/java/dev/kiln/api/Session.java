package dev.kiln.api;

import dev.kiln.fetcher.FetchException;
import dev.kiln.fetcher.EnvironmentProxies;
import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.Transport;
import dev.kiln.fetcher.pgp.TrustedKeys;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.repo.RepositoryReader;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * What an open {@link Kiln} holds: its store, its transport to mirrors, its trusted keys and
 * settings, and its event handlers. Everything the operations use comes from here.
 */
final class Session implements AutoCloseable {
    private final ContentStore store;
    final Transport transport;
    private final boolean ownsTransport;
    private final TrustedKeys trustedKeys;
    private final Path keys;
    private final Path home;
    final Map<String, String> mirrors;
    private final Path context;
    final Clock clock;
    final Events events;
    final Registries registries;
    final Proxies proxies;
    private final Path netrc;
    /** Where the recipe sandbox's {@code bwrap} is looked for: a {@code PATH} value. */
    final String toolPath;
    /** The shared cache attached to the store, or null. */
    private final LazyCache cache;
    /** Store writes left running by a build's resolve (index caches); the build and {@link #close} wait for them. */
    private final List<CompletableFuture<Void>> background = new CopyOnWriteArrayList<>();

    private Session(ContentStore store, Transport transport, boolean ownsTransport, TrustedKeys trustedKeys, Path keys, Path home,
            Map<String, String> mirrors, Path context, Clock clock, Events events, Registries registries, Proxies proxies,
            Path netrc, String toolPath, LazyCache cache) {
        this.store = store;
        this.cache = cache;
        if (store != null && cache != null) {
            store.attach(cache);
        }
        this.transport = transport;
        this.ownsTransport = ownsTransport;
        this.trustedKeys = trustedKeys;
        this.keys = keys;
        this.home = home;
        this.mirrors = mirrors;
        this.context = context;
        this.clock = clock;
        this.events = events;
        this.registries = registries;
        this.proxies = proxies;
        this.netrc = netrc;
        this.toolPath = toolPath;
    }

    static Session open(Kiln.Builder b) {
        Path keys = b.keys != null ? b.keys : b.home != null ? b.home.resolve("keys") : null;
        if (keys != null && !Files.exists(keys)) {
            throw new FetchException(FetchException.Kind.KEYS, "no trusted keys at " + keys
                    + "\n  expected: an OpenPGP public key file, or a directory of them (kiln's keys/)");
        }
        Events events = new Events(b.handlers);
        // HTTP is set up on a spare thread meanwhile; a fetch with everything present makes no request
        Transport transport = b.transport != null ? b.transport
                : new LazyTransport(() -> http(b.proxies, b.netrc), hosts(b.mirrors));
        LazyCache cache = null;
        if (b.cache != null) {
            var repo = dev.kiln.cache.RegistryStore.repository(b.cache.repository()); // a bad reference fails now
            SharedCache settings = b.cache;
            cache = new LazyCache(() -> cache(settings, repo, b.registries, b.proxies, events));
            if (settings.pushKey().isPresent()) {
                cache.get(); // a push key that cannot sign fails before the build, not after it
            }
        }
        ContentStore store = b.store == null ? null : ContentStore.open(b.store, ContentStore.DEFAULT_LOCK_TIMEOUT, events.store());
        return new Session(store, transport, true, keys == null ? null : TrustedKeys.of(keys), keys, b.home, b.mirrors, b.context,
                b.clock, events, b.registries, b.proxies, b.netrc, b.toolPath, cache);
    }

    /** The longest a cache lookup waits for an answer: a slow cache costs little before it is given up. */
    private static final java.time.Duration CACHE_READ_TIMEOUT = java.time.Duration.ofSeconds(10);

    /** The shared cache's store: its keys read now (a bad key file fails the open), its client with bounded waits. */
    private static dev.kiln.cache.RegistryStore cache(SharedCache c, dev.kiln.oci.registry.ImageReference repo, Registries registries,
            Proxies proxies, Events events) {
        List<dev.kiln.trust.VerificationKey> trusted = c.trusted().stream().map(dev.kiln.trust.VerificationKey::read).toList();
        Optional<dev.kiln.trust.SigningKey> key = c.pushKey().map(p -> dev.kiln.trust.SigningKey.read(p, Optional.empty()));
        var options = registries.options();
        if (options.readTimeout().compareTo(CACHE_READ_TIMEOUT) > 0) {
            options = options.withTimeout(CACHE_READ_TIMEOUT);
        }
        EnvironmentProxies selector = proxies.selector();
        RegistryClient client = RegistryClient.builder().options(options.withListener(events.registry()))
                .proxies(selector, selector::credentials).credentials(registries.credentials()).build();
        return new dev.kiln.cache.RegistryStore(client, repo, trusted, key, events.cache());
    }

    /** The shared cache, if this session has one. */
    Optional<dev.kiln.cache.RegistryStore> cache() {
        return Optional.ofNullable(cache).map(LazyCache::get);
    }

    /**
     * Sends the shared memos this session's store made to the cache, when it pushes (after a
     * command succeeded); a refusal is an event, never a failure.
     */
    void pushCache() {
        if (cache != null && store != null) {
            List<dev.kiln.store.RemoteStore.Made> made = store.drainMade();
            if (!made.isEmpty() && cache.get().pushes()) {
                cache.get().push(store, made, List.of());
            }
        }
    }

    /** The store; lock, fetch, build and verify need one. */
    ContentStore store() {
        if (store == null) {
            throw new IllegalStateException("this Kiln has no store: name one with Kiln.builder().store(DIR)");
        }
        return store;
    }

    /**
     * The same settings on the store at {@code root} (made if missing), sharing this session's
     * transport; with the shared cache when {@code withCache} (a rebuild that must start from
     * scratch, as a build check's or a recipe verify's, has none).
     */
    Session withStore(Path root, boolean withCache) {
        ContentStore other = ContentStore.open(root, ContentStore.DEFAULT_LOCK_TIMEOUT, events.store());
        return new Session(other, transport, false, trustedKeys, keys, home, mirrors, context, clock, events, registries,
                proxies, netrc, toolPath, withCache ? cache : null);
    }

    /** The settings a child JVM needs to build as this session would, on the store at {@code store}. */
    Map<String, String> settings(Path store) {
        Map<String, String> out = new LinkedHashMap<>();
        out.put("store", store.toAbsolutePath().toString());
        if (keys != null) {
            out.put("keys", keys.toAbsolutePath().toString());
        }
        if (home != null) {
            out.put("home", home.toAbsolutePath().toString());
        }
        if (context != null) {
            out.put("context", context.toAbsolutePath().toString());
        }
        if (netrc != null) {
            out.put("netrc", netrc.toAbsolutePath().toString());
        }
        mirrors.forEach((k, v) -> out.put("mirror." + k, v));
        proxies.variables().forEach((k, v) -> out.put("proxy." + k, v));
        return out;
    }

    private static HttpTransport http(Proxies proxies, Path netrc) {
        HttpTransport.Builder b = HttpTransport.builder().environment(proxies.variables());
        if (proxies.fallback() != null) {
            b.fallbackProxies(proxies.fallback());
        }
        if (netrc != null) {
            b.netrc(netrc);
        }
        return b.build();
    }

    /** The host names in mirror variables (for an early name lookup). */
    private static List<String> hosts(Map<String, String> vars) {
        List<String> out = new ArrayList<>();
        for (String v : vars.values()) {
            for (String one : SourceLine.mirrorList(v)) {
                try {
                    String h = URI.create(one).getHost();
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

    Optional<Path> context() {
        return Optional.ofNullable(context);
    }

    /**
     * A resolver with this session's keys and mirrors; with {@code deferCaches} the parsed indexes
     * are written to the store in the background, and {@link #awaitBackground} must be called before
     * anything is published that rests on them.
     */
    Resolver resolver(boolean deferCaches) {
        if (trustedKeys == null) {
            throw new IllegalStateException("this Kiln has no trusted keys to check repositories with: name them with"
                    + " Kiln.builder().keys(FILE_OR_DIR) or home(DIR)");
        }
        Resolver r = new Resolver(transport, store(), trustedKeys, mirrors, clock.instant()).withPhases(events.phases());
        if (home != null) {
            r = r.withKeyHome(home);
        }
        return deferCaches ? r.deferringCacheWrites(background::add) : r;
    }

    /** A registry client as this session speaks to registries: options, proxies, logins, waits told as events. */
    RegistryClient registryClient() {
        EnvironmentProxies selector = proxies.selector();
        return RegistryClient.builder().options(registries.options().withListener(events.registry()))
                .proxies(selector, selector::credentials).credentials(registries.credentials()).build();
    }

    /**
     * Waits for the store writes a build's resolve left running (the parsed indexes, cached for
     * the next lock); a failed one fails the build before its image is published.
     */
    void awaitBackground() {
        // taken off the list first: a failure is thrown once, not again by close()
        List<CompletableFuture<Void>> running = List.copyOf(background);
        background.clear();
        RepositoryReader.awaitAll(running);
    }

    @Override
    public void close() {
        try {
            awaitBackground();
        } finally {
            try {
                if (ownsTransport) {
                    if (cache != null) {
                        cache.close();
                    }
                    transport.close();
                }
            } catch (IOException ignored) {
                // closing connections cannot lose data
            } finally {
                if (store != null) {
                    store.close();
                }
            }
        }
    }
}
