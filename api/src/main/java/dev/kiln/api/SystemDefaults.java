package dev.kiln.api;

import dev.kiln.oci.registry.RegistryCredentials;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.spec.HostAptSources;
import dev.kiln.resolver.spec.MirrorEnvironment;
import java.net.ProxySelector;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;

/**
 * The one place in kiln's library that reads the host: environment variables, system properties
 * and the host's apt sources. The {@code kiln} command calls it to fill in what its user did not
 * give; nothing else in the library calls it (a test holds that), so a program that uses kiln's
 * Java API gets exactly the settings it passes, whatever the process's environment. A program
 * that wants the CLI's defaults may call it too. Each method reads when called.
 */
public final class SystemDefaults {
    private SystemDefaults() {
    }

    /**
     * A {@link Kiln} builder set up as the CLI is: the {@link #store()}, kiln's {@link #home()}
     * (its keys/), the {@link #mirrors()}, {@link #proxies()}, {@link #netrc()}, {@link #registries()} and {@link #toolPath()}.
     */
    public static Kiln.Builder kiln() {
        return Kiln.builder().store(store()).home(home()).mirrors(mirrors()).proxies(proxies()).netrc(netrc())
                .registries(registries()).toolPath(toolPath());
    }

    /** The store: {@code $KILN_STORE}, else {@code $XDG_CACHE_HOME/kiln}, else {@code ~/.cache/kiln}. */
    public static Path store() {
        return store(System.getenv(), System.getProperty("user.home"));
    }

    static Path store(Map<String, String> env, String userHome) {
        String explicit = env.get("KILN_STORE");
        if (explicit != null && !explicit.isBlank()) {
            return Path.of(explicit);
        }
        String xdg = env.get("XDG_CACHE_HOME");
        if (xdg != null && !xdg.isBlank()) {
            return Path.of(xdg, "kiln");
        }
        return Path.of(userHome, ".cache", "kiln");
    }

    /**
     * kiln's own directory (its checkout: {@code keys/}, {@code examples/}): the system property
     * {@code kiln.home} (the launcher sets it), else {@code $KILN_HOME}, else the working directory.
     */
    public static Path home() {
        String p = System.getProperty("kiln.home");
        if (p == null || p.isBlank()) {
            p = System.getenv("KILN_HOME");
        }
        return p == null || p.isBlank() ? Path.of("").toAbsolutePath() : Path.of(p);
    }

    /**
     * The values of {@code ${VAR}} in source lines: every non-empty {@code *_MIRROR} variable, then
     * {@code DEBIAN_MIRROR} and {@code DEBIAN_SECURITY_MIRROR} from the host's apt sources when the
     * environment does not set them.
     */
    public static Map<String, String> mirrors() {
        Map<String, String> env = System.getenv();
        boolean bothSet = !env.getOrDefault(MirrorEnvironment.DEBIAN_MIRROR, "").isEmpty()
                && !env.getOrDefault(MirrorEnvironment.DEBIAN_SECURITY_MIRROR, "").isEmpty();
        return MirrorEnvironment.of(env, bothSet ? HostAptSources.EMPTY : HostAptSources.readHost()).variables();
    }

    /** The proxy variables as curl and apt read them ({@code http_proxy}, {@code https_proxy}, {@code no_proxy}, ...). */
    static Map<String, String> proxyVariables() {
        Map<String, String> out = new HashMap<>();
        System.getenv().forEach((k, v) -> {
            if (k.toLowerCase(Locale.ROOT).endsWith("_proxy")) {
                out.put(k, v);
            }
        });
        return Map.copyOf(out);
    }

    /** The proxies: the proxy variables, else the JVM's own selector ({@code -Dhttps.proxyHost} and the like). */
    public static Proxies proxies() {
        return Proxies.fromVariables(proxyVariables()).withFallback(ProxySelector.getDefault());
    }

    /** The netrc file for mirror logins: {@code $NETRC}, else {@code ~/.netrc} (a missing file holds none). */
    public static Path netrc() {
        String explicit = System.getenv("NETRC");
        return explicit != null && !explicit.isBlank() ? Path.of(explicit) : Path.of(System.getProperty("user.home"), ".netrc");
    }

    /**
     * Registry logins from the auth files podman, skopeo and docker keep, first match wins:
     * {@code $REGISTRY_AUTH_FILE} (else {@code $XDG_RUNTIME_DIR/containers/auth.json}),
     * {@code $XDG_CONFIG_HOME/containers/auth.json} (default {@code ~/.config}),
     * {@code $DOCKER_CONFIG/config.json} (default {@code ~/.docker}).
     */
    public static Registries registries() {
        Map<String, String> env = new HashMap<>(System.getenv());
        String home = env.get("HOME");
        if (home == null || home.isBlank()) {
            env.put("HOME", System.getProperty("user.home"));
        }
        return Registries.defaults().withAuthFiles(RegistryCredentials.fromEnvironment(env).files());
    }

    /** {@code SOURCE_DATE_EPOCH} when it is set, checked (seconds from 1970 to the year 9999); else the lock's newest Release date. */
    public static Epoch epoch() {
        OptionalLong sde = sourceDateEpoch(System.getenv("SOURCE_DATE_EPOCH"));
        return sde.isPresent() ? Epoch.of(sde.getAsLong()) : Epoch.fromLock();
    }

    static OptionalLong sourceDateEpoch(String sde) {
        if (sde == null || sde.isBlank()) {
            return OptionalLong.empty();
        }
        long n;
        try {
            n = Long.parseLong(sde.trim());
        } catch (NumberFormatException e) {
            n = -1;
        }
        if (n < 0 || n > Epoch.LAST) {
            throw new ResolveException("SOURCE_DATE_EPOCH must be a whole number of seconds since 1970, from 0 to "
                    + Epoch.LAST + " (the end of the year 9999), found '" + sde + "'"
                    + "\n  fix: set it to a commit's time (git log -1 --format=%ct), or unset it to use the lock's newest Release date");
        }
        return OptionalLong.of(n);
    }

    /** This JVM's architecture in OCI's names ({@code amd64}, {@code arm64}, ...): the platform a docker archive takes by default. */
    public static String architecture() {
        String os = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (os) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            default -> os;
        };
    }

    /** Where recipe builds look for bubblewrap's {@code bwrap}: {@code $PATH}, else {@link Kiln.Builder#DEFAULT_TOOL_PATH}. */
    public static String toolPath() {
        String path = System.getenv("PATH");
        return path == null || path.isBlank() ? Kiln.Builder.DEFAULT_TOOL_PATH : path;
    }

    /** Whether {@code KILN_TIMING} asks for phase timings on standard error. */
    public static boolean timing() {
        return System.getenv("KILN_TIMING") != null;
    }

    /** Whether {@code KILN_DEBUG} asks for stack traces with errors. */
    public static boolean debug() {
        return System.getenv("KILN_DEBUG") != null;
    }
}
