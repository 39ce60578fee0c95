package dev.kiln.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Registry logins as podman, skopeo and docker keep them, read only when a registry asks for
 * credentials. The files, first match wins:
 *
 * <ol>
 *   <li>{@code $REGISTRY_AUTH_FILE}, else {@code $XDG_RUNTIME_DIR/containers/auth.json};
 *   <li>{@code $XDG_CONFIG_HOME/containers/auth.json} (default {@code ~/.config});
 *   <li>{@code $DOCKER_CONFIG/config.json} (default {@code ~/.docker/config.json}).
 * </ol>
 *
 * Each holds {@code {"auths": {KEY: {"auth": base64("user:password")}}}}. A key is a registry
 * ({@code registry.example.com:5000}), a registry with a namespace or repository (the longest that
 * matches wins, as containers-auth.json(5) says), or a URL as old docker logins wrote them
 * ({@code https://index.docker.io/v1/}). Docker credential helpers ({@code credsStore},
 * {@code credHelpers}) are not run; a registry that has only a helper is named in the error.
 */
public final class RegistryCredentials {
    /** A login; its {@code toString} hides the password. */
    public record Login(String user, String password, String source) {
        @Override
        public String toString() {
            return "Login[" + user + ", password hidden, from " + source + "]";
        }
    }

    private final List<Path> files;
    private final List<Login> explicit;
    private final List<String> explicitRegistries;

    private RegistryCredentials(List<Path> files, List<String> explicitRegistries, List<Login> explicit) {
        this.files = List.copyOf(files);
        this.explicitRegistries = List.copyOf(explicitRegistries);
        this.explicit = List.copyOf(explicit);
    }

    /** No credentials: every registry is asked anonymously. */
    public static RegistryCredentials none() {
        return new RegistryCredentials(List.of(), List.of(), List.of());
    }

    /**
     * The auth files named by {@code env} (see the class comment; {@code HOME} stands for {@code ~},
     * and without it the files under {@code ~} are not searched); files that do not exist hold nothing.
     */
    public static RegistryCredentials fromEnvironment(Map<String, String> env) {
        Optional<String> home = nonBlank(env.get("HOME"));
        List<Path> files = new ArrayList<>();
        Optional<String> authFile = nonBlank(env.get("REGISTRY_AUTH_FILE"));
        if (authFile.isPresent()) {
            files.add(Path.of(authFile.get()));
        } else {
            nonBlank(env.get("XDG_RUNTIME_DIR")).ifPresent(d -> files.add(Path.of(d, "containers", "auth.json")));
        }
        nonBlank(env.get("XDG_CONFIG_HOME")).or(() -> home.map(h -> h + "/.config"))
                .ifPresent(d -> files.add(Path.of(d, "containers", "auth.json")));
        nonBlank(env.get("DOCKER_CONFIG")).or(() -> home.map(h -> h + "/.docker"))
                .ifPresent(d -> files.add(Path.of(d, "config.json")));
        return new RegistryCredentials(files, List.of(), List.of());
    }

    /** Logins from the auth {@code files}, first match wins (see the class comment); files that do not exist hold nothing. */
    public static RegistryCredentials fromFiles(List<Path> files) {
        return new RegistryCredentials(files, List.of(), List.of());
    }

    /** Credentials given directly (for the Java API and tests); the auth files are not read. */
    public static RegistryCredentials of(String registry, String user, String password) {
        return new RegistryCredentials(List.of(), List.of(normalizeKey(registry)), List.of(new Login(user, password, "the API")));
    }

    /** These credentials with a login for {@code registry} given directly, taken before any file's. */
    public RegistryCredentials withLogin(String registry, String user, String password) {
        List<String> registries = new ArrayList<>(explicitRegistries);
        List<Login> logins = new ArrayList<>(explicit);
        registries.add(normalizeKey(registry));
        logins.add(new Login(user, password, "the API"));
        return new RegistryCredentials(files, registries, logins);
    }

    /** The files searched, in order (for messages). */
    public List<Path> files() {
        return files;
    }

    /** The login for {@code registry} and {@code repository}, if any file has one. */
    public Optional<Login> find(String registry, String repository) {
        String host = normalizeKey(registry);
        for (int i = 0; i < explicit.size(); i++) {
            if (explicitRegistries.get(i).equals(host)) {
                return Optional.of(explicit.get(i));
            }
        }
        String full = host + "/" + repository;
        for (Path file : files) {
            JsonNode auths = read(file).path("auths");
            Login best = null;
            int bestLength = -1;
            for (Map.Entry<String, JsonNode> e : auths.properties()) {
                String key = normalizeKey(e.getKey());
                boolean matches = key.equals(host) || full.equals(key) || full.startsWith(key + "/");
                if (matches && key.length() > bestLength) {
                    Optional<Login> login = login(e.getValue(), file, e.getKey());
                    if (login.isPresent()) {
                        best = login.get();
                        bestLength = key.length();
                    }
                }
            }
            if (best != null) {
                return Optional.of(best);
            }
        }
        return Optional.empty();
    }

    /** The docker credential helper configured for {@code registry}, which kiln does not run (for messages). */
    public Optional<String> helper(String registry) {
        String host = normalizeKey(registry);
        for (Path file : files) {
            JsonNode config = read(file);
            for (Map.Entry<String, JsonNode> e : config.path("credHelpers").properties()) {
                if (normalizeKey(e.getKey()).equals(host)) {
                    return Optional.of("docker-credential-" + e.getValue().asText() + " (credHelpers in " + file + ")");
                }
            }
            if (config.hasNonNull("credsStore")) {
                return Optional.of("docker-credential-" + config.get("credsStore").asText() + " (credsStore in " + file + ")");
            }
        }
        return Optional.empty();
    }

    private static Optional<Login> login(JsonNode entry, Path file, String key) {
        String source = file + " (" + key + ")";
        String auth = entry.path("auth").asText("");
        if (!auth.isEmpty()) {
            String decoded;
            try {
                decoded = new String(Base64.getDecoder().decode(auth.trim()), StandardCharsets.UTF_8);
            } catch (IllegalArgumentException e) {
                throw new RegistryException(RegistryException.Kind.CREDENTIALS,
                        "the 'auth' of " + key + " in " + file + " is not base64"
                        + "\n  fix: log in again (podman login / docker login), or correct the entry");
            }
            int colon = decoded.indexOf(':');
            if (colon <= 0) {
                throw new RegistryException(RegistryException.Kind.CREDENTIALS,
                        "the 'auth' of " + key + " in " + file + " is not base64 of USER:PASSWORD"
                        + "\n  fix: log in again (podman login / docker login), or correct the entry");
            }
            return Optional.of(new Login(decoded.substring(0, colon), decoded.substring(colon + 1), source));
        }
        String user = entry.path("username").asText("");
        String password = entry.path("password").asText("");
        if (!user.isEmpty() && !password.isEmpty()) {
            return Optional.of(new Login(user, password, source));
        }
        return Optional.empty();
    }

    private static JsonNode read(Path file) {
        try {
            return new ObjectMapper().readTree(Files.readAllBytes(file));
        } catch (NoSuchFileException e) {
            return com.fasterxml.jackson.databind.node.MissingNode.getInstance();
        } catch (IOException e) {
            // the message of a JSON error may quote the file, which holds secrets: say only where it is
            String where = e instanceof com.fasterxml.jackson.core.JsonProcessingException j && j.getLocation() != null
                    ? " at line " + j.getLocation().getLineNr() : "";
            throw new RegistryException(RegistryException.Kind.CREDENTIALS, "cannot read the registry auth file " + file + where
                    + (e instanceof com.fasterxml.jackson.core.JsonProcessingException ? ": it is not valid JSON" : "")
                    + "\n  fix: correct or remove it (podman login / docker login write it)");
        }
    }

    /** {@code https://index.docker.io/v1/} → {@code docker.io}; a scheme and a trailing slash are dropped. */
    static String normalizeKey(String key) {
        String k = key.trim().toLowerCase(Locale.ROOT);
        int scheme = k.indexOf("://");
        if (scheme >= 0) {
            k = k.substring(scheme + 3);
            int slash = k.indexOf('/');
            if (slash >= 0) {
                k = k.substring(0, slash); // a URL names a host; its path is the old API version
            }
        }
        while (k.endsWith("/")) {
            k = k.substring(0, k.length() - 1);
        }
        int slash = k.indexOf('/');
        String host = slash < 0 ? k : k.substring(0, slash);
        String path = slash < 0 ? "" : k.substring(slash);
        if (host.equals("index.docker.io") || host.equals("registry-1.docker.io")) {
            host = "docker.io";
        }
        return host + path;
    }

    private static Optional<String> nonBlank(String s) {
        return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
    }
}
