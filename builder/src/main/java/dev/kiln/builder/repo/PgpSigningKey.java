package dev.kiln.builder.repo;

import dev.kiln.builder.RecipeException;
import dev.kiln.store.IoErrors;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPrivateKey;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPSecretKey;
import org.bouncycastle.openpgp.PGPSecretKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.PGPUtil;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;

/**
 * An unencrypted OpenPGP secret key that signs a repository's {@code Release}: clearsigned
 * ({@code InRelease}) and detached ({@code Release.gpg}), SHA-512, at a signature time the caller
 * gives. With an Ed25519 key (what {@link PgpKeys#generate} makes) the signature bytes depend only on
 * the key, the text and that time, so a republished Release is signed byte for byte as before.
 */
public final class PgpSigningKey {
    private static final int DIGEST = HashAlgorithmTags.SHA512;

    private final PGPPublicKey publicKey;
    private final PGPPrivateKey privateKey;

    private PgpSigningKey(PGPPublicKey publicKey, PGPPrivateKey privateKey) {
        this.publicKey = publicKey;
        this.privateKey = privateKey;
    }

    /** Reads the secret key file {@code file} ({@code NAME.secret.asc}); see {@link #parse}. */
    public static PgpSigningKey load(Path file) {
        try {
            return parse(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot read the signing key " + file + ": " + IoErrors.why(e)
                    + "\n  fix: name the NAME.secret.asc file 'kiln keys generate NAME --openpgp' wrote", e);
        }
    }

    /**
     * Reads an armored (or binary) secret key, e.g. {@code NAME.secret.asc}, and takes its first
     * key that may sign data (the primary key, or a signing subkey).
     *
     * @param what names the key in errors (its file)
     * @throws RecipeException {@code recipe.repository} if it is no secret key, is encrypted, or cannot sign
     */
    public static PgpSigningKey parse(byte[] secretKey, String what) {
        PGPSecretKeyRing ring;
        try {
            ring = new PGPSecretKeyRing(PGPUtil.getDecoderStream(new ByteArrayInputStream(secretKey)), new BcKeyFingerprintCalculator());
        } catch (IOException | PGPException | RuntimeException e) {
            throw refused(what, "an OpenPGP secret key (NAME.secret.asc, as 'kiln keys generate NAME --openpgp' writes it)",
                    "unreadable: " + e.getMessage());
        }
        for (PGPSecretKey key : ring) {
            if (!key.isSigningKey() || key.getPublicKey().hasRevocation()) {
                continue;
            }
            if (key.getKeyEncryptionAlgorithm() != 0) {
                throw refused(what, "an unencrypted secret key", "a key protected by a passphrase");
            }
            try {
                PGPPrivateKey priv = key.extractPrivateKey(null);
                if (priv != null) {
                    return new PgpSigningKey(key.getPublicKey(), priv);
                }
            } catch (PGPException e) {
                throw refused(what, "an unencrypted secret key", e.getMessage());
            }
        }
        throw refused(what, "a secret key that may sign data", "no signing key in it");
    }

    private static RecipeException refused(String what, String expected, String found) {
        return new RecipeException(RecipeException.Kind.REPOSITORY, "cannot sign with " + what
                + "\n  expected: " + expected + "\n  found:    " + found
                + "\n  fix: make a signing key with 'kiln keys generate NAME --openpgp', or export one without a passphrase");
    }

    /** The signing key's fingerprint, 40 uppercase hex digits. */
    public String fingerprint() {
        return HexFormat.of().withUpperCase().formatHex(publicKey.getFingerprint());
    }

    /** When the signing key was made: no signature may be older. */
    public Instant created() {
        return publicKey.getCreationTime().toInstant();
    }

    /** Clearsigns {@code text} as {@code gpg --clearsign} does (the {@code InRelease} form), dated {@code time}. */
    public byte[] clearsign(byte[] text, Instant time) {
        List<String> lines = lines(text);
        List<String> canonical = new ArrayList<>();
        for (String line : lines) {
            canonical.add(stripTrailingWhitespace(line));
        }
        PGPSignature signature = sign(PGPSignature.CANONICAL_TEXT_DOCUMENT,
                String.join("\r\n", canonical).getBytes(StandardCharsets.UTF_8), time);
        StringBuilder out = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA512\n\n");
        for (String line : lines) {
            if (line.startsWith("-")) {
                out.append("- ");
            }
            out.append(line).append('\n');
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.UTF_8));
        bytes.writeBytes(armored(signature));
        return bytes.toByteArray();
    }

    /** An armored detached signature of {@code content} (the {@code Release.gpg} form), dated {@code time}. */
    public byte[] detachSign(byte[] content, Instant time) {
        return armored(sign(PGPSignature.BINARY_DOCUMENT, content, time));
    }

    private PGPSignature sign(int type, byte[] data, Instant time) {
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(publicKey.getAlgorithm(), DIGEST), publicKey);
            generator.init(type, privateKey);
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, Date.from(time));
            hashed.setIssuerFingerprint(false, publicKey);
            generator.setHashedSubpackets(hashed.generate());
            PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
            unhashed.setIssuerKeyID(false, publicKey.getKeyID());
            generator.setUnhashedSubpackets(unhashed.generate());
            generator.update(data);
            return generator.generate();
        } catch (PGPException e) {
            throw new RecipeException(RecipeException.Kind.REPOSITORY, "cannot sign with key " + fingerprint() + ": " + e.getMessage(), e);
        }
    }

    static ArmoredOutputStream armor(OutputStream out) {
        return ArmoredOutputStream.builder().clearHeaders().build(out);
    }

    private static byte[] armored(PGPSignature signature) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = armor(out)) {
            signature.encode(armor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The lines of a text; a final newline ends the last line rather than starting an empty one. */
    private static List<String> lines(byte[] text) {
        String s = new String(text, StandardCharsets.UTF_8);
        if (s.endsWith("\n")) {
            s = s.substring(0, s.length() - 1);
        }
        return List.of(s.split("\n", -1));
    }

    private static String stripTrailingWhitespace(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t' || line.charAt(end - 1) == '\r')) {
            end--;
        }
        return line.substring(0, end);
    }
}
