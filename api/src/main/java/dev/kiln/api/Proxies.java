package dev.kiln.api;

import dev.kiln.fetcher.EnvironmentProxies;
import java.net.ProxySelector;
import java.util.Map;
import java.util.Objects;

/**
 * The proxies kiln goes through to mirrors and registries. By default none: kiln reads no
 * environment. {@link #fromVariables} takes proxy settings as curl and apt users write them
 * ({@code http_proxy}, {@code https_proxy}, {@code all_proxy}, {@code no_proxy}, lowercase first,
 * then uppercase; {@code [http://][user:pass@]host[:port]} or {@code socks5://host[:port]});
 * loopback hosts never go through a proxy.
 */
public final class Proxies {
    private static final Proxies NONE = new Proxies(Map.of(), null);

    private final Map<String, String> variables;
    private final ProxySelector fallback;

    private Proxies(Map<String, String> variables, ProxySelector fallback) {
        this.variables = variables;
        this.fallback = fallback;
    }

    /** Every connection direct. */
    public static Proxies none() {
        return NONE;
    }

    /** The proxies {@code variables} name (see the class comment); other variables are ignored. */
    public static Proxies fromVariables(Map<String, String> variables) {
        return new Proxies(Map.copyOf(variables), null);
    }

    /** These proxies, and {@code selector}'s choice for a scheme no variable names (e.g. the JVM's {@link ProxySelector#getDefault()}). */
    public Proxies withFallback(ProxySelector selector) {
        return new Proxies(variables, Objects.requireNonNull(selector, "selector"));
    }

    /** The variables given. */
    public Map<String, String> variables() {
        return variables;
    }

    EnvironmentProxies selector() {
        return EnvironmentProxies.from(variables, fallback);
    }

    ProxySelector fallback() {
        return fallback;
    }

    @Override
    public String toString() {
        return "Proxies" + variables.keySet();
    }
}
