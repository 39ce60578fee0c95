package dev.kiln.fetcher;

import dev.kiln.store.Network;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.ProxySelector;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.ConnectionSpec;
import okhttp3.Credentials;
import okhttp3.Dispatcher;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.ResponseBody;

/**
 * HTTP(S) through okhttp: connect and read timeouts, HTTP/2 where a TLS server offers it, proxies from
 * {@code http_proxy}/{@code https_proxy}/{@code no_proxy} (see {@link EnvironmentProxies}) and Basic
 * credentials from a netrc file. {@link #get(URI)} retries transient failures; {@link #get(URI, long)}
 * makes one attempt and leaves retrying and resuming to the caller.
 *
 * <p>A netrc {@code machine} entry is sent with every request to that host (as apt does with its
 * auth.conf); the {@code default} entry only when a server asks for credentials, so it does not leak
 * to every host a redirect leads to.
 *
 * <p>TLS is set up only when a URL (or a redirect) needs it: loading the platform's trust store
 * costs ~50 ms of every run, and Debian mirrors are usually plain HTTP (the signed Release, not
 * the channel, is what kiln trusts).
 */
public final class HttpTransport implements Transport {
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(15);
    public static final Duration DEFAULT_READ_TIMEOUT = Duration.ofSeconds(30);

    /** What to do when the network, not a server's answer, failed a fetch. */
    public static final String NETWORK_FIX = "\n  fix: check the mirror (DEBIAN_MIRROR or the host's apt sources), the network"
            + " and any proxy (http_proxy, https_proxy), then retry";

    /** How often a request is tried before a transient failure is reported (the registry client too). */
    public static final int ATTEMPTS = Network.ATTEMPTS;
    private static final long BACKOFF_MILLIS = 100;
    private static final Pattern CONTENT_RANGE = Pattern.compile("bytes\\s+(\\d+)-(\\d+)/(\\d+|\\*)");

    /** Plain HTTP only, redirects to https handed back (see {@link #tls()}). */
    private final OkHttpClient client;
    private volatile OkHttpClient tls;

    public HttpTransport(Duration connectTimeout, Duration readTimeout) {
        this(builder().connectTimeout(connectTimeout).readTimeout(readTimeout));
    }

