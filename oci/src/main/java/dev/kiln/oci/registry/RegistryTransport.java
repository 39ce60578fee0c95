package dev.kiln.oci.registry;

import dev.kiln.store.Network;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import okhttp3.Authenticator;
import okhttp3.HttpUrl;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;

/**
 * HTTP to registries: where a request goes ({@code https://HOST/v2/REPO/...}; plain HTTP only to
 * loopback unless insecure, for every hop), redirects followed by hand so that each hop's scheme is
 * checked before it is connected to and a login never follows a redirect to another host, and each
 * operation's tries ({@link Retrying}). Authorization is {@link RegistryAuth}'s.
 */
final class RegistryTransport implements AutoCloseable {
    private static final int MAX_REDIRECTS = 5;

    private final OkHttpClient http;
    private final boolean insecure;
    private final ProxySelector proxies;
    /** Runs the timers of {@link SilenceWatch}; null when nobody listens. */
    private final ScheduledExecutorService timer;
    private final Retrying retrying;

    /**
     * @param proxyAuthorization the {@code Proxy-Authorization} value for a proxy, if there is one
     */
    RegistryTransport(RegistryOptions options, ProxySelector proxies, Function<Proxy, Optional<String>> proxyAuthorization) {
        this.proxies = proxies;
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
                .proxyAuthenticator(proxyAuthenticator(proxyAuthorization));
        if (timer != null) {
            http.eventListenerFactory(SilenceWatch.factory(timer, options));
        }
        this.http = http.build();
        this.retrying = new Retrying(this.http, options, this::advice);
        this.insecure = options.insecure();
    }

    /**
     * Answers a proxy's 407 with the credentials it has, once: credentials the proxy refused, or
     * none, let the 407 through.
     */
    private static Authenticator proxyAuthenticator(Function<Proxy, Optional<String>> proxyAuthorization) {
        return (route, response) -> {
            if (route == null || response.request().header("Proxy-Authorization") != null) {
                return null;
            }
            return proxyAuthorization.apply(route.proxy())
                    .map(c -> response.request().newBuilder().header("Proxy-Authorization", c).build())
                    .orElse(null);
        };
    }

    /** Runs {@code work}, trying again after transient failures within the bounds of {@link RegistryOptions}. */
    <T> T retrying(ImageReference repo, String what, Retrying.Work<T> work) {
        return retrying.run(repo, what, work);
    }

    /**
     * Sends {@code request} on the attempt's client, tagged with it for the {@link SilenceWatch},
     * with {@code authorization} (dropped when a redirect leaves the host).
     */
    Response send(Retrying.Attempt a, Request request, String authorization) throws IOException {
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
    void checkScheme(HttpUrl url) {
        if (!url.isHttps() && !insecure && !Network.isLoopback(url.host())) {
            throw new RegistryException(RegistryException.Kind.PLAIN_HTTP,
                    "refusing plain HTTP to " + url.host() + " (" + url.scheme() + "://"
                    + url.host() + url.encodedPath() + "): kiln speaks HTTP without TLS only to loopback registries"
                    + "\n  fix: serve the registry (and its token service) over HTTPS, or allow plain HTTP to it if the network"
                    + " is trusted");
        }
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
                + " a registry that is only slow can be given a longer timeout";
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
