package dev.kiln.trust;

import dev.kiln.store.AtomicFile;
import dev.kiln.store.GitIgnore;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Writes a new signing key pair: {@code DIR/NAME.pub} (PEM SubjectPublicKeyInfo, 0644, safe to
 * commit: kiln's {@code keys/} holds trusted public keys) and {@code DIR/NAME.key} (PKCS#8 PEM,
 * encrypted when a password is given, 0600 from the moment it exists).
 *
 * <p>A private key must never be committed, so one inside a git work tree (a {@code .git} in the
 * directory or any parent) is refused unless forced; when forced, the key is added to
 * {@code DIR/.gitignore} unless git already ignores it. Existing keys are never overwritten.
 */
public final class KeyFiles {
    private static final Set<PosixFilePermission> PRIVATE = PosixFilePermissions.fromString("rw-------");
    private static final Set<PosixFilePermission> PUBLIC = PosixFilePermissions.fromString("rw-r--r--");
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    /** What was written; {@code ignoredBy} is the {@code .gitignore} that kiln added a rule to, if any. */
    public record Written(Path publicKey, Path privateKey, String fingerprint, boolean encrypted, Optional<Path> ignoredBy) {}

    private KeyFiles() {}

    public static Path publicKeyPath(Path dir, String name) {
        return dir.resolve(name + ".pub");
    }

    public static Path privateKeyPath(Path dir, String name) {
        return dir.resolve(name + ".key");
    }

    /**
     * Generates a key pair into {@code dir}. Checks everything first, so a refusal writes nothing;
     * if writing the public key fails, the private key is removed again.
     */
    public static Written generate(Path dir, String name, Optional<char[]> password, boolean force) {
        if (!NAME.matcher(name).matches()) {
            throw new TrustException("a key name must be letters, digits, '.', '_' or '-' (not first), found '" + name + "'");
        }
        if (password.isPresent() && password.get().length == 0) {
            throw new TrustException("an empty password for the private key"
                    + "\n  fix: give a password, or none at all for an unencrypted key");
        }
        Path absolute = dir.toAbsolutePath().normalize();
        Path pub = publicKeyPath(absolute, name);
        Path key = privateKeyPath(absolute, name);
        for (Path p : List.of(pub, key)) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new TrustException("refusing to overwrite the existing key " + p
                        + "\n  fix: choose another NAME, or move the old key pair away first");
            }
        }
        Optional<Path> workTree = gitWorkTree(absolute);
        if (workTree.isPresent() && !force) {
            throw new TrustException("refusing to write the private key " + key + " inside the git work tree "
                    + workTree.get() + ": a private key must never be committed"
                    + "\n  fix: write it outside the work tree (e.g. into ~/.config/kiln/keys) and copy only " + name
                    + ".pub into keys/, or force it there (kiln then makes git ignore it)");
        }
        SigningKey signingKey = SigningKey.generate();
        String privatePem = signingKey.pkcs8Pem(password);
        String publicPem = signingKey.verificationKey().pem();
        try {
            AtomicFile.createDirectories(absolute);
            write(key, privatePem, PRIVATE);
            try {
                write(pub, publicPem, PUBLIC);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(key);
                throw e;
            }
            Optional<Path> ignoredBy = workTree.isPresent() ? ignore(absolute, key) : Optional.empty();
            return new Written(pub, key, signingKey.verificationKey().fingerprint(), password.isPresent(), ignoredBy);
        } catch (FileAlreadyExistsException e) {
            throw new TrustException("refusing to overwrite the existing key " + e.getFile()
                    + " (it appeared while kiln was writing)\n  fix: choose another NAME");
        } catch (IOException e) {
            throw new TrustException("cannot write the key pair into " + absolute + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /** The nearest directory at or above {@code dir} that holds {@code .git} (a directory, or a worktree's file). */
    static Optional<Path> gitWorkTree(Path dir) {
        return GitIgnore.workTree(dir);
    }

    /** Created whole and durably with its final mode (never readable by others, even briefly), never replacing a file. */
    private static void write(Path path, String text, Set<PosixFilePermission> mode) throws IOException {
        AtomicFile.create(path, text.getBytes(StandardCharsets.US_ASCII), mode);
    }

    /** Adds {@code /NAME.key} to {@code dir/.gitignore} unless git already ignores the key. */
    private static Optional<Path> ignore(Path dir, Path key) throws IOException {
        if (gitIgnores(dir, key)) {
            return Optional.empty();
        }
        return GitIgnore.addRule(dir, key, "a private signing key, never committed");
    }

    /** {@code git check-ignore}: false when git says no, or cannot be asked (then kiln adds its own rule). */
    private static boolean gitIgnores(Path dir, Path file) {
        try {
            Process p = new ProcessBuilder("git", "check-ignore", "-q", file.toString())
                    .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            p.getOutputStream().close();
            if (!p.waitFor(30, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return false;
            }
            return p.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
