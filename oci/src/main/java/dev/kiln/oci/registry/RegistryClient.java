package dev.kiln.oci.registry;

import dev.kiln.oci.Descriptor;
import dev.kiln.store.Digest;
import java.net.Proxy;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;
import okhttp3.HttpUrl;

/**
 * A client of the OCI distribution API (the Docker registry HTTP API v2) on okhttp: blobs, manifests
 * and the referrers API, image pushes from and pulls into OCI image layouts.
 *
 * <ul>
 *   <li><b>Trust.</b> Every manifest and blob that comes in is hashed and compared with the digest it
 *       was asked for before anything is kept; a {@code Docker-Content-Digest} that disagrees with
 *       what was sent or received is refused.
 *   <li><b>Transport.</b> HTTPS, except to loopback registries ({@code localhost}, {@code 127.0.0.1},
 *       {@code ::1}) or when built {@link Builder#insecure insecure}; any other plain-HTTP URL (a
 *       redirect, an upload location, a token realm) is refused before it is connected to. Proxies
 *       are the {@link Builder#proxies builder's} (kiln passes those of {@code https_proxy},
 *       {@code http_proxy} and {@code no_proxy}, as for mirrors).
 *   <li><b>Auth.</b> Anonymous first; a 401 is answered once per request: a Bearer challenge with a
 *       token from its realm for the repository's scope (with the login when there is one), a Basic
 *       challenge with the login. Logins come from {@link RegistryCredentials} and go only where a
 *       registry asked for them.
 *   <li><b>Failures.</b> No connection, timeouts, HTTP 5xx, 429 and 408 are retried with backoff (an
 *       upload restarts its session), within the bounds of {@link RegistryOptions}: by default 30 s
 *       for any one answer and 60 s for one operation in all, so a registry that never answers fails
 *       within a minute; the {@link RegistryListener} hears what is waited for meanwhile. Anything
 *       else, and the last failure, is a {@link RegistryException} naming the registry, the
 *       repository and what to do.
 * </ul>
 *
 * <p>The client is a façade over its parts, split as go-containerregistry splits its transport:
 * {@link RegistryTransport} (schemes, redirects, tries), {@link RegistryAuth} (challenges, tokens,
 * logins), {@link RegistryErrors}, {@link Blobs}, {@link Manifests} and {@link ReferrersApi}.
 */
public final class RegistryClient implements AutoCloseable {
    /** Blobs larger than this are uploaded in chunks (PATCH) rather than in one PUT. */
    public static final long DEFAULT_CHUNK_THRESHOLD = 32L << 20;
    public static final long DEFAULT_CHUNK_SIZE = 16L << 20;
    /** The largest manifest kiln accepts from a registry (the distribution spec's advice). */
    public static final int MAX_MANIFEST = Manifests.MAX_MANIFEST;

    private final RegistryTransport transport;
    private final Blobs blobs;
    private final Manifests manifests;
    private final ReferrersApi referrers;

    private RegistryClient(Builder b) {
        this.transport = new RegistryTransport(b.options, b.proxies, b.proxyAuthorization);
        RegistryAuth auth = new RegistryAuth(transport,
                b.credentials != null ? b.credentials : RegistryCredentials.fromEnvironment(b.environment));
        RegistryErrors errors = new RegistryErrors(auth);
        this.blobs = new Blobs(transport, auth, errors, b.chunkThreshold, b.chunkSize);
        this.manifests = new Manifests(transport, auth, errors);
        this.referrers = new ReferrersApi(transport, auth, errors, manifests);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client with the defaults: HTTPS, no logins, no proxy. */
    public static RegistryClient withDefaults() {
        return builder().build();
    }

    /** Settings for a {@link RegistryClient}. */
    public static final class Builder {
        private RegistryOptions options = RegistryOptions.DEFAULT;
        private RegistryCredentials credentials;
        private Map<String, String> environment = Map.of();
        private ProxySelector proxies = ProxySelector.of(null);
        private Function<Proxy, Optional<String>> proxyAuthorization = proxy -> Optional.empty();
        private long chunkThreshold = DEFAULT_CHUNK_THRESHOLD;
        private long chunkSize = DEFAULT_CHUNK_SIZE;

        private Builder() {
        }

        /** Plain HTTP or not, the timeouts and the listener at once (default {@link RegistryOptions#DEFAULT}). */
        public Builder options(RegistryOptions o) {
            this.options = Objects.requireNonNull(o, "options");
            return this;
        }

        /** Speak plain HTTP to every registry (by default only loopback ones). */
        public Builder insecure(boolean b) {
            this.options = options.withInsecure(b);
            return this;
        }

        /** Who is told what the client waits for (default: nobody). */
        public Builder listener(RegistryListener l) {
            this.options = options.withListener(Objects.requireNonNull(l, "listener"));
            return this;
        }

        /** The logins (default: the auth files named by {@link #environment}, none without one). */
        public Builder credentials(RegistryCredentials c) {
            this.credentials = Objects.requireNonNull(c, "credentials");
            return this;
        }

        /**
         * The proxies, and the {@code Proxy-Authorization} each one is answered with when it asks
         * (default: no proxy).
         */
        public Builder proxies(ProxySelector selector, Function<Proxy, Optional<String>> authorization) {
            this.proxies = Objects.requireNonNull(selector, "selector");
            this.proxyAuthorization = Objects.requireNonNull(authorization, "authorization");
            return this;
        }

        /** The variables that name the auth files, as the caller read them (default: none; see {@link RegistryCredentials}). */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(env);
            return this;
        }

        /** Blobs larger than {@code threshold} bytes go up in chunks of {@code size} bytes. */
        public Builder chunking(long threshold, long size) {
            if (threshold < 0 || size <= 0) {
                throw new IllegalArgumentException("chunk threshold must be >= 0 and chunk size > 0, found " + threshold + ", " + size);
            }
            this.chunkThreshold = threshold;
            this.chunkSize = size;
            return this;
        }

        /** See {@link RegistryOptions}: the longest waits for a connection, an answer, and one operation in all. */
        public Builder timeouts(Duration connect, Duration read, Duration maxWait) {
            this.options = options.withTimeouts(connect, read, maxWait);
            return this;
        }

        public RegistryClient build() {
            return new RegistryClient(this);
        }
    }

