package dev.kiln.builder.repo;

import dev.kiln.builder.RecipeException;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.GitIgnore;
import dev.kiln.store.IoErrors;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPKeyRingGenerator;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPDigestCalculatorProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * Makes the OpenPGP key pair that signs a recipes repository: an Ed25519 primary key (v4, EdDSA as
 * gpg 2.2 and apt's gpgv read it) that certifies and signs, one user ID, no expiry, no passphrase.
 * Ed25519 signatures are deterministic, which is what makes a republished repository byte-identical.
 */
public final class PgpKeys {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");

    private PgpKeys() {
    }

    /** A key pair, armored: the public key ({@code signed-by=} takes it) and the secret key. */
    public record Generated(String fingerprint, Instant created, byte[] publicKey, byte[] secretKey) {
    }

    /** What {@link #write} wrote; {@code ignoredBy} is the {@code .gitignore} given a rule for the secret key. */
    public record Written(Path publicKey, Path secretKey, String fingerprint, Optional<Path> ignoredBy) {
    }

    /** A new key pair with the user ID {@code userId}, created at {@code created} (whole seconds). */
    public static Generated generate(String userId, Instant created) {
        Date when = Date.from(created.truncatedTo(ChronoUnit.SECONDS));
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(new SecureRandom()));
        try {
            PGPKeyPair pair = new BcPGPKeyPair(PublicKeyPacket.VERSION_4, PublicKeyAlgorithmTags.EDDSA_LEGACY,
                    generator.generateKeyPair(), when);
            PGPSignatureSubpacketGenerator self = new PGPSignatureSubpacketGenerator();
            self.setSignatureCreationTime(false, when);
            self.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            self.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
            self.setPrimaryUserID(false, true);
            self.setIssuerFingerprint(false, pair.getPublicKey());
            PGPKeyRingGenerator rings = new PGPKeyRingGenerator(PGPSignature.POSITIVE_CERTIFICATION, pair, userId,
                    new BcPGPDigestCalculatorProvider().get(HashAlgorithmTags.SHA1), self.generate(), null,
                    new BcPGPContentSignerBuilder(pair.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA512), null);
            PGPPublicKeyRing pub = rings.generatePublicKeyRing();
            PGPSecretKeyRing secret = rings.generateSecretKeyRing();
            return new Generated(HexFormat.of().withUpperCase().formatHex(pub.getPublicKey().getFingerprint()), when.toInstant(),
                    armored(pub.getEncoded()), armored(secret.getEncoded()));
        } catch (PGPException | IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot make an OpenPGP key: " + e.getMessage(), e);
        }
    }

    /**
     * Generates a key pair named {@code name} into {@code dir}: {@code NAME.asc} (public, 0644) and
     * {@code NAME.secret.asc} (secret, 0600 from the moment it exists). Never overwrites a key; in a
     * git work tree the secret key is added to {@code DIR/.gitignore}, so it is not committed by accident.
     */
    public static Written write(Path dir, String name, Instant created) {
        if (!NAME.matcher(name).matches()) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot name a key '" + name + "'"
                    + "\n  expected: letters, digits, '.', '_' or '-' (not first)\n  fix: choose another name");
        }
        Path abs = dir.toAbsolutePath().normalize();
        Path pub = abs.resolve(name + ".asc");
        Path secret = abs.resolve(name + ".secret.asc");
        for (Path p : List.of(pub, secret)) {
            if (Files.exists(p, LinkOption.NOFOLLOW_LINKS)) {
                throw new RecipeException(RecipeException.Kind.REPOSITORY, "refusing to overwrite the existing key " + p
                        + "\n  fix: choose another name, or move the old key pair away first");
            }
        }
        Generated g = generate(name, created);
        try {
            AtomicFile.createDirectories(abs);
            AtomicFile.create(secret, g.secretKey(), PosixFilePermissions.fromString("rw-------"));
            try {
                AtomicFile.create(pub, g.publicKey(), AtomicFile.PUBLIC);
            } catch (IOException | RuntimeException e) {
                Files.deleteIfExists(secret);
                throw e;
            }
            return new Written(pub, secret, g.fingerprint(), ignoreInGit(abs, secret));
        } catch (FileAlreadyExistsException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "refusing to overwrite the existing key " + e.getFile()
                    + " (it appeared while kiln was writing)\n  fix: choose another name");
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot write the key pair into " + abs + ": " + IoErrors.why(e), e);
        }
    }

    /** Inside a git work tree: {@code /NAME.secret.asc} into {@code dir/.gitignore} (once). */
    private static Optional<Path> ignoreInGit(Path dir, Path secret) throws IOException {
        if (GitIgnore.workTree(dir).isEmpty()) {
            return Optional.empty();
        }
        return GitIgnore.addRule(dir, secret, "an OpenPGP secret key, never committed");
    }

    private static byte[] armored(byte[] encoded) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = PgpSigningKey.armor(out)) {
            armor.write(encoded);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }
}
