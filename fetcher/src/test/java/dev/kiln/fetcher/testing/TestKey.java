package dev.kiln.fetcher.testing;

import dev.kiln.fetcher.pgp.Keyring;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.bcpg.ArmoredOutputStream;
import org.bouncycastle.bcpg.HashAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.PublicKeyPacket;
import org.bouncycastle.bcpg.PublicSubkeyPacket;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReasonTags;
import org.bouncycastle.crypto.AsymmetricCipherKeyPair;
import org.bouncycastle.crypto.generators.Ed25519KeyPairGenerator;
import org.bouncycastle.crypto.generators.RSAKeyPairGenerator;
import org.bouncycastle.crypto.params.Ed25519KeyGenerationParameters;
import org.bouncycastle.crypto.params.RSAKeyGenerationParameters;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPKeyPair;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureGenerator;
import org.bouncycastle.openpgp.PGPSignatureSubpacketGenerator;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;
import org.bouncycastle.openpgp.operator.bc.BcPGPContentSignerBuilder;
import org.bouncycastle.openpgp.operator.bc.BcPGPKeyPair;

/**
 * An OpenPGP key made at test time, for signing fixture repositories: clearsigned
 * {@code InRelease} files, detached {@code Release.gpg} signatures, and the public key to trust.
 * Nothing secret is ever written to disk by this class or committed.
 *
 * <p>Keys are ed25519 (fast to make) unless {@link #generateRsa} is asked for. Variants
 * ({@link #revoked()}, {@link #withSigningSubkey()}, {@link #withDigest}, ...) are copies that share
 * the key material, so a revoked copy still signs exactly like the original.
 */
public final class TestKey {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final HexFormat HEX = HexFormat.of().withUpperCase();

    private final String userId;
    private final PGPKeyPair primary;
    private final Duration validFor;
    private final PGPKeyPair subkey;
    private final Duration subkeyValidFor;
    private final boolean primaryRevoked;
    private final boolean subkeyRevoked;
    private final int digest;
    private final Instant signingTime;
    private final PGPPublicKeyRing ring;

    private TestKey(String userId, PGPKeyPair primary, Duration validFor, PGPKeyPair subkey, Duration subkeyValidFor,
            boolean primaryRevoked, boolean subkeyRevoked, int digest, Instant signingTime) {
        this.userId = userId;
        this.primary = primary;
        this.validFor = validFor;
        this.subkey = subkey;
        this.subkeyValidFor = subkeyValidFor;
        this.primaryRevoked = primaryRevoked;
        this.subkeyRevoked = subkeyRevoked;
        this.digest = digest;
        this.signingTime = signingTime;
        this.ring = buildRing();
    }

    /**
     * A new ed25519 key that signs with its primary key and never expires. It is dated a day ago,
     * so that signatures dated in the recent past are not older than the key.
     */
    public static TestKey generate(String userId) {
        return generate(userId, Instant.now().minus(Duration.ofDays(1)), null);
    }

    /**
     * A new ed25519 key created at {@code created}, expiring after {@code validFor} (null: never).
     * Its signatures are dated now unless {@link #signingAt} or an explicit time says otherwise.
     */
    public static TestKey generate(String userId, Instant created, Duration validFor) {
        return new TestKey(userId, ed25519(created), validFor, null, null, false, false, HashAlgorithmTags.SHA256, null);
    }

    /** A new RSA key, dated a day ago (2048 bits is quick enough for tests; Debian's keys are 4096). */
    public static TestKey generateRsa(String userId, int bits) {
        RSAKeyPairGenerator generator = new RSAKeyPairGenerator();
        generator.init(new RSAKeyGenerationParameters(BigInteger.valueOf(0x10001), RANDOM, bits, 80));
        return new TestKey(userId, pair(PublicKeyAlgorithmTags.RSA_GENERAL, generator.generateKeyPair(), Instant.now().minus(Duration.ofDays(1))),
                null, null, null, false, false, HashAlgorithmTags.SHA512, null);
    }

    /** A copy with a new ed25519 signing subkey (bound and cross-certified) that makes all signatures. */
    public TestKey withSigningSubkey() {
        return withSigningSubkey(created(), null);
    }

    /** As {@link #withSigningSubkey()}, with the subkey created at {@code created} and expiring after {@code validFor}. */
    public TestKey withSigningSubkey(Instant created, Duration validFor) {
        return new TestKey(userId, primary, this.validFor, ed25519(created), validFor, primaryRevoked, false, digest, signingTime);
    }

