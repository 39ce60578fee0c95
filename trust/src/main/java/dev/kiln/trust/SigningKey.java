package dev.kiln.trust;

import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.spec.ECGenParameterSpec;
import java.util.Objects;
import java.util.Optional;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.params.ECNamedDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.params.ECPublicKeyParameters;
import org.bouncycastle.crypto.signers.DSADigestSigner;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;
import org.bouncycastle.crypto.util.PrivateKeyFactory;
import org.bouncycastle.crypto.util.SubjectPublicKeyInfoFactory;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8DecryptorProviderBuilder;
import org.bouncycastle.openssl.jcajce.JceOpenSSLPKCS8EncryptorBuilder;
import org.bouncycastle.openssl.jcajce.JcePEMDecryptorProviderBuilder;
import org.bouncycastle.openssl.PKCS8Generator;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;
import org.bouncycastle.pkcs.PKCSException;
import org.bouncycastle.util.io.pem.PemObject;
import org.bouncycastle.util.io.pem.PemWriter;

/**
 * An ECDSA P-256 private key that signs. Signatures are ECDSA over SHA-256, ASN.1 DER, with the
 * nonce derived from the key and the message (RFC 6979): signing the same bytes again gives the
 * same signature, so a signed image layout is as reproducible as the image.
 *
 * <p>Stored as PKCS#8 PEM ({@code PRIVATE KEY}), or encrypted with a password
 * ({@code ENCRYPTED PRIVATE KEY}: PBES2, PBKDF2 with HMAC-SHA256, AES-256-CBC), the forms
 * {@code openssl pkey} reads. OpenSSL's SEC1 {@code EC PRIVATE KEY} is read too.
 */
public final class SigningKey {
    /** PBKDF2 rounds for an encrypted key: OWASP's figure for PBKDF2-HMAC-SHA256. */
    static final int PBKDF2_ITERATIONS = 600_000;

    private final ECPrivateKeyParameters key;
    private final PrivateKeyInfo info;
    private final VerificationKey publicKey;

