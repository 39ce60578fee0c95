package dev.kiln.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import okhttp3.Response;

/**
 * A registry's refusals and failures as {@link RegistryException}s: each names the registry and the
 * repository, what kiln tried, the registry's own error codes, and what to do; 5xx, 429 and 408
 * are transient (tried again).
 */
final class RegistryErrors {
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryAuth auth;

    RegistryErrors(RegistryAuth auth) {
        this.auth = auth;
    }

    /** A {@link RegistryException} for an unexpected answer; 5xx, 429 and 408 are transient. */
    RegistryException failure(ImageReference repo, Access access, Response r, String what) {
        int code = r.code();
        String error = errorText(r);
        String where = repo.registry() + " (repository " + repo.repository() + ")";
        if (code >= 500 || code == 429 || code == 408) {
            return new RegistryException.Transient(where + ": " + what + ": HTTP " + code + errorSuffix(error),
                    "HTTP " + code + errorSuffix(error), null);
        }
        if (code == 401) {
            return auth.unauthorized(repo, access, error, true);
        }
        if (code == 403) {
            Optional<RegistryCredentials.Login> login = auth.login(repo);
            return new RegistryException(RegistryException.Kind.DENIED,
                    where + " denied us: " + what + ": HTTP 403" + errorSuffix(error)
                    + "\n  fix: check that " + (login.isPresent() ? "the account from " + login.get().source() : "your account")
                    + " may " + access.actions.replace(",", " and ") + " " + repo.repository() + "; " + auth.loginAdvice(repo));
        }
        if (code == 404) {
            return new RegistryException(RegistryException.Kind.NOT_FOUND, where + ": " + what + ": HTTP 404" + errorSuffix(error)
                    + "\n  fix: check the registry and repository name");
        }
        if (code == 400 && error.contains("DIGEST_INVALID")) {
            return new RegistryException(RegistryException.Kind.WRONG_BYTES,
                    where + ": " + what + ": the registry found that the bytes sent do not match"
                    + " their digest (HTTP 400" + errorSuffix(error) + ")\n  fix: the image layout is corrupt; build it again");
        }
        return new RegistryException(where + ": " + what + ": HTTP " + code + errorSuffix(error));
    }

    static String errorSuffix(String error) {
        return error.isEmpty() ? "" : ": " + error;
    }

    /** The registry's error codes and messages ({@code {"errors":[{code,message}]}}) or the start of its text. */
    static String errorText(Response r) {
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

    static void checkDigest(ImageReference repo, String what, Digest expected, Digest actual) {
        if (!actual.equals(expected)) {
            throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                    repo.registry() + " sent " + what + " " + expected + " of " + repo.repository()
                    + ", but its bytes hash to " + actual + "; nothing of it was kept"
                    + "\n  fix: try again; if it persists, the registry (or something between) serves wrong bytes");
        }
    }

    static RegistryException tooLarge(ImageReference repo, String reference) {
        return new RegistryException(repo.registry() + ": manifest " + reference + " of " + repo.repository()
                + " is larger than " + Manifests.MAX_MANIFEST + " bytes, which kiln does not accept");
    }
}