    /** A copy whose public key carries a revocation signature (reason: key compromised). */
    public TestKey revoked() {
        return new TestKey(userId, primary, validFor, subkey, subkeyValidFor, true, subkeyRevoked, digest, signingTime);
    }

    /** A copy whose signing subkey carries a revocation signature; the primary key stays valid. */
    public TestKey withSubkeyRevoked() {
        if (subkey == null) {
            throw new IllegalStateException("no subkey to revoke: call withSigningSubkey() first");
        }
        return new TestKey(userId, primary, validFor, subkey, subkeyValidFor, primaryRevoked, true, digest, signingTime);
    }

    /** A copy that signs documents with another digest, e.g. "SHA1" for the weak-digest refusal. */
    public TestKey withDigest(String name) {
        int id = switch (name.toUpperCase(Locale.ROOT)) {
            case "MD5" -> HashAlgorithmTags.MD5;
            case "SHA1" -> HashAlgorithmTags.SHA1;
            case "SHA224" -> HashAlgorithmTags.SHA224;
            case "SHA256" -> HashAlgorithmTags.SHA256;
            case "SHA384" -> HashAlgorithmTags.SHA384;
            case "SHA512" -> HashAlgorithmTags.SHA512;
            default -> throw new IllegalArgumentException("unknown digest " + name);
        };
        return new TestKey(userId, primary, validFor, subkey, subkeyValidFor, primaryRevoked, subkeyRevoked, id, signingTime);
    }

    /** A copy whose signatures are dated {@code time} unless a time is passed explicitly. */
    public TestKey signingAt(Instant time) {
        return new TestKey(userId, primary, validFor, subkey, subkeyValidFor, primaryRevoked, subkeyRevoked, digest,
                Objects.requireNonNull(time, "time"));
    }

    public String userId() {
        return userId;
    }

    /** The primary key's fingerprint, 40 uppercase hex digits. */
    public String fingerprint() {
        return HEX.formatHex(primary.getPublicKey().getFingerprint());
    }

    /** The fingerprint of the key that makes signatures: the subkey if there is one. */
    public String signingFingerprint() {
        return HEX.formatHex(signingPair().getPublicKey().getFingerprint());
    }

    public Instant created() {
        return primary.getPublicKey().getCreationTime().toInstant();
    }

