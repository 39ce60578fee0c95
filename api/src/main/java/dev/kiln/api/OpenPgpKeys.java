package dev.kiln.api;

import dev.kiln.builder.repo.PgpKeys;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;

/**
 * The OpenPGP key pair that signs a recipes repository ({@code kiln keys generate NAME --openpgp}):
 * an Ed25519 key without passphrase or expiry, made with BouncyCastle.
 */
public final class OpenPgpKeys {
    /**
     * Where the key pair goes by default: {@code keys/recipes/}, not {@code keys/}. Every key in
     * {@code keys/} is trusted for repository lines without {@code signed-by}, and a recipes key must
     * never vouch for Debian's suites; {@code keys/} is not read recursively, so keys here are used
     * only where a line names them ({@code [signed-by=keys/recipes/NAME.asc]}).
     */
    public static final Path DEFAULT_DIR = Path.of("keys", "recipes");

    private OpenPgpKeys() {
    }

    /**
     * The files written.
     *
     * @param publicKey {@code DIR/NAME.asc}, the armored public key, what {@code signed-by=} takes (0644)
     * @param secretKey {@code DIR/NAME.secret.asc}, the armored secret key that signs (0600)
     * @param fingerprint the key's fingerprint, 40 uppercase hex digits
     * @param ignoredBy the {@code .gitignore} given a rule for the secret key (inside a git work tree)
     */
    public record Generated(Path publicKey, Path secretKey, String fingerprint, Optional<Path> ignoredBy) {
        public Generated {
            Objects.requireNonNull(publicKey, "publicKey");
            Objects.requireNonNull(secretKey, "secretKey");
            Objects.requireNonNull(fingerprint, "fingerprint");
            Objects.requireNonNull(ignoredBy, "ignoredBy");
        }
    }

    /**
     * Makes a key pair named {@code name} (its user ID too) into {@code dir}. Never overwrites a key;
     * a refusal writes nothing.
     *
     * @throws dev.kiln.store.KilnException {@code recipe.repository} for a bad name, an existing key or a failed write
     */
    public static Generated generate(Path dir, String name) {
        PgpKeys.Written w = PgpKeys.write(dir, name, Instant.now());
        return new Generated(w.publicKey(), w.secretKey(), w.fingerprint(), w.ignoredBy());
    }
}
