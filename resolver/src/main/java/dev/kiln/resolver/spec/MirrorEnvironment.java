package dev.kiln.resolver.spec;

import java.net.URI;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The values of the {@code ${NAME}} variables in source lines. The environment the caller read comes
 * first: any {@code *_MIRROR} variable set there (DEBIAN_MIRROR, DEBIAN_SECURITY_MIRROR, or one of
 * the user's own). Then DEBIAN_MIRROR and DEBIAN_SECURITY_MIRROR default to the host's apt
 * sources the caller read, so on a Debian host nothing needs configuring.
 */
public final class MirrorEnvironment {
    public static final String DEBIAN_MIRROR = "DEBIAN_MIRROR";
    public static final String DEBIAN_SECURITY_MIRROR = "DEBIAN_SECURITY_MIRROR";

    private final Map<String, String> variables;
    private final Map<String, String> origins;

    private MirrorEnvironment(Map<String, String> variables, Map<String, String> origins) {
        this.variables = Collections.unmodifiableMap(new TreeMap<>(variables));
        this.origins = Collections.unmodifiableMap(new TreeMap<>(origins));
    }

    /**
     * @param processEnv the process environment; only non-empty {@code *_MIRROR} variables are taken
     * @param host the host's apt sources, for the defaults
     */
    public static MirrorEnvironment of(Map<String, String> processEnv, HostAptSources host) {
        Objects.requireNonNull(host, "host");
        Map<String, String> variables = new LinkedHashMap<>();
        Map<String, String> origins = new LinkedHashMap<>();
        processEnv.forEach((name, value) -> {
            if (name.endsWith("_MIRROR") && value != null && !value.isEmpty()) {
                variables.put(name, value);
                origins.put(name, "environment variable " + name);
            }
        });
        addDefault(DEBIAN_MIRROR, host.debianMirror(), host, variables, origins);
        addDefault(DEBIAN_SECURITY_MIRROR, host.debianSecurityMirror(), host, variables, origins);
        return new MirrorEnvironment(variables, origins);
    }

    /** Variable name to value, sorted by name. */
    public Map<String, String> variables() {
        return variables;
    }

    /** Where a variable's value came from: "environment variable X" or the apt source file and line. */
    public Optional<String> originOf(String name) {
        return Optional.ofNullable(origins.get(name));
    }

    /** The line's repository URL; see {@link SourceLine#expandUri}. */
    public URI expand(SourceLine line) {
        return line.expandUri(variables);
    }

    private static void addDefault(String name, Optional<URI> mirror, HostAptSources host,
            Map<String, String> variables, Map<String, String> origins) {
        if (variables.containsKey(name) || mirror.isEmpty()) {
            return;
        }
        variables.put(name, mirror.get().toString());
        origins.put(name, "apt source " + host.originOf(mirror.get()).orElse("on the host"));
    }
}
