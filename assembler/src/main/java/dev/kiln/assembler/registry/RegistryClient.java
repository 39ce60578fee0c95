package dev.kiln.assembler.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.fetcher.EnvironmentProxies;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.oci.VerifiedCopy;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.Network;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.Okio;
import okio.Source;

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
 *       come from {@code https_proxy}/{@code http_proxy}/{@code no_proxy} as for mirrors.
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
 */
public final class RegistryClient implements AutoCloseable {
    /** Blobs larger than this are uploaded in chunks (PATCH) rather than in one PUT. */
    public static final long DEFAULT_CHUNK_THRESHOLD = 32L << 20;
    public static final long DEFAULT_CHUNK_SIZE = 16L << 20;
    /** The largest manifest kiln accepts from a registry (the distribution spec's advice). */
    public static final int MAX_MANIFEST = 4 << 20;

    /** What a GET of a manifest accepts: OCI and Docker schema 2 manifests and indexes. */
    static final String ACCEPT_MANIFESTS = String.join(", ", MediaTypes.MANIFEST, MediaTypes.INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    private static final int MAX_REDIRECTS = 5;
    private static final MediaType OCTET_STREAM = MediaType.get("application/octet-stream");
    private static final Pattern RANGE = Pattern.compile("(?:bytes=)?0-(\\d+)");
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    /** What a request needs to be allowed: the token scope's actions. */
    enum Access {
        PULL("pull"), PUSH("pull,push");

        final String actions;

        Access(String actions) {
            this.actions = actions;
        }
    }

    private final OkHttpClient http;
    private final boolean insecure;
    private final EnvironmentProxies proxies;
    /** Runs the timers of {@link SilenceWatch}; null when nobody listens. */
    private final ScheduledExecutorService timer;
    private final Retrying retrying;
    private final RegistryCredentials credentials;
    private final long chunkThreshold;
    private final long chunkSize;
    /** The Authorization value that worked, per registry and scope (per registry for Basic). */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    private RegistryClient(Builder b) {
        RegistryOptions options = b.options;
        this.proxies = EnvironmentProxies.from(b.environment, ProxySelector.getDefault());
        this.timer = options.listener() == RegistryListener.NONE ? null : Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "kiln registry wait");
            t.setDaemon(true);
            return t;
        });
        OkHttpClient.Builder http = new OkHttpClient.Builder()
                .connectTimeout(options.connectTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .writeTimeout(options.readTimeout().toMillis(), TimeUnit.MILLISECONDS)
                .retryOnConnectionFailure(true)
                // redirects are followed here, so each hop's scheme is checked before it is connected to
                .followRedirects(false)
                .followSslRedirects(false)
                .proxySelector(proxies)
                .proxyAuthenticator(proxies.authenticator());
        if (timer != null) {
            http.eventListenerFactory(SilenceWatch.factory(timer, options));
        }
        this.http = http.build();
        this.retrying = new Retrying(this.http, options, this::advice);
        this.insecure = options.insecure();
        this.credentials = b.credentials != null ? b.credentials : RegistryCredentials.fromEnvironment(b.environment);
        this.chunkThreshold = b.chunkThreshold;
        this.chunkSize = b.chunkSize;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** A client with the defaults: HTTPS, logins from the auth files, proxies from the environment. */
    public static RegistryClient withDefaults() {
        return builder().build();
    }

    /** Settings for a {@link RegistryClient}. */
    public static final class Builder {
        private RegistryOptions options = RegistryOptions.DEFAULT;
        private RegistryCredentials credentials;
        private Map<String, String> environment = System.getenv();
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

        /** The logins (default: the auth files named by the environment). */
        public Builder credentials(RegistryCredentials c) {
            this.credentials = Objects.requireNonNull(c, "credentials");
            return this;
        }

        /** Where proxy variables and the auth files' locations are read (default: this process's environment). */
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
        return new LayoutTransfer(this).push(layout, ref);
    }

    /**
     * Pulls {@code ref} into an OCI image layout at {@code target} (replaced if it is one already),
     * verifying every manifest and blob; on any mismatch nothing is written. The layout names the
     * image by the reference's tag ({@code latest} for a digest-only reference). Returns the top
     * descriptor.
     */
    public Descriptor pull(ImageReference ref, Path target) {
        return new LayoutTransfer(this).pull(ref, target);
    }

    // ---- blobs ----

    /** True if {@code repo} has the blob {@code digest}. */
    public boolean hasBlob(ImageReference repo, Digest digest) {
        return hasBlob(repo, digest, Access.PULL);
    }

    boolean hasBlob(ImageReference repo, Digest digest, Access access) {
        return retrying(repo, "check for blob " + digest, a -> {
            Request head = new Request.Builder().url(url(repo, "blobs/" + digest)).head().build();
            try (Response r = exchange(a, repo, access, head)) {
                if (r.code() == 200) {
                    return true;
                }
                if (r.code() == 404) {
                    return false;
                }
                throw failure(repo, access, r, "check for blob " + digest);
            }
        });
    }

    /** Uploads {@code bytes} as a blob of {@code repo} (skipped if there); returns its digest. */
    public Digest putBlob(ImageReference repo, byte[] bytes) {
        Digest digest = Digest.of(bytes);
        byte[] copy = bytes.clone();
        if (!hasBlob(repo, digest, Access.PUSH)) {
            upload(repo, digest, copy.length, (offset, length) -> RequestBody.create(copy, OCTET_STREAM, (int) offset, (int) length));
        }
        return digest;
    }

    /**
     * Uploads the file {@code blob}, which must be {@code size} bytes with {@code digest} (the registry
     * checks), unless {@code repo} has it already. Returns true if it was uploaded.
     */
    public boolean putBlob(ImageReference repo, Digest digest, long size, Path blob) {
        if (hasBlob(repo, digest, Access.PUSH)) {
            return false;
        }
        upload(repo, digest, size, (offset, length) -> new FileSlice(blob, offset, length));
        return true;
    }

    /** A blob of at most {@code maxBytes}, verified against {@code digest}. */
    public byte[] getBlob(ImageReference repo, Digest digest, long maxBytes) {
        return retrying(repo, "download blob " + digest, a -> {
            try (Response r = blobResponse(a, repo, digest)) {
                long declared = r.body().contentLength();
                if (declared > maxBytes) {
                    throw new RegistryException(repo.registry() + ": blob " + digest + " in " + repo.repository() + " has "
                            + declared + " bytes, more than the " + maxBytes + " expected");
                }
                byte[] bytes;
                try (InputStream in = r.body().byteStream()) {
                    bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, maxBytes + 1));
                }
                if (bytes.length > maxBytes) {
                    throw new RegistryException(repo.registry() + ": blob " + digest + " in " + repo.repository()
                            + " has more than the " + maxBytes + " bytes expected");
                }
                checkDigest(repo, "blob", digest, Digest.of(bytes));
                return bytes;
            }
        });
    }

    /**
     * Downloads a blob of {@code size} bytes into {@code target}, hashing as it comes; {@code target} is
     * written only when size and digest match (atomically), else nothing is left.
     */
    public void getBlob(ImageReference repo, Digest digest, long size, Path target) {
        Path abs = target.toAbsolutePath();
        retrying(repo, "download blob " + digest, a -> {
            try (Response r = blobResponse(a, repo, digest); InputStream in = r.body().byteStream()) {
                AtomicFile.write(abs, AtomicFile.PUBLIC,
                        out -> VerifiedCopy.copy(in, out, digest, size, repo.registry() + "/" + repo.repository() + " blob " + digest));
            }
            return null;
        });
    }

    /** An open 200 response for the blob {@code digest} (redirects followed). */
    Response blobResponse(Retrying.Attempt a, ImageReference repo, Digest digest) throws IOException {
        Request get = new Request.Builder().url(url(repo, "blobs/" + digest)).get().build();
        Response r = exchange(a, repo, Access.PULL, get);
        if (r.code() != 200) {
            try (r) {
                throw failure(repo, Access.PULL, r, "download blob " + digest);
            }
        }
        return r;
    }

    /** Slices of a blob as request bodies, so an upload can be sent again. */
    @FunctionalInterface
    private interface BlobSlices {
        RequestBody slice(long offset, long length);
    }

    private void upload(ImageReference repo, Digest digest, long size, BlobSlices blob) {
        retrying(repo, "upload blob " + digest, a -> {
            HttpUrl location = startUpload(a, repo);
            Request put;
            if (size <= chunkThreshold) {
                put = new Request.Builder().url(withDigest(location, digest)).put(blob.slice(0, size)).build();
            } else {
                long offset = 0;
                while (offset < size) {
                    long n = Math.min(chunkSize, size - offset);
                    Request patch = new Request.Builder().url(location)
                            .header("Content-Range", offset + "-" + (offset + n - 1))
                            .patch(blob.slice(offset, n)).build();
                    try (Response r = exchange(a, repo, Access.PUSH, patch)) {
                        if (r.code() != 202) {
                            throw failure(repo, Access.PUSH, r, "upload a chunk of blob " + digest);
                        }
                        checkRange(repo, digest, r.header("Range"), offset + n);
                        location = nextLocation(repo, r);
                    }
                    offset += n;
                }
                put = new Request.Builder().url(withDigest(location, digest)).put(RequestBody.create(new byte[0], OCTET_STREAM)).build();
            }
            try (Response r = exchange(a, repo, Access.PUSH, put)) {
                if (r.code() != 201 && r.code() != 204) {
                    throw failure(repo, Access.PUSH, r, "finish the upload of blob " + digest);
                }
                String stored = r.header("Docker-Content-Digest");
                if (stored != null && !stored.trim().equals(digest.toString())) {
                    throw new RegistryException(repo.registry() + " stored blob " + digest + " of " + repo.repository()
                            + " under another digest, " + stored.trim() + "\n  fix: report it to the registry's operators");
                }
            }
            return null;
        });
    }

    private HttpUrl startUpload(Retrying.Attempt a, ImageReference repo) throws IOException {
        Request post = new Request.Builder().url(url(repo, "blobs/uploads/")).post(RequestBody.create(new byte[0], null)).build();
        try (Response r = exchange(a, repo, Access.PUSH, post)) {
            if (r.code() != 202) {
                throw failure(repo, Access.PUSH, r, "start a blob upload");
            }
            return nextLocation(repo, r);
        }
    }

    private HttpUrl nextLocation(ImageReference repo, Response r) {
        String location = r.header("Location");
        HttpUrl next = location == null ? null : r.request().url().resolve(location);
        if (next == null) {
            throw new RegistryException(repo.registry() + " answered an upload to " + repo.repository()
                    + " without a usable Location header (found " + location + ")\n  fix: check that this is an OCI registry");
        }
        checkScheme(next);
        return next;
    }

    private static void checkRange(ImageReference repo, Digest digest, String range, long received) {
        if (range == null) {
            return;
        }
        Matcher m = RANGE.matcher(range.trim());
        if (!m.matches() || Long.parseLong(m.group(1)) != received - 1) {
            String has = "has bytes " + range + " of blob " + digest + ", expected 0-" + (received - 1);
            throw new RegistryException.Transient(repo.registry() + " " + has, "it " + has, null);
        }
    }

    private static HttpUrl withDigest(HttpUrl location, Digest digest) {
        return location.newBuilder().addQueryParameter("digest", digest.toString()).build();
    }

    // ---- manifests ----

    /** The manifest or index {@code ref} names, verified against its digest when it names one. */
    public ManifestContent getManifest(ImageReference ref) {
        return findManifest(ref, ref.reference(), ref.digest(), Access.PULL).orElseThrow(() -> new RegistryException(
                ref.registry() + " has no manifest " + ref.reference() + " in " + ref.repository()
                        + "\n  fix: check the repository name and the tag or digest (skopeo list-tags docker://" + ref.name() + ")"));
    }

    /** The manifest or index {@code reference} (a tag or a digest) names in {@code repo}, or empty on 404. */
    Optional<ManifestContent> findManifest(ImageReference repo, String reference, Optional<Digest> expected, Access access) {
        return retrying(repo, "get manifest " + reference, a -> {
            Request get = new Request.Builder().url(url(repo, "manifests/" + reference)).header("Accept", ACCEPT_MANIFESTS).get().build();
            try (Response r = exchange(a, repo, access, get)) {
                if (r.code() == 404) {
                    return Optional.empty();
                }
                if (r.code() != 200) {
                    throw failure(repo, access, r, "get manifest " + reference);
                }
                if (r.body().contentLength() > MAX_MANIFEST) {
                    throw tooLarge(repo, reference);
                }
                byte[] bytes;
                try (InputStream in = r.body().byteStream()) {
                    bytes = in.readNBytes(MAX_MANIFEST + 1);
                }
                if (bytes.length > MAX_MANIFEST) {
                    throw tooLarge(repo, reference);
                }
                Digest actual = Digest.of(bytes);
                if (expected.isPresent()) {
                    checkDigest(repo, "manifest", expected.get(), actual);
                }
                String header = r.header("Docker-Content-Digest");
                if (header != null && !header.trim().equals(actual.toString())) {
                    throw new RegistryException(repo.registry() + " sent manifest " + reference + " of " + repo.repository()
                            + " whose bytes hash to " + actual + " but named it " + header.trim()
                            + "; it was not used\n  fix: pull by digest, or report it to the registry's operators");
                }
                String contentType = r.header("Content-Type");
                String source = repo.name() + " manifest " + reference;
                return Optional.of(new ManifestContent(OciJsonReader.mediaType(bytes, contentType, source), actual, bytes));
            }
        });
    }

    private static RegistryException tooLarge(ImageReference repo, String reference) {
        return new RegistryException(repo.registry() + ": manifest " + reference + " of " + repo.repository()
                + " is larger than " + MAX_MANIFEST + " bytes, which kiln does not accept");
    }

    /** Pushes a manifest or index under {@code reference} (a tag, or its own digest); returns its digest. */
    public Digest putManifest(ImageReference repo, String reference, String mediaType, byte[] bytes) {
        return putManifest(repo, reference, mediaType, bytes.clone(), Access.PUSH).digest();
    }

    /** What the registry said to a manifest PUT. */
    record Put(Digest digest, boolean subjectIndexed) {
    }

    Put putManifest(ImageReference repo, String reference, String mediaType, byte[] bytes, Access access) {
        Digest digest = Digest.of(bytes);
        if (reference.startsWith("sha256:") && !reference.equals(digest.toString())) {
            throw new IllegalArgumentException("a manifest pushed by digest must be that digest: " + reference + " vs " + digest);
        }
        return retrying(repo, "push manifest " + reference, a -> {
            Request put = new Request.Builder().url(url(repo, "manifests/" + reference))
                    .put(RequestBody.create(bytes, MediaType.get(mediaType))).build();
            try (Response r = exchange(a, repo, access, put)) {
                if (r.code() != 201 && r.code() != 200 && r.code() != 204) {
                    throw failure(repo, access, r, "push manifest " + reference);
                }
                String stored = r.header("Docker-Content-Digest");
                if (stored != null && !stored.trim().equals(digest.toString())) {
                    throw new RegistryException(repo.registry() + " stored manifest " + reference + " of " + repo.repository()
                            + " as " + stored.trim() + ", but its bytes hash to " + digest
                            + "\n  fix: the registry rewrote the manifest; push to another registry, or report it");
                }
                return new Put(digest, r.header("OCI-Subject") != null);
            }
        });
    }

    // ---- referrers ----

    /**
     * The manifests whose {@code subject} is {@code subject}, optionally only those of
     * {@code artifactType}: from the referrers API, or, where the registry lacks it (404), from the
     * {@code sha256-<hex>} tag that clients keep in its place.
     */
    public List<Referrer> referrers(ImageReference repo, Digest subject, Optional<String> artifactType) {
        List<Referrer> out = new ArrayList<>();
        HttpUrl.Builder first = url(repo, "referrers/" + subject).newBuilder();
        artifactType.ifPresent(t -> first.addQueryParameter("artifactType", t));
        HttpUrl next = first.build();
        boolean filtered = artifactType.isEmpty();
        while (next != null) {
            Optional<ReferrersPage> page = referrersPage(repo, subject, next);
            if (page.isEmpty()) {
                if (!out.isEmpty()) {
                    throw new RegistryException(repo.registry() + ": a page of the referrers of " + subject + " in "
                            + repo.repository() + " vanished while it was read\n  fix: try again");
                }
                return referrersFromTag(repo, subject, artifactType);
            }
            filtered |= page.get().filtered();
            out.addAll(page.get().referrers());
            next = page.get().next();
        }
        return filtered ? out : filter(out, artifactType);
    }

    /** One page of the referrers API; {@code next} is null on the last. */
    private record ReferrersPage(List<Referrer> referrers, boolean filtered, HttpUrl next) {
    }

    /** A page of the referrers API, or empty when the registry has no referrers API (404). */
    private Optional<ReferrersPage> referrersPage(ImageReference repo, Digest subject, HttpUrl page) {
        String what = "list the referrers of " + subject;
        return retrying(repo, what, a -> {
            Request get = new Request.Builder().url(page).header("Accept", MediaTypes.INDEX).get().build();
            try (Response r = exchange(a, repo, Access.PULL, get)) {
                if (r.code() == 404) {
                    return Optional.empty();
                }
                if (r.code() != 200) {
                    throw failure(repo, Access.PULL, r, what);
                }
                byte[] bytes;
                try (InputStream in = r.body().byteStream()) {
                    bytes = in.readNBytes(MAX_MANIFEST + 1);
                }
                if (bytes.length > MAX_MANIFEST) {
                    throw tooLarge(repo, "referrers/" + subject);
                }
                boolean filtered = String.valueOf(r.header("OCI-Filters-Applied")).contains("artifactType");
                return Optional.of(new ReferrersPage(parseReferrers(bytes, repo.name() + " referrers of " + subject),
                        filtered, nextPage(r)));
            }
        });
    }

    private HttpUrl nextPage(Response r) {
        String link = r.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = LINK_NEXT.matcher(link);
        if (!m.find()) {
            return null;
        }
        HttpUrl next = r.request().url().resolve(m.group(1));
        if (next != null) {
            checkScheme(next);
        }
        return next;
    }

    private List<Referrer> referrersFromTag(ImageReference repo, Digest subject, Optional<String> artifactType) {
        return findManifest(repo, fallbackTag(subject), Optional.empty(), Access.PULL)
                .map(m -> filter(parseReferrers(m.bytes(), repo.name() + " tag " + fallbackTag(subject)), artifactType))
                .orElse(List.of());
    }

    private static List<Referrer> filter(List<Referrer> all, Optional<String> artifactType) {
        return artifactType.isEmpty() ? all : all.stream().filter(r -> r.artifactType().equals(artifactType)).toList();
    }

    private static List<Referrer> parseReferrers(byte[] index, String source) {
        JsonNode node = OciJsonReader.tree(index, source);
        List<Referrer> out = new ArrayList<>();
        for (JsonNode m : node.path("manifests")) {
            Descriptor d = OciJsonReader.descriptor(m, source);
            String type = m.path("artifactType").asText("");
            out.add(new Referrer(d.mediaType(), d.digest(), d.size(), type.isEmpty() ? Optional.empty() : Optional.of(type),
                    d.annotations()));
        }
        return out;
    }

    /** The tag the referrers tag schema keeps a subject's referrers under: {@code sha256-<hex>}. */
    public static String fallbackTag(Digest subject) {
        return "sha256-" + subject.hex();
    }

    /**
     * Pushes a manifest that has a {@code subject} (a signature, an attestation) by its digest, and
     * makes it listable: a registry with the referrers API indexes it itself (it answers with
     * {@code OCI-Subject}); for one without, the manifest is added to the index under the subject's
     * {@code sha256-<hex>} tag. Returns the manifest's digest.
     */
    public Digest attach(ImageReference repo, String mediaType, byte[] manifest) {
        byte[] bytes = manifest.clone();
        JsonNode node = OciJsonReader.tree(bytes, "the manifest to attach");
        if (!node.path("subject").isObject()) {
            throw new RegistryException("the manifest to attach to " + repo.name() + " has no 'subject'"
                    + "\n  fix: name the image it refers to in its subject descriptor");
        }
        Descriptor subject = OciJsonReader.descriptor(node.get("subject"), "the manifest's subject");
        Digest digest = Digest.of(bytes);
        Put put = putManifest(repo, digest.toString(), mediaType, bytes, Access.PUSH);
        if (put.subjectIndexed()) {
            return digest;
        }
        String tag = fallbackTag(subject.digest());
        Optional<ManifestContent> existing = findManifest(repo, tag, Optional.empty(), Access.PUSH);
        ObjectNode index;
        if (existing.isPresent()) {
            index = (ObjectNode) OciJsonReader.tree(existing.get().bytes(), repo.name() + " tag " + tag);
        } else {
            index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.INDEX);
        }
        ArrayNode manifests = index.withArray("/manifests");
        for (JsonNode m : manifests) {
            if (m.path("digest").asText("").equals(digest.toString())) {
                return digest;
            }
        }
        ObjectNode entry = manifests.addObject();
        entry.put("mediaType", mediaType);
        entry.put("digest", digest.toString());
        entry.put("size", bytes.length);
        String artifactType = node.path("artifactType").asText(node.path("config").path("mediaType").asText(""));
        if (!artifactType.isEmpty()) {
            entry.put("artifactType", artifactType);
        }
        if (node.path("annotations").isObject() && !node.get("annotations").isEmpty()) {
            entry.set("annotations", node.get("annotations"));
        }
        byte[] updated;
        try {
            updated = JSON.writeValueAsBytes(index);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        putManifest(repo, tag, MediaTypes.INDEX, updated, Access.PUSH);
        return digest;
    }

    // ---- HTTP ----

    HttpUrl url(ImageReference repo, String tail) {
        String host = apiHost(repo.registry());
        HttpUrl base = HttpUrl.parse((plainHttp(host) ? "http://" : "https://") + host + "/v2/");
        if (base == null) {
            throw new RegistryException("cannot make a URL of the registry host '" + repo.registry() + "'");
        }
        return base.newBuilder().addPathSegments(repo.repository() + "/" + tail).build();
    }

    /** Docker Hub's API is not at the host its image names use. */
    static String apiHost(String registry) {
        return registry.equals("docker.io") ? "registry-1.docker.io" : registry;
    }

    private boolean plainHttp(String hostAndPort) {
        return insecure || Network.isLoopback(hostOnly(hostAndPort));
    }

    private static String hostOnly(String hostAndPort) {
        if (hostAndPort.startsWith("[")) {
            return hostAndPort.substring(0, hostAndPort.indexOf(']') + 1);
        }
        int colon = hostAndPort.indexOf(':');
        return colon < 0 ? hostAndPort : hostAndPort.substring(0, colon);
    }

    /** Refuses a plain-HTTP URL to a host that is not loopback, unless insecure. */
    private void checkScheme(HttpUrl url) {
        if (!url.isHttps() && !insecure && !Network.isLoopback(url.host())) {
            throw new RegistryException("refusing plain HTTP to " + url.host() + " (" + url.scheme() + "://" + url.host()
                    + url.encodedPath() + "): kiln speaks HTTP without TLS only to loopback registries"
                    + "\n  fix: serve the registry (and its token service) over HTTPS, or pass --insecure if the network is trusted");
        }
    }

    /**
     * Sends {@code request} with the authorization known for its scope, follows redirects (checking
     * each hop's scheme, dropping credentials when the host changes), and answers one 401 challenge.
     */
    Response exchange(Retrying.Attempt a, ImageReference repo, Access access, Request request) throws IOException {
        String key = authKey(repo, access);
        String sent = authorizations.get(key);
        if (sent == null && access == Access.PULL) {
            sent = authorizations.get(authKey(repo, Access.PUSH)); // a push token may pull
        }
        if (sent == null) {
            sent = authorizations.get(repo.registry() + " basic");
        }
        Response r = send(a, request, sent);
        if (r.code() != 401) {
            return r;
        }
        List<AuthChallenge> challenges = AuthChallenge.parse(r.headers("WWW-Authenticate"));
        String error = errorText(r);
        r.close();
        String fresh = answer(a, repo, access, challenges, sent, error);
        Response again = send(a, request, fresh);
        if (again.code() == 401) {
            String second = errorText(again);
            again.close();
            throw unauthorized(repo, access, second, true);
        }
        return again;
    }

    /** Sends {@code request} on the attempt's client, tagged with it for the {@link SilenceWatch}. */
    private Response send(Retrying.Attempt a, Request request, String authorization) throws IOException {
        Request r = request.newBuilder().header("User-Agent", "kiln").header("Accept-Encoding", "identity")
                .tag(Retrying.Attempt.class, a).build();
        if (authorization != null) {
            r = r.newBuilder().header("Authorization", authorization).build();
        }
        for (int hop = 0; ; hop++) {
            checkScheme(r.url());
            Response response = a.http().newCall(r).execute();
            if (!response.isRedirect() || !(r.method().equals("GET") || r.method().equals("HEAD"))) {
                return response;
            }
            String location = response.header("Location");
            HttpUrl next = location == null ? null : r.url().resolve(location);
            response.close();
            if (next == null || hop == MAX_REDIRECTS) {
                throw new RegistryException(r.url().host() + ": " + (next == null ? "a redirect without a usable Location"
                        : "more than " + MAX_REDIRECTS + " redirects") + " for " + request.url().encodedPath());
            }
            Request.Builder b = r.newBuilder().url(next);
            if (!next.host().equals(r.url().host()) || next.port() != r.url().port()) {
                b.removeHeader("Authorization"); // a login (or token) is for the registry, never for a blob store
            }
            r = b.build();
        }
    }

    private String answer(Retrying.Attempt a, ImageReference repo, Access access, List<AuthChallenge> challenges, String sent,
            String error) throws IOException {
        Optional<RegistryCredentials.Login> login = credentials.find(repo.registry(), repo.repository());
        Optional<AuthChallenge> bearer = AuthChallenge.first(challenges, "bearer");
        if (bearer.isPresent()) {
            String token = token(a, repo, access, bearer.get(), login);
            String value = "Bearer " + token;
            if (value.equals(sent)) {
                throw unauthorized(repo, access, error, login.isPresent());
            }
            authorizations.put(authKey(repo, access), value);
            return value;
        }
        if (AuthChallenge.first(challenges, "basic").isPresent()) {
            if (login.isEmpty()) {
                throw unauthorized(repo, access, error, false);
            }
            String value = Credentials.basic(login.get().user(), login.get().password(), StandardCharsets.UTF_8);
            if (value.equals(sent)) {
                throw unauthorized(repo, access, error, true);
            }
            authorizations.put(repo.registry() + " basic", value);
            return value;
        }
        throw new RegistryException(repo.registry() + " asks for credentials in a way kiln does not speak ("
                + (challenges.isEmpty() ? "no WWW-Authenticate challenge" : challenges.get(0).scheme())
                + ") to " + access.actions + " " + repo.repository() + "\n  fix: use a registry that offers Basic or Bearer token auth");
    }

    /** A token from the challenge's realm for this repository's scope; the login goes along when there is one. */
    private String token(Retrying.Attempt a, ImageReference repo, Access access, AuthChallenge challenge,
            Optional<RegistryCredentials.Login> login) throws IOException {
        String realm = challenge.param("realm").orElseThrow(() -> new RegistryException(repo.registry()
                + " sent a Bearer challenge without a realm\n  fix: check the registry's token service configuration"));
        HttpUrl realmUrl = HttpUrl.parse(realm);
        if (realmUrl == null) {
            throw new RegistryException(repo.registry() + " names a token service that is not an http(s) URL: " + realm);
        }
        HttpUrl.Builder url = realmUrl.newBuilder();
        challenge.param("service").ifPresent(s -> url.addQueryParameter("service", s));
        url.addQueryParameter("scope", "repository:" + repo.repository() + ":" + access.actions);
        String basic = login.map(l -> Credentials.basic(l.user(), l.password(), StandardCharsets.UTF_8)).orElse(null);
        try (Response r = send(a, new Request.Builder().url(url.build()).get().build(), basic)) {
            if (r.code() == 401 || r.code() == 403) {
                throw new RegistryException(repo.registry() + "'s token service (" + realmUrl.host() + ") refused "
                        + (login.isPresent() ? "the login from " + login.get().source() : "an anonymous request")
                        + " to " + access.actions + " " + repo.repository() + ": HTTP " + r.code() + errorSuffix(errorText(r))
                        + "\n  fix: " + loginAdvice(repo));
            }
            if (r.code() >= 500 || r.code() == 429 || r.code() == 408) {
                throw new RegistryException.Transient(repo.registry() + "'s token service answered HTTP " + r.code(),
                        "its token service answered HTTP " + r.code(), null);
            }
            if (r.code() != 200) {
                throw new RegistryException(repo.registry() + "'s token service answered HTTP " + r.code() + errorSuffix(errorText(r)));
            }
            JsonNode body;
            try (InputStream in = r.body().byteStream()) {
                body = JSON.readTree(in.readNBytes(1 << 20));
            } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
                throw new RegistryException(repo.registry() + "'s token service sent something that is not JSON");
            }
            String token = body == null ? "" : body.path("token").asText(body.path("access_token").asText(""));
            if (token.isEmpty()) {
                throw new RegistryException(repo.registry() + "'s token service sent no token");
            }
            return token;
        }
    }

    private static String authKey(ImageReference repo, Access access) {
        return repo.registry() + " repository:" + repo.repository() + ":" + access.actions;
    }

    private RegistryException unauthorized(ImageReference repo, Access access, String error, boolean loginSent) {
        Optional<RegistryCredentials.Login> login = credentials.find(repo.registry(), repo.repository());
        String who = loginSent && login.isPresent() ? "the login from " + login.get().source() + " was refused"
                : "no login for it was found";
        return new RegistryException(repo.registry() + " wants a login to " + verb(access) + " " + repo.repository()
                + " (HTTP 401" + errorSuffix(error) + "); " + who + "\n  fix: " + loginAdvice(repo));
    }

    private String loginAdvice(ImageReference repo) {
        String helper = credentials.helper(repo.registry())
                .map(h -> "; kiln does not run credential helpers such as " + h + ", so put an 'auth' entry in one of the files")
                .orElse("");
        List<String> files = credentials.files().stream().map(Path::toString).toList();
        return "log in with 'podman login " + repo.registry() + "' or 'docker login " + repo.registry() + "'"
                + (files.isEmpty() ? "" : " (kiln reads " + String.join(", ", files) + ")") + helper;
    }

    private static String verb(Access access) {
        return access == Access.PUSH ? "push to" : "pull from";
    }

    /** A {@link RegistryException} for an unexpected answer; 5xx, 429 and 408 are transient. */
    private RegistryException failure(ImageReference repo, Access access, Response r, String what) {
        int code = r.code();
        String error = errorText(r);
        String where = repo.registry() + " (repository " + repo.repository() + ")";
        if (code >= 500 || code == 429 || code == 408) {
            return new RegistryException.Transient(where + ": " + what + ": HTTP " + code + errorSuffix(error),
                    "HTTP " + code + errorSuffix(error), null);
        }
        if (code == 401) {
            return unauthorized(repo, access, error, true);
        }
        if (code == 403) {
            Optional<RegistryCredentials.Login> login = credentials.find(repo.registry(), repo.repository());
            return new RegistryException(where + " denied us: " + what + ": HTTP 403" + errorSuffix(error)
                    + "\n  fix: check that " + (login.isPresent() ? "the account from " + login.get().source() : "your account")
                    + " may " + access.actions.replace(",", " and ") + " " + repo.repository() + "; " + loginAdvice(repo));
        }
        if (code == 404) {
            return new RegistryException(where + ": " + what + ": HTTP 404" + errorSuffix(error)
                    + "\n  fix: check the registry and repository name");
        }
        if (code == 400 && error.contains("DIGEST_INVALID")) {
            return new RegistryException(where + ": " + what + ": the registry found that the bytes sent do not match"
                    + " their digest (HTTP 400" + errorSuffix(error) + ")\n  fix: the image layout is corrupt; build it again");
        }
        return new RegistryException(where + ": " + what + ": HTTP " + code + errorSuffix(error));
    }

    private static String errorSuffix(String error) {
        return error.isEmpty() ? "" : ": " + error;
    }

    /** The registry's error codes and messages ({@code {"errors":[{code,message}]}}) or the start of its text. */
    private static String errorText(Response r) {
        String text;
        try {
            text = r.peekBody(4096).string().trim();
        } catch (IOException | IllegalStateException e) {
            return "";
        }
        try {
            JsonNode errors = JSON.readTree(text).path("errors");
            List<String> parts = new ArrayList<>();
            for (JsonNode e : errors) {
                String code = e.path("code").asText("");
                String message = e.path("message").asText("");
                parts.add(code.isEmpty() ? message : message.isEmpty() ? code : code + " " + message);
            }
            if (!parts.isEmpty()) {
                return String.join("; ", parts);
            }
        } catch (IOException | RuntimeException notJson) {
            // plain text below
        }
        String oneLine = text.replaceAll("\\s+", " ");
        return oneLine.length() > 200 ? oneLine.substring(0, 200) + "..." : oneLine;
    }

    private static void checkDigest(ImageReference repo, String what, Digest expected, Digest actual) {
        if (!actual.equals(expected)) {
            throw new RegistryException(repo.registry() + " sent " + what + " " + expected + " of " + repo.repository()
                    + ", but its bytes hash to " + actual + "; nothing of it was kept"
                    + "\n  fix: try again; if it persists, the registry (or something between) serves wrong bytes");
        }
    }

    /** Runs {@code work}, trying again after transient failures within the bounds of {@link RegistryOptions}. */
    <T> T retrying(ImageReference repo, String what, Retrying.Work<T> work) {
        return retrying.run(repo, what, work);
    }

    /** What to do when a registry did not answer in time, or kept failing. */
    private String advice(ImageReference repo) {
        HttpUrl api = url(repo, "");
        Optional<Proxy> proxy = proxies.select(api.uri()).stream().filter(p -> p.type() != Proxy.Type.DIRECT).findFirst();
        String via = proxy.map(p -> p.address() instanceof InetSocketAddress s ? s.getHostString() + ":" + s.getPort()
                : String.valueOf(p.address())).map(p -> " through the proxy " + p + " (https_proxy, http_proxy, no_proxy)")
                .orElse("");
        return "check that " + repo.registry() + " is up and reachable from here" + via + ": 'curl -v "
                + api.newBuilder().encodedPath("/v2/").build() + "' should answer at once;"
                + " a registry that is only slow can be given longer with --registry-timeout SECONDS";
    }

    /** A part of a file as a request body that can be sent again. */
    private static final class FileSlice extends RequestBody {
        private final Path file;
        private final long offset;
        private final long length;

        FileSlice(Path file, long offset, long length) {
            this.file = file;
            this.offset = offset;
            this.length = length;
        }

        @Override
        public MediaType contentType() {
            return OCTET_STREAM;
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            try (InputStream in = Files.newInputStream(file)) {
                in.skipNBytes(offset);
                try (Source source = Okio.source(in)) {
                    long left = length;
                    while (left > 0) {
                        long n = source.read(sink.getBuffer(), Math.min(left, 1 << 16));
                        if (n < 0) {
                            throw new IOException(file + " ended " + left + " bytes early");
                        }
                        left -= n;
                        sink.emitCompleteSegments();
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        if (timer != null) {
            timer.shutdownNow();
        }
        http.dispatcher().executorService().shutdown();
        http.connectionPool().evictAll();
    }
}