    public byte[] publicKeyBinary() {
        try {
            return ring.getEncoded();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public byte[] publicKeyArmored() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = armor(out)) {
            ring.encode(armor);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Writes the public key: armored if the file name ends in {@code .asc}, binary otherwise (for gpgv). */
    public void writePublicKey(Path file) {
        try {
            Files.write(file, file.getFileName().toString().endsWith(".asc") ? publicKeyArmored() : publicKeyBinary());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A keyring trusting just this key. */
    public Keyring keyring() {
        return Keyring.parse(publicKeyBinary(), "test key " + userId);
    }

    /** Clearsigns like {@code gpg --clearsign}: Hash header, dash-escaped text, one signature block. */
    public byte[] clearsign(byte[] text) {
        return clearsign(text, List.of(this));
    }

    public byte[] clearsign(byte[] text, Instant signatureTime) {
        return signingAt(signatureTime).clearsign(text);
    }

    /** An armored detached binary-document signature, like {@code gpg --armor --detach-sign} (Release.gpg). */
    public byte[] detachSign(byte[] content) {
        return detachSign(content, List.of(this));
    }

    public byte[] detachSign(byte[] content, Instant signatureTime) {
        return signingAt(signatureTime).detachSign(content);
    }

    /** One clearsigned file carrying a signature by each key, in order (as Debian's InRelease does). */
    public static byte[] clearsign(byte[] text, List<TestKey> signers) {
        List<String> lines = lines(text);
        byte[] canonical = lines.stream().map(TestKey::stripTrailingWhitespace)
                .collect(Collectors.joining("\r\n")).getBytes(StandardCharsets.ISO_8859_1);
        List<PGPSignature> signatures = new ArrayList<>();
        Set<String> digests = new LinkedHashSet<>();
        for (TestKey signer : signers) {
            signatures.add(signer.sign(PGPSignature.CANONICAL_TEXT_DOCUMENT, canonical));
            digests.add(digestName(signer.digest));
        }
        StringBuilder out = new StringBuilder("-----BEGIN PGP SIGNED MESSAGE-----\n");
        out.append("Hash: ").append(String.join(",", digests)).append("\n\n");
        for (String line : lines) {
            if (line.startsWith("-") || line.startsWith("From ")) {
                out.append("- ");
            }
            out.append(line).append('\n');
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        bytes.writeBytes(out.toString().getBytes(StandardCharsets.ISO_8859_1));
        bytes.writeBytes(armorSignatures(signatures));
        return bytes.toByteArray();
    }

    /** One armored detached signature file carrying a signature by each key. */
    public static byte[] detachSign(byte[] content, List<TestKey> signers) {
        List<PGPSignature> signatures = new ArrayList<>();
        for (TestKey signer : signers) {
            signatures.add(signer.sign(PGPSignature.BINARY_DOCUMENT, content));
        }
        return armorSignatures(signatures);
    }

    @Override
    public String toString() {
        return "TestKey[" + fingerprint() + " " + userId + "]";
    }

    // --- making keys and signatures ---------------------------------------------------------

    private PGPKeyPair signingPair() {
        return subkey != null ? subkey : primary;
    }

    private Instant defaultSigningTime() {
        if (signingTime != null) {
            return signingTime;
        }
        Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
        Instant created = signingPair().getPublicKey().getCreationTime().toInstant();
        return created.isAfter(now) ? created : now;
    }

    private PGPSignature sign(int type, byte[] data) {
        PGPKeyPair signer = signingPair();
        try {
            PGPSignatureGenerator generator = new PGPSignatureGenerator(
                    new BcPGPContentSignerBuilder(signer.getPublicKey().getAlgorithm(), digest), signer.getPublicKey());
            generator.init(type, signer.getPrivateKey());
            PGPSignatureSubpacketGenerator hashed = new PGPSignatureSubpacketGenerator();
            hashed.setSignatureCreationTime(false, Date.from(defaultSigningTime()));
            hashed.setIssuerFingerprint(false, signer.getPublicKey());
            generator.setHashedSubpackets(hashed.generate());
            PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
            unhashed.setIssuerKeyID(false, signer.getKeyID());
            generator.setUnhashedSubpackets(unhashed.generate());
            generator.update(data);
            return generator.generate();
        } catch (PGPException e) {
            throw new IllegalStateException("cannot sign with " + this, e);
        }
    }

    private PGPPublicKeyRing buildRing() {
        try {
            PGPPublicKey primaryKey = primary.getPublicKey();
            Date created = primaryKey.getCreationTime();

            PGPSignatureSubpacketGenerator selfSig = subpackets(created, primaryKey);
            selfSig.setKeyFlags(true, KeyFlags.CERTIFY_OTHER | KeyFlags.SIGN_DATA);
            selfSig.setPrimaryUserID(false, true);
            selfSig.setPreferredHashAlgorithms(false, new int[] {HashAlgorithmTags.SHA512, HashAlgorithmTags.SHA256});
            if (validFor != null) {
                selfSig.setKeyExpirationTime(true, validFor.toSeconds());
            }
            PGPSignatureGenerator certifier = generator(primary, PGPSignature.POSITIVE_CERTIFICATION, selfSig);
            primaryKey = PGPPublicKey.addCertification(primaryKey, userId, certifier.generateCertification(userId, primaryKey));

            if (primaryRevoked) {
                PGPSignatureSubpacketGenerator revocation = subpackets(new Date(), primaryKey);
                revocation.setRevocationReason(false, RevocationReasonTags.KEY_COMPROMISED, "test key revoked");
                primaryKey = PGPPublicKey.addCertification(primaryKey,
                        generator(primary, PGPSignature.KEY_REVOCATION, revocation).generateCertification(primaryKey));
            }
            List<PGPPublicKey> keys = new ArrayList<>();
            keys.add(primaryKey);
            if (subkey != null) {
                keys.add(buildSubkey(primaryKey));
            }
            return new PGPPublicKeyRing(keys);
        } catch (PGPException | IOException e) {
            throw new IllegalStateException("cannot build test key " + userId, e);
        }
    }

    private PGPPublicKey buildSubkey(PGPPublicKey primaryKey) throws PGPException, IOException {
        PublicKeyPacket packet = subkey.getPublicKey().getPublicKeyPacket();
        PGPPublicKey subkeyPublic = new PGPPublicKey(
                new PublicSubkeyPacket(packet.getVersion(), packet.getAlgorithm(), packet.getTime(), packet.getKey()),
                new BcKeyFingerprintCalculator());
        Date created = packet.getTime();

        PGPSignatureSubpacketGenerator back = subpackets(created, subkeyPublic);
        PGPSignature backSignature = generator(subkey, PGPSignature.PRIMARYKEY_BINDING, back)
                .generateCertification(primaryKey, subkeyPublic);

        PGPSignatureSubpacketGenerator binding = subpackets(created, primaryKey);
        binding.setKeyFlags(true, KeyFlags.SIGN_DATA);
        if (subkeyValidFor != null) {
            binding.setKeyExpirationTime(true, subkeyValidFor.toSeconds());
        }
        binding.addEmbeddedSignature(false, backSignature);
        subkeyPublic = PGPPublicKey.addCertification(subkeyPublic,
                generator(primary, PGPSignature.SUBKEY_BINDING, binding).generateCertification(primaryKey, subkeyPublic));

        if (subkeyRevoked) {
            PGPSignatureSubpacketGenerator revocation = subpackets(new Date(), primaryKey);
            revocation.setRevocationReason(false, RevocationReasonTags.KEY_RETIRED, "test subkey retired");
            subkeyPublic = PGPPublicKey.addCertification(subkeyPublic,
                    generator(primary, PGPSignature.SUBKEY_REVOCATION, revocation).generateCertification(primaryKey, subkeyPublic));
        }
        return subkeyPublic;
    }

    private static PGPSignatureSubpacketGenerator subpackets(Date created, PGPPublicKey issuer) {
        PGPSignatureSubpacketGenerator subpackets = new PGPSignatureSubpacketGenerator();
        subpackets.setSignatureCreationTime(false, created);
        subpackets.setIssuerFingerprint(false, issuer);
        return subpackets;
    }

    private static PGPSignatureGenerator generator(PGPKeyPair signer, int type, PGPSignatureSubpacketGenerator hashed)
            throws PGPException {
        PGPSignatureGenerator generator = new PGPSignatureGenerator(
                new BcPGPContentSignerBuilder(signer.getPublicKey().getAlgorithm(), HashAlgorithmTags.SHA256), signer.getPublicKey());
        generator.init(type, signer.getPrivateKey());
        generator.setHashedSubpackets(hashed.generate());
        PGPSignatureSubpacketGenerator unhashed = new PGPSignatureSubpacketGenerator();
        unhashed.setIssuerKeyID(false, signer.getKeyID());
        generator.setUnhashedSubpackets(unhashed.generate());
        return generator;
    }

    private static PGPKeyPair ed25519(Instant created) {
        Ed25519KeyPairGenerator generator = new Ed25519KeyPairGenerator();
        generator.init(new Ed25519KeyGenerationParameters(RANDOM));
        return pair(PublicKeyAlgorithmTags.EDDSA_LEGACY, generator.generateKeyPair(), created);
    }

    private static PGPKeyPair pair(int algorithm, AsymmetricCipherKeyPair keys, Instant created) {
        try {
            return new BcPGPKeyPair(PublicKeyPacket.VERSION_4, algorithm, keys, Date.from(created.truncatedTo(ChronoUnit.SECONDS)));
        } catch (PGPException e) {
            throw new IllegalStateException("cannot make a test key pair", e);
        }
    }

    private static ArmoredOutputStream armor(OutputStream out) {
        return ArmoredOutputStream.builder().clearHeaders().build(out);
    }

    private static byte[] armorSignatures(List<PGPSignature> signatures) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ArmoredOutputStream armor = armor(out)) {
            for (PGPSignature signature : signatures) {
                signature.encode(armor);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The lines of a text; a final newline ends the last line rather than starting an empty one. */
    private static List<String> lines(byte[] text) {
        String string = new String(text, StandardCharsets.ISO_8859_1);
        if (string.endsWith("\n")) {
            string = string.substring(0, string.length() - 1);
        }
        return List.of(string.split("\n", -1));
    }

    private static String stripTrailingWhitespace(String line) {
        int end = line.length();
        while (end > 0 && (line.charAt(end - 1) == ' ' || line.charAt(end - 1) == '\t' || line.charAt(end - 1) == '\r')) {
            end--;
        }
        return line.substring(0, end);
    }

    private static String digestName(int digest) {
        return switch (digest) {
            case HashAlgorithmTags.MD5 -> "MD5";
            case HashAlgorithmTags.SHA1 -> "SHA1";
            case HashAlgorithmTags.SHA224 -> "SHA224";
            case HashAlgorithmTags.SHA256 -> "SHA256";
            case HashAlgorithmTags.SHA384 -> "SHA384";
            case HashAlgorithmTags.SHA512 -> "SHA512";
            default -> throw new IllegalArgumentException("digest " + digest);
        };
    }
}