    // ---- images ----

    /**
     * Pushes the image an OCI layout names to {@code ref}: every blob not yet in the repository (a HEAD
     * first), then each per-platform manifest by digest, then the top manifest or index by
     * {@code ref}'s tag ({@code latest} if none; by digest for a digest-only reference, which must be
     * the layout's).
     */
    public Pushed push(Path layout, ImageReference ref) {
        return new LayoutTransfer(transport, blobs, manifests).push(layout, ref);
    }

    /**
     * Pulls {@code ref} into an OCI image layout at {@code target} (replaced if it is one already),
     * verifying every manifest and blob; on any mismatch nothing is written. The layout names the
     * image by the reference's tag ({@code latest} for a digest-only reference). Returns the top
     * descriptor.
     */
    public Descriptor pull(ImageReference ref, Path target) {
        return new LayoutTransfer(transport, blobs, manifests).pull(ref, target);
    }

    // ---- blobs ----

    /** True if {@code repo} has the blob {@code digest}. */
    public boolean hasBlob(ImageReference repo, Digest digest) {
        return blobs.hasBlob(repo, digest, Access.PULL);
    }

    /** Uploads {@code bytes} as a blob of {@code repo} (skipped if there); returns its digest. */
    public Digest putBlob(ImageReference repo, byte[] bytes) {
        return blobs.putBlob(repo, bytes);
    }

    /**
     * Uploads the file {@code blob}, which must be {@code size} bytes with {@code digest} (the registry
     * checks), unless {@code repo} has it already. Returns true if it was uploaded.
     */
    public boolean putBlob(ImageReference repo, Digest digest, long size, Path blob) {
        return blobs.putBlob(repo, digest, size, blob);
    }

    /** A blob of at most {@code maxBytes}, verified against {@code digest}. */
    public byte[] getBlob(ImageReference repo, Digest digest, long maxBytes) {
        return blobs.getBlob(repo, digest, maxBytes);
    }

    /**
     * Downloads a blob of {@code size} bytes into {@code target}, hashing as it comes; {@code target} is
     * written only when size and digest match (atomically), else nothing is left.
     */
    public void getBlob(ImageReference repo, Digest digest, long size, Path target) {
        blobs.getBlob(repo, digest, size, target);
    }

    /** What reads a blob's body as it streams. */
    @FunctionalInterface
    public interface BlobReader<T> {
        T read(java.io.InputStream in) throws java.io.IOException;
    }

    /**
     * Streams the blob {@code digest} into {@code reader}, which must check the bytes itself (a
     * store's put with the expected digest and size does): nothing is buffered or kept here.
     */
    public <T> T readBlob(ImageReference repo, Digest digest, BlobReader<T> reader) {
        return blobs.readBlob(repo, digest, reader);
    }

    // ---- manifests ----

    /** The manifest or index {@code ref} names, verified against its digest when it names one. */
    public ManifestContent getManifest(ImageReference ref) {
        return manifests.getManifest(ref);
    }

    /** Pushes a manifest or index under {@code reference} (a tag, or its own digest); returns its digest. */
    public Digest putManifest(ImageReference repo, String reference, String mediaType, byte[] bytes) {
        return manifests.putManifest(repo, reference, mediaType, bytes.clone(), Access.PUSH).digest();
    }

    // ---- referrers ----

    /**
     * The manifests whose {@code subject} is {@code subject}, optionally only those of
     * {@code artifactType}: from the referrers API, or, where the registry lacks it (404), from the
     * {@code sha256-<hex>} tag that clients keep in its place.
     */
    public List<Referrer> referrers(ImageReference repo, Digest subject, Optional<String> artifactType) {
        return referrers.referrers(repo, subject, artifactType);
    }

    /** The tag the referrers tag schema keeps a subject's referrers under: {@code sha256-<hex>}. */
    public static String fallbackTag(Digest subject) {
        return ReferrersApi.fallbackTag(subject);
    }

    /**
     * Pushes a manifest that has a {@code subject} (a signature, an attestation) by its digest, and
     * makes it listable: a registry with the referrers API indexes it itself (it answers with
     * {@code OCI-Subject}); for one without, the manifest is added to the index under the subject's
     * {@code sha256-<hex>} tag. Returns the manifest's digest.
     */
    public Digest attach(ImageReference repo, String mediaType, byte[] manifest) {
        return referrers.attach(repo, mediaType, manifest);
    }

    /** Where a request about {@code repo} goes (for tests). */
    HttpUrl url(ImageReference repo, String tail) {
        return transport.url(repo, tail);
    }

    @Override
    public void close() {
        transport.close();
    }
}
