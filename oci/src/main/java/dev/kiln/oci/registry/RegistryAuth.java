package dev.kiln.oci.registry;

import static dev.kiln.oci.registry.RegistryErrors.errorSuffix;
import static dev.kiln.oci.registry.RegistryErrors.errorText;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import okhttp3.Credentials;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * Who may do what at a registry. Anonymous first; a 401 is answered once per request: a Bearer
 * challenge with a token from its realm for the repository's scope (with the login when there is
 * one), a Basic challenge with the login. Logins come from {@link RegistryCredentials} and go only
 * where a registry asked for them. What worked is kept per registry and scope.
 */
final class RegistryAuth {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryTransport transport;
    private final RegistryCredentials credentials;
    /** The Authorization value that worked, per registry and scope (per registry for Basic). */
    private final Map<String, String> authorizations = new ConcurrentHashMap<>();

    RegistryAuth(RegistryTransport transport, RegistryCredentials credentials) {
        this.transport = transport;
        this.credentials = credentials;
    }

    /** The login for {@code repo}, if the credentials have one. */
    Optional<RegistryCredentials.Login> login(ImageReference repo) {
        return credentials.find(repo.registry(), repo.repository());
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
        Response r = transport.send(a, request, sent);
        if (r.code() != 401) {
            return r;
        }
        List<AuthChallenge> challenges = AuthChallenge.parse(r.headers("WWW-Authenticate"));
        String error = errorText(r);
        r.close();
        String fresh = answer(a, repo, access, challenges, sent, error);
        Response again = transport.send(a, request, fresh);
        if (again.code() == 401) {
            String second = errorText(again);
            again.close();
            throw unauthorized(repo, access, second, true);
        }
        return again;
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
        try (Response r = transport.send(a, new Request.Builder().url(url.build()).get().build(), basic)) {
            if (r.code() == 401 || r.code() == 403) {
                throw new RegistryException(r.code() == 401 ? RegistryException.Kind.UNAUTHORIZED : RegistryException.Kind.DENIED,
                        repo.registry() + "'s token service (" + realmUrl.host() + ") refused "
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

    RegistryException unauthorized(ImageReference repo, Access access, String error, boolean loginSent) {
        Optional<RegistryCredentials.Login> login = credentials.find(repo.registry(), repo.repository());
        String who = loginSent && login.isPresent() ? "the login from " + login.get().source() + " was refused"
                : "no login for it was found";
        return new RegistryException(RegistryException.Kind.UNAUTHORIZED,
                repo.registry() + " wants a login to " + verb(access) + " " + repo.repository()
                + " (HTTP 401" + errorSuffix(error) + "); " + who + "\n  fix: " + loginAdvice(repo));
    }

    String loginAdvice(ImageReference repo) {
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
}