    private SigningKey(PrivateKeyInfo info, String source) {
        try {
            if (!(PrivateKeyFactory.createKey(info) instanceof ECPrivateKeyParameters ec)
                    || !(ec.getParameters() instanceof ECNamedDomainParameters named)
                    || !org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1.equals(named.getName())) {
                throw new TrustException(TrustException.Kind.KEY, source + ": expected an ECDSA P-256 private key, found "
                        + info.getPrivateKeyAlgorithm().getAlgorithm() + " " + info.getPrivateKeyAlgorithm().getParameters()
                        + "\n  fix: make a P-256 key pair ('kiln keys generate NAME')");
            } else {
                this.key = ec;
            }
            this.info = info;
            ECPublicKeyParameters pub = new ECPublicKeyParameters(
                    key.getParameters().getG().multiply(key.getD()).normalize(), key.getParameters());
            this.publicKey = VerificationKey.fromSubjectPublicKeyInfo(
                    SubjectPublicKeyInfoFactory.createSubjectPublicKeyInfo(pub).getEncoded(), source);
        } catch (IOException e) {
            throw new TrustException(TrustException.Kind.KEY,
                    source + ": not a valid private key: " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    /** A new random P-256 key. */
    public static SigningKey generate() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"), new SecureRandom());
            return new SigningKey(PrivateKeyInfo.getInstance(generator.generateKeyPair().getPrivate().getEncoded()), "a new key");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every Java platform has P-256 keys", e);
        }
    }

    /** Reads a private key file; {@code password} is used when the key is encrypted. */
    public static SigningKey read(Path file, Optional<char[]> password) {
        String pem;
        try {
            pem = Files.readString(file, StandardCharsets.US_ASCII);
        } catch (IOException e) {
            throw new TrustException(TrustException.Kind.KEY,
                    "cannot read the private key " + file + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
        return parsePem(pem, file.toString(), password);
    }

    /** Parses a PEM private key; {@code source} names it in errors. */
    public static SigningKey parsePem(String pem, String source, Optional<char[]> password) {
        Object object;
        try (PEMParser parser = new PEMParser(new StringReader(pem))) {
            object = parser.readObject();
        } catch (IOException e) {
            throw new TrustException(TrustException.Kind.KEY,
                    source + ": not a PEM private key: " + dev.kiln.store.IoErrors.why(e), e);
        }
        try {
            if (object instanceof PrivateKeyInfo info) {
                return new SigningKey(info, source);
            }
            if (object instanceof PEMKeyPair pair) {
                return new SigningKey(pair.getPrivateKeyInfo(), source);
            }
            if (object instanceof PKCS8EncryptedPrivateKeyInfo encrypted) {
                char[] pw = password.orElseThrow(() -> needsPassword(source));
                return new SigningKey(encrypted.decryptPrivateKeyInfo(
                        new JceOpenSSLPKCS8DecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(pw)), source);
            }
            if (object instanceof PEMEncryptedKeyPair encrypted) {
                char[] pw = password.orElseThrow(() -> needsPassword(source));
                return new SigningKey(encrypted.decryptKeyPair(
                        new JcePEMDecryptorProviderBuilder().setProvider(Bc.PROVIDER).build(pw)).getPrivateKeyInfo(), source);
            }
        } catch (PKCSException | PEMException e) {
            throw new TrustException(TrustException.Kind.KEY_PASSWORD,
                    source + ": cannot decrypt the private key: wrong password, or a"
                    + " damaged file\n  fix: give the password the key was made with", e);
        } catch (OperatorCreationException | IOException e) {
            throw new TrustException(TrustException.Kind.KEY, source + ": cannot decrypt the private key: " + e.getMessage(), e);
        }
        String found = pem.lines().filter(l -> l.startsWith("-----BEGIN ")).findFirst().orElse("no PEM block");
        throw new TrustException(TrustException.Kind.KEY,
                source + ": expected a PKCS#8 'PRIVATE KEY' or 'ENCRYPTED PRIVATE KEY' PEM block, found "
                + found + "\n  fix: name the .key file that 'kiln keys generate' wrote (cosign's own key format is not read)");
    }

    private static TrustException needsPassword(String source) {
        return new TrustException(TrustException.Kind.KEY_PASSWORD,
                source + ": the private key is encrypted and no password was given"
                + "\n  fix: give the key's password");
    }

    /** ECDSA-SHA256 of {@code message}, ASN.1 DER; deterministic (RFC 6979). */
    public byte[] sign(byte[] message) {
        Objects.requireNonNull(message, "message");
        DSADigestSigner signer = new DSADigestSigner(new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest())), new SHA256Digest());
        signer.init(true, key);
        signer.update(message, 0, message.length);
        return signer.generateSignature();
    }

    public VerificationKey verificationKey() {
        return publicKey;
    }

    /** PKCS#8 PEM; encrypted when a password is given (a fresh salt and IV each time). */
    public String pkcs8Pem(Optional<char[]> password) {
        try {
            PemObject object;
            if (password.isPresent()) {
                var encryptor = new JceOpenSSLPKCS8EncryptorBuilder(PKCS8Generator.AES_256_CBC)
                        .setPRF(PKCS8Generator.PRF_HMACSHA256)
                        .setIterationCount(PBKDF2_ITERATIONS)
                        .setRandom(new SecureRandom())
                        .setPassword(password.get())
                        .setProvider(Bc.PROVIDER)
                        .build();
                object = new PKCS8Generator(info, encryptor).generate();
            } else {
                object = new PemObject("PRIVATE KEY", info.getEncoded());
            }
            StringWriter out = new StringWriter();
            try (PemWriter writer = new PemWriter(out)) {
                writer.writeObject(object);
            }
            return out.toString();
        } catch (IOException | OperatorCreationException e) {
            throw new TrustException("cannot encode the private key: " + e.getMessage(), e);
        }
    }

    @Override
    public String toString() {
        return "P-256 private key of " + publicKey.fingerprint();
    }
}
