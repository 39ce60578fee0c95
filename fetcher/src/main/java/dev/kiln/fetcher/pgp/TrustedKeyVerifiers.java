package dev.kiln.fetcher.pgp;

import java.io.OutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.RSAPublicBCPGKey;
import org.bouncycastle.crypto.Digest;
import org.bouncycastle.crypto.Signer;
import org.bouncycastle.crypto.digests.MD5Digest;
import org.bouncycastle.crypto.digests.RIPEMD160Digest;
import org.bouncycastle.crypto.digests.SHA1Digest;
import org.bouncycastle.crypto.digests.SHA224Digest;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.digests.SHA384Digest;
import org.bouncycastle.crypto.digests.SHA3Digest;
import org.bouncycastle.crypto.digests.SHA512Digest;
import org.bouncycastle.crypto.params.RSAKeyParameters;
import org.bouncycastle.crypto.signers.RSADigestSigner;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.operator.PGPContentVerifier;
import org.bouncycastle.openpgp.operator.PGPContentVerifierBuilder;
import org.bouncycastle.openpgp.operator.PGPContentVerifierBuilderProvider;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentVerifierBuilderProvider;

/**
 * BouncyCastle's lightweight verifiers, except that RSA keys skip the modulus sanity checks.
 *
 * <p>For every new RSA modulus BouncyCastle runs Miller-Rabin rounds to prove it composite: over a
 * second for Debian's four 4096-bit keys in a cold JVM, on every {@code kiln lock}. The check
 * protects against a key whose modulus is prime, which anyone could sign for. Here every key comes
 * from the trusted keyring, and a trusted key can sign anything anyway, so the check buys nothing.
 * The signature arithmetic is BouncyCastle's own (PKCS#1 v1.5 with DigestInfo, as for Bc*).
 */
final class TrustedKeyVerifiers implements PGPContentVerifierBuilderProvider {
    private final BcPGPContentVerifierBuilderProvider bc = new BcPGPContentVerifierBuilderProvider();

    @Override
    @SuppressWarnings("deprecation") // RSA_SIGN: sign-only RSA keys are deprecated, not invalid
    public PGPContentVerifierBuilder get(int keyAlgorithm, int hashAlgorithm) throws PGPException {
        PGPContentVerifierBuilder fallback = bc.get(keyAlgorithm, hashAlgorithm);
        return key -> {
            boolean rsa = keyAlgorithm == PublicKeyAlgorithmTags.RSA_GENERAL || keyAlgorithm == PublicKeyAlgorithmTags.RSA_SIGN;
            if (rsa && key.getPublicKeyPacket().getKey() instanceof RSAPublicBCPGKey rsaKey) {
                return rsaVerifier(key, rsaKey, keyAlgorithm, hashAlgorithm);
            }
            return fallback.build(key);
        };
    }

    private static PGPContentVerifier rsaVerifier(PGPPublicKey key, RSAPublicBCPGKey rsaKey, int keyAlgorithm, int hashAlgorithm)
            throws PGPException {
        Signer signer = new RSADigestSigner(digest(hashAlgorithm));
        // isInternal = true: the modulus is used as is, see the class comment
        signer.init(false, new RSAKeyParameters(false, rsaKey.getModulus(), rsaKey.getPublicExponent(), true));
        OutputStream out = new OutputStream() {
            @Override
            public void write(int b) {
                signer.update((byte) b);
            }

            @Override
            public void write(byte[] bytes, int offset, int length) {
                signer.update(bytes, offset, length);
            }
        };
        return new PGPContentVerifier() {
            @Override
            public OutputStream getOutputStream() {
                return out;
            }

            @Override
            public int getHashAlgorithm() {
                return hashAlgorithm;
            }

            @Override
            public int getKeyAlgorithm() {
                return keyAlgorithm;
            }

            @Override
            public long getKeyID() {
                return key.getKeyID();
            }

            @Override
            public boolean verify(byte[] expected) {
                return signer.verifySignature(expected);
            }
        };
    }

    private static Digest digest(int hashAlgorithm) throws PGPException {
        return switch (hashAlgorithm) {
            case HashAlgorithmTags.MD5 -> new MD5Digest();
            case HashAlgorithmTags.SHA1 -> new SHA1Digest();
            case HashAlgorithmTags.RIPEMD160 -> new RIPEMD160Digest();
            case HashAlgorithmTags.SHA224 -> new SHA224Digest();
            case HashAlgorithmTags.SHA256 -> new SHA256Digest();
            case HashAlgorithmTags.SHA384 -> new SHA384Digest();
            case HashAlgorithmTags.SHA512 -> new SHA512Digest();
            case HashAlgorithmTags.SHA3_256 -> new SHA3Digest(256);
            case HashAlgorithmTags.SHA3_512 -> new SHA3Digest(512);
            default -> throw new PGPException("unsupported digest algorithm " + hashAlgorithm);
        };
    }
}