    private HttpTransport(Builder b) {
        EnvironmentProxies proxies = EnvironmentProxies.from(b.environment, b.fallbackProxies);
        Path netrcFile = b.netrc != null ? b.netrc : netrcOf(b.environment);
        Netrc netrc = netrcFile != null ? Netrc.load(netrcFile) : Netrc.EMPTY;
        Dispatcher dispatcher = new Dispatcher();
        dispatcher.setMaxRequestsPerHost(16);
        this.client = new OkHttpClient.Builder()
                .connectTimeout(b.connectTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .readTimeout(b.readTimeout.toMillis(), TimeUnit.MILLISECONDS)
                .connectionPool(new ConnectionPool(16, 1, TimeUnit.MINUTES))
                .dispatcher(dispatcher)
                .retryOnConnectionFailure(true)
                .followRedirects(true)
                .proxySelector(proxies)
                .proxyAuthenticator(proxies.authenticator())
                // each hop, redirects included, gets the credentials of its own host and no other's
                .addNetworkInterceptor(chain -> {
                    Request r = chain.request();
                    if (r.header("Authorization") == null) {
                        var login = netrc.machine(r.url().host());
                        if (login.isPresent()) {
                            r = r.newBuilder().header("Authorization", basic(login.get())).build();
                        }
                    }
                    return chain.proceed(r);
                })
                .authenticator((route, response) -> {
                    if (response.request().header("Authorization") != null) {
                        return null; // the credentials we had were refused
                    }
                    return netrc.forHost(response.request().url().host())
                            .map(l -> response.request().newBuilder().header("Authorization", basic(l)).build())
                            .orElse(null);
                })
                .connectionSpecs(List.of(ConnectionSpec.CLEARTEXT))
                .followSslRedirects(false)
                .build();
    }

    /** The same client with TLS (sharing its pool, dispatcher and settings), made on first use. */
    private OkHttpClient tls() {
        OkHttpClient c = tls;
        if (c == null) {
            synchronized (this) {
                c = tls;
                if (c == null) {
                    c = client.newBuilder()
                            .connectionSpecs(List.of(ConnectionSpec.MODERN_TLS, ConnectionSpec.CLEARTEXT))
                            .followSslRedirects(true)
                            .build();
                    tls = c;
                }
            }
        }
        return c;
    }

    /** Timeouts of 15 s to connect and 30 s between bytes; no proxy, no netrc (the caller passes those in). */
    public static HttpTransport withDefaults() {
        return builder().build();
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Settings for an {@link HttpTransport}. */
    public static final class Builder {
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration readTimeout = DEFAULT_READ_TIMEOUT;
        private Map<String, String> environment = Map.of();
        private ProxySelector fallbackProxies;
        private Path netrc;

        private Builder() {
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = Objects.requireNonNull(d, "connectTimeout");
            return this;
        }

        /** How long to wait for the next byte before giving up on a stalled server. */
        public Builder readTimeout(Duration d) {
            this.readTimeout = Objects.requireNonNull(d, "readTimeout");
            return this;
        }

        /**
         * The proxy variables ({@code http_proxy}, {@code no_proxy}, ...) and {@code NETRC}, as the
         * caller read them (default: none; kiln itself reads no environment).
         */
        public Builder environment(Map<String, String> env) {
            this.environment = Map.copyOf(Objects.requireNonNull(env, "env"));
            return this;
        }

        /** Who picks a proxy for a scheme that no proxy variable names (default: nobody, no proxy). */
        public Builder fallbackProxies(ProxySelector selector) {
            this.fallbackProxies = Objects.requireNonNull(selector, "selector");
            return this;
        }

        /** The netrc file (default: {@code NETRC} in {@link #environment}, else none). A missing file holds no credentials. */
        public Builder netrc(Path file) {
            this.netrc = Objects.requireNonNull(file, "file");
            return this;
        }

        public HttpTransport build() {
            return new HttpTransport(this);
        }
    }

    @Override
    public Body get(URI uri) {
        TransientFetchException last = null;
        for (int attempt = 1; attempt <= ATTEMPTS; attempt++) {
            try {
                return get(uri, 0);
            } catch (TransientFetchException e) {
                last = e;
                if (attempt < ATTEMPTS) {
                    backoff(attempt);
                }
            }
        }
        String message = last.getMessage() + " (tried " + ATTEMPTS + " times)" + NETWORK_FIX;
        if (last instanceof UnreachableHostException) {
            throw new UnreachableHostException(uri, message, last);
        }
        throw new TransientFetchException(message, last);
    }

    @Override
    public Body get(URI uri, long fromByte) {
        if (fromByte < 0) {
            throw new IllegalArgumentException("fromByte must not be negative, found " + fromByte);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new FetchException(uri + ": kiln fetches over http:// and https:// only");
        }
        Request.Builder request = new Request.Builder().url(uri.toString())
                .header("User-Agent", "kiln")
                // the bytes as the server keeps them: hashes are of those, and ranges count them
                .header("Accept-Encoding", "identity");
        if (fromByte > 0) {
            request.header("Range", "bytes=" + fromByte + "-");
        }
        Request req = request.build();
        Call call = (scheme.equals("https") ? tls() : client).newCall(req);
        Response response;
        try {
            response = call.execute();
            String location = response.isRedirect() && !response.request().url().isHttps() ? response.header("Location") : null;
            okhttp3.HttpUrl target = location == null ? null : response.request().url().resolve(location);
            if (target != null && target.isHttps()) {
                // plain HTTP redirected to https: follow it with TLS (the same headers, a new URL);
                // a Location okhttp cannot parse is left to the 3xx report below
                response.close();
                call = tls().newCall(req.newBuilder().url(target).build());
                response = call.execute();
            }
        } catch (IOException e) {
            if (unreachable(e)) {
                throw new UnreachableHostException(uri, uri + ": " + Network.describe(e), e);
            }
            throw new TransientFetchException(uri + ": " + Network.describe(e), e);
        }
        int code = response.code();
        if (code == 200 || code == 206) {
            long start = 0;
            if (code == 206) {
                String range = response.header("Content-Range");
                Matcher m = range == null ? null : CONTENT_RANGE.matcher(range.trim());
                if (m == null || !m.matches() || Long.parseLong(m.group(1)) != fromByte) {
                    call.cancel();
                    response.close();
                    throw new FetchException(FetchException.Kind.WRONG_BYTES, uri + ": asked for the bytes from " + fromByte
                            + ", the server sent Content-Range " + (range == null ? "(none)" : range));
                }
                start = fromByte;
            }
            return new HttpBody(call, response, start);
        }
        call.cancel();
        response.close();
        if (code == 404 || code == 410) {
            throw new NotFoundException(uri + ": HTTP " + code + " (not found)");
        }
        if (code >= 500 || code == 429 || code == 408) {
            throw new TransientFetchException(uri + ": HTTP " + code + " from the server");
        }
        if (code == 416) {
            throw new FetchException(FetchException.Kind.WRONG_BYTES, uri + ": HTTP 416: the server has no byte " + fromByte
                    + " (its file is shorter than expected)");
        }
        if (code == 401 || code == 407) {
            String who = code == 401 ? "the server" : "the proxy";
            throw new FetchException(FetchException.Kind.REFUSED,
                    uri + ": HTTP " + code + ": " + who + " wants credentials (or refused ours)"
                    + "\n  fix: " + (code == 401
                    ? "add 'machine " + response.request().url().host() + " login USER password PASS' to ~/.netrc (or $NETRC)"
                    : "put them in the proxy variable: http_proxy=http://USER:PASS@host:port"));
        }
        throw new FetchException(FetchException.Kind.REFUSED, uri + ": expected HTTP 200, found HTTP " + code);
    }

    /** Whether no connection could be made at all (as opposed to one that broke or stalled). */
    static boolean unreachable(IOException e) {
        return e instanceof UnknownHostException || e instanceof ConnectException || e instanceof NoRouteToHostException
                || e instanceof SocketTimeoutException && Network.whileConnecting(e);
    }

    private static String basic(Netrc.Login login) {
        return Credentials.basic(login.user(), login.password(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** {@code NETRC} among the variables given, or null. */
    private static Path netrcOf(Map<String, String> env) {
        String explicit = env.get("NETRC");
        return explicit != null && !explicit.isBlank() ? Path.of(explicit) : null;
    }

    /** The pause after failed attempt {@code attempt} (1-based), doubling each time. */
    public static void backoff(int attempt) {
        try {
            // backoff between retries of a failed request, not test synchronisation
            Thread.sleep(BACKOFF_MILLIS << (attempt - 1));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while waiting to retry");
        }
    }

    /** A response body that, closed before its end, drops the connection instead of draining the rest. */
    private static final class HttpBody implements Body {
        private final Call call;
        private final Response response;
        private final long start;
        private final ResponseBody body;
        private final InputStream stream;
        private volatile boolean exhausted;

        HttpBody(Call call, Response response, long start) {
            this.call = call;
            this.response = response;
            this.start = start;
            this.body = response.body();
            this.exhausted = body.contentLength() == 0;
            this.stream = new FilterInputStream(body.byteStream()) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    exhausted |= b < 0;
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    exhausted |= n < 0;
                    return n;
                }
            };
        }

        @Override
        public long length() {
            return body.contentLength();
        }

        @Override
        public long start() {
            return start;
        }

        @Override
        public InputStream stream() {
            return stream;
        }

        @Override
        public void close() {
            if (!exhausted) {
                // okhttp would otherwise read on for a while to reuse the connection: a server sending
                // more than we want gets cut off instead
                call.cancel();
            }
            response.close();
        }
    }

    @Override
    public void close() {
        // the TLS client shares the dispatcher and the pool
        client.dispatcher().executorService().shutdown();
        client.connectionPool().evictAll();
    }
}
