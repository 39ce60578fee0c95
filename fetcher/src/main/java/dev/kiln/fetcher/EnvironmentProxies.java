package dev.kiln.fetcher;

import dev.kiln.store.Network;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Proxy;
import java.net.ProxySelector;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import okhttp3.Authenticator;

/**
 * Proxies as curl and apt users set them: {@code http_proxy}, {@code https_proxy}, {@code all_proxy}
 * and {@code no_proxy}, lowercase first, then uppercase. A proxy is {@code [http://][user:pass@]host[:port]}
 * or {@code socks5://host[:port]}. {@code no_proxy} lists hosts, domains (with or without a leading dot,
 * matching subdomains too), IP addresses, CIDR ranges, or {@code *}. Loopback addresses and
 * {@code localhost} never go through a proxy (as in Go's net/http), so a local mirror or cache keeps
 * working behind a corporate proxy. Without a variable for a scheme, {@code fallback} decides.
 */
public final class EnvironmentProxies extends ProxySelector {
    private record Endpoint(Proxy proxy, String basicCredentials) {
    }

    private final Endpoint http;
    private final Endpoint https;
    private final List<String> noProxy;
    private final ProxySelector fallback;

    private EnvironmentProxies(Endpoint http, Endpoint https, List<String> noProxy, ProxySelector fallback) {
        this.http = http;
        this.https = https;
        this.noProxy = noProxy;
        this.fallback = fallback;
    }

    public static EnvironmentProxies from(Map<String, String> env, ProxySelector fallback) {
        Endpoint all = endpoint(env, "all_proxy");
        Endpoint http = endpoint(env, "http_proxy");
        Endpoint https = endpoint(env, "https_proxy");
        List<String> noProxy = new ArrayList<>();
        String list = variable(env, "no_proxy");
        if (list != null) {
            for (String entry : list.split("[,\\s]+")) {
                if (!entry.isBlank()) {
                    noProxy.add(entry.trim().toLowerCase(Locale.ROOT));
                }
            }
        }
        return new EnvironmentProxies(http != null ? http : all, https != null ? https : all, List.copyOf(noProxy), fallback);
    }

    @Override
    public List<Proxy> select(URI uri) {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        Endpoint e = scheme.equals("https") ? https : scheme.equals("http") ? http : null;
        String host = uri.getHost();
        if (host == null || Network.isLoopback(host) || bypassed(host)) {
            return List.of(Proxy.NO_PROXY);
        }
        if (e == null) {
            return fallback != null ? fallback.select(uri) : List.of(Proxy.NO_PROXY);
        }
        return List.of(e.proxy());
    }

    @Override
    public void connectFailed(URI uri, SocketAddress address, IOException failure) {
        // okhttp reports the failure to the caller; there is no other proxy to try
    }

    /**
     * Answers a proxy's 407 with the credentials its variable carried, once: credentials the proxy
     * refused, or none, let the 407 through.
     */
    public Authenticator authenticator() {
        return (route, response) -> {
            if (route == null || response.request().header("Proxy-Authorization") != null) {
                return null;
            }
            return credentials(route.proxy())
                    .map(c -> response.request().newBuilder().header("Proxy-Authorization", c).build())
                    .orElse(null);
        };
    }

    /** The {@code Proxy-Authorization} value for {@code proxy}, if its variable carried user:password. */
    public Optional<String> credentials(Proxy proxy) {
        for (Endpoint e : new Endpoint[] {http, https}) {
            if (e != null && e.proxy().equals(proxy) && e.basicCredentials() != null) {
                return Optional.of(e.basicCredentials());
            }
        }
        return Optional.empty();
    }

