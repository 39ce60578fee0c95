package dev.kiln.trust;

import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.SignatureException;
import java.security.spec.X509EncodedKeySpec;
import java.util.Objects;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemReader;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * An ECDSA P-256 public key that checks signatures: the {@code -----BEGIN PUBLIC KEY-----} PEM
 * (X.509 SubjectPublicKeyInfo) that {@code cosign verify --key} and {@code openssl} read.
 */
public final class VerificationKey {
    static final String PEM_TYPE = "PUBLIC KEY";

    private final PublicKey key;
    private final byte[] spki;

    private VerificationKey(PublicKey key, byte[] spki) {
        this.key = key;
        this.spki = spki;
    }

    /** Parses a PEM public key; {@code source} names it in errors. */
    public static VerificationKey parsePem(String pem, String source) {
        PemObject object;
        try (PemReader reader = new PemReader(new StringReader(pem))) {
            object = reader.readPemObject();
        } catch (IOException e) {
            throw new TrustException(TrustException.Kind.KEY, source + ": not a PEM file: " + dev.kiln.store.IoErrors.why(e), e);
        }
        if (object == null || !object.getType().equals(PEM_TYPE)) {
            throw new TrustException(TrustException.Kind.KEY,
                    source + ": expected a '-----BEGIN " + PEM_TYPE + "-----' PEM block, found "
                    + (object == null ? "none" : "'" + object.getType() + "'")
                    + "\n  fix: name the .pub file that 'kiln keys generate' wrote, not the private key");
        }
        return fromSubjectPublicKeyInfo(object.getContent(), source);
    }

    public static VerificationKey read(Path file) {
        return parsePem(text(file), file.toString());
    }

    /** The PEM text of {@code file}, once it has been checked to hold a public key kiln reads. */
    public static String readPem(Path file) {
        String pem = text(file);
        parsePem(pem, file.toString());
        return pem;
    }

    private static String text(Path file) {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TrustException(TrustException.Kind.KEY,
                    "cannot read the public key " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    static VerificationKey fromSubjectPublicKeyInfo(byte[] der, String source) {
        SubjectPublicKeyInfo info;
        try {
            info = SubjectPublicKeyInfo.getInstance(der);
        } catch (IllegalArgumentException e) {
            throw new TrustException(TrustException.Kind.KEY,
                    source + ": the public key is not a SubjectPublicKeyInfo: " + e.getMessage(), e);
        }
        if (!X9ObjectIdentifiers.id_ecPublicKey.equals(info.getAlgorithm().getAlgorithm())
                || !SECObjectIdentifiers.secp256r1.equals(info.getAlgorithm().getParameters())) {
            throw new TrustException(TrustException.Kind.KEY, source + ": expected an ECDSA P-256 public key, found algorithm "
                    + info.getAlgorithm().getAlgorithm() + " with parameters " + info.getAlgorithm().getParameters()
                    + "\n  fix: make a P-256 key pair ('kiln keys generate NAME')");
        }
        try {
            PublicKey key = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(der));
            return new VerificationKey(key, key.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new TrustException(TrustException.Kind.KEY, source + ": not a valid P-256 public key: " + e.getMessage(), e);
        }
    }

    /** Whether {@code signature} (ASN.1 DER) is an ECDSA-SHA256 signature of {@code message} by this key. */
    public boolean verifies(byte[] message, byte[] signature) {
        Objects.requireNonNull(message, "message");
        try {
            Signature verifier = Signature.getInstance("SHA256withECDSA");
            verifier.initVerify(key);
            verifier.update(message);
            return verifier.verify(signature);
        } catch (SignatureException e) {
            return false; // not DER, or out-of-range numbers: corrupted, so not a signature by this key
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has SHA256withECDSA", e);
        }
    }

    /** {@code sha256:<hex>} of the DER SubjectPublicKeyInfo: names the key in messages and hints. */
    public String fingerprint() {
        return Digest.of(spki).toString();
    }

    public String pem() {
        StringWriter out = new StringWriter();
        try (PemWriter writer = new PemWriter(out)) {
            writer.writeObject(new PemObject(PEM_TYPE, spki));
        } catch (IOException e) {
            throw new IllegalStateException("writing to a string cannot fail", e);
        }
        return out.toString();
    }

    PublicKey publicKey() {
        return key;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof VerificationKey k && java.util.Arrays.equals(spki, k.spki);
    }

    @Override
    public int hashCode() {
        return java.util.Arrays.hashCode(spki);
    }

    @Override
    public String toString() {
        return "P-256 key " + fingerprint();
    }
}
