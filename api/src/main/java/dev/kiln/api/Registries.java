package dev.kiln.api;

import dev.kiln.oci.registry.RegistryCredentials;
import dev.kiln.oci.registry.RegistryOptions;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * How kiln speaks to registries: HTTPS (plain HTTP to loopback registries, or to every one when
 * {@linkplain #withInsecure insecure}), how long it waits, and which logins it has. Logins are
 * sent only where a registry asks for them. By default there are none: kiln reads no auth file
 * unless told where ({@link #withAuthFiles}).
 */
public final class Registries {
    private static final Registries DEFAULTS = new Registries(RegistryOptions.DEFAULT, List.of(), List.of());

    /** A login given in code; its {@code toString} hides the password. */
    private record Login(String registry, String user, String password) {
        Login {
            Objects.requireNonNull(registry, "registry");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
        }

        @Override
        public String toString() {
            return "Login[" + registry + ", " + user + "]";
        }
    }

    private final RegistryOptions options;
    private final List<Path> authFiles;
    private final List<Login> logins;

    private Registries(RegistryOptions options, List<Path> authFiles, List<Login> logins) {
        this.options = options;
        this.authFiles = List.copyOf(authFiles);
        this.logins = List.copyOf(logins);
    }

    /** HTTPS (plain HTTP to loopback), 15 s to connect, 30 s for an answer, 60 s for one blob or manifest in all, no logins. */
    public static Registries defaults() {
        return DEFAULTS;
    }

    /** These settings, speaking plain HTTP to every registry when {@code insecure} (always so to loopback ones). */
    public Registries withInsecure(boolean insecure) {
        return new Registries(options.withInsecure(insecure), authFiles, logins);
    }

    /** These settings, waiting at most {@code read} for an answer (15 s at most to connect), twice that for one operation in all. */
    public Registries withTimeout(Duration read) {
        return new Registries(options.withTimeout(read), authFiles, logins);
    }

    /**
     * These settings with the longest waits for a connection, for an answer (or the next bytes of
     * one), and for one operation (a blob, a manifest) in all, its tries and pauses together.
     */
    public Registries withTimeouts(Duration connect, Duration read, Duration maxWait) {
        return new Registries(options.withTimeouts(connect, read, maxWait), authFiles, logins);
    }

    /**
     * These settings, reading logins from {@code files}, first match wins: containers-auth.json(5)
     * and docker's config.json ({@code {"auths": {"HOST": {"auth": base64("user:password")}}}});
     * credential helpers are not run. {@link SystemDefaults#registries()} lists the files podman and
     * docker use.
     */
    public Registries withAuthFiles(List<Path> files) {
        return new Registries(options, files, logins);
    }

    /** These settings with a login for {@code registry} ({@code HOST[:PORT]}), taken before any auth file. */
    public Registries withLogin(String registry, String user, String password) {
        List<Login> more = new ArrayList<>(logins);
        more.add(new Login(registry, user, password));
        return new Registries(options, authFiles, more);
    }

    public boolean insecure() {
        return options.insecure();
    }

    public Duration connectTimeout() {
        return options.connectTimeout();
    }

    public Duration readTimeout() {
        return options.readTimeout();
    }

    public Duration maxWait() {
        return options.maxWait();
    }

    /** The auth files searched, in order. */
    public List<Path> authFiles() {
        return authFiles;
    }

    RegistryOptions options() {
        return options;
    }

    RegistryCredentials credentials() {
        RegistryCredentials c = RegistryCredentials.fromFiles(authFiles);
        for (Login l : logins) {
            c = c.withLogin(l.registry(), l.user(), l.password());
        }
        return c;
    }

    @Override
    public String toString() {
        return "Registries[" + (insecure() ? "insecure, " : "") + "read " + readTimeout() + ", " + logins.size() + " logins, "
                + authFiles.size() + " auth files]";
    }
}