    boolean bypassed(String host) {
        String h = stripBrackets(host.toLowerCase(Locale.ROOT));
        for (String entry : noProxy) {
            if (entry.equals("*")) {
                return true;
            }
            String pattern = stripBrackets(entry.startsWith(".") ? entry.substring(1) : entry);
            if (pattern.startsWith("*.")) {
                pattern = pattern.substring(2);
            }
            if (pattern.contains("/")) {
                if (inCidr(h, pattern)) {
                    return true;
                }
                continue;
            }
            int colon = pattern.lastIndexOf(':');
            if (colon > 0 && pattern.indexOf(':') == colon) {
                // host:port; the port is not matched (curl does not either)
                pattern = pattern.substring(0, colon);
            }
            if (h.equals(pattern) || h.endsWith("." + pattern)) {
                return true;
            }
        }
        return false;
    }

    private static boolean inCidr(String host, String cidr) {
        InetAddress address = Network.ipLiteral(host);
        int slash = cidr.indexOf('/');
        InetAddress network = Network.ipLiteral(cidr.substring(0, slash));
        if (address == null || network == null) {
            return false;
        }
        byte[] a = address.getAddress();
        byte[] n = network.getAddress();
        if (a.length != n.length) {
            return false;
        }
        int bits;
        try {
            bits = Integer.parseInt(cidr.substring(slash + 1));
        } catch (NumberFormatException e) {
            return false;
        }
        for (int i = 0; i < a.length && bits > 0; i++, bits -= 8) {
            int mask = bits >= 8 ? 0xff : (0xff << (8 - bits)) & 0xff;
            if ((a[i] & mask) != (n[i] & mask)) {
                return false;
            }
        }
        return true;
    }

    private static String stripBrackets(String host) {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static String variable(Map<String, String> env, String lower) {
        String v = env.get(lower);
        if (v == null || v.isBlank()) {
            v = env.get(lower.toUpperCase(Locale.ROOT));
        }
        return v == null || v.isBlank() ? null : v.trim();
    }

    private static Endpoint endpoint(Map<String, String> env, String name) {
        String value = variable(env, name);
        if (value == null) {
            return null;
        }
        String text = value.contains("://") ? value : "http://" + value;
        URI uri;
        try {
            uri = URI.create(text);
        } catch (IllegalArgumentException e) {
            throw badProxy(name, value, "it is not a URL");
        }
        String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        Proxy.Type type;
        int defaultPort;
        switch (scheme) {
            case "http" -> {
                type = Proxy.Type.HTTP;
                defaultPort = 80;
            }
            case "socks", "socks5", "socks5h" -> {
                type = Proxy.Type.SOCKS;
                defaultPort = 1080;
            }
            default -> throw badProxy(name, value, "kiln speaks to proxies over http:// or socks5://, not " + scheme + "://");
        }
        if (uri.getHost() == null) {
            throw badProxy(name, value, "it names no host");
        }
        int port = uri.getPort() >= 0 ? uri.getPort() : defaultPort;
        Proxy proxy = new Proxy(type, InetSocketAddress.createUnresolved(uri.getHost(), port));
        String credentials = null;
        if (uri.getRawUserInfo() != null) {
            String[] parts = uri.getRawUserInfo().split(":", 2);
            String user = percentDecode(parts[0]);
            String pass = parts.length > 1 ? percentDecode(parts[1]) : "";
            credentials = "Basic " + Base64.getEncoder().encodeToString((user + ":" + pass).getBytes(StandardCharsets.UTF_8));
        }
        return new Endpoint(proxy, credentials);
    }

    private static String percentDecode(String s) {
        // URLDecoder reads '+' as a space, which user info does not
        return URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8);
    }

    private static FetchException badProxy(String name, String value, String why) {
        String shown = value.replaceAll("//[^/@]*@", "//***@");
        return new FetchException(FetchException.Kind.PROXY,
                "the proxy in " + name + " (or " + name.toUpperCase(Locale.ROOT) + ") = '" + shown
                + "' cannot be used: " + why + "\n  expected: http://[user:password@]host[:port] or socks5://host[:port]");
    }
}
