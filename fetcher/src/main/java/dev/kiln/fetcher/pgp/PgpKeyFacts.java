package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.FetchException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Iterator;
import java.util.List;
import org.bouncycastle.bcpg.PublicKeyAlgorithmTags;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.KeyFlags;
import org.bouncycastle.bcpg.sig.RevocationReason;
import org.bouncycastle.openpgp.PGPException;
import org.bouncycastle.openpgp.PGPPublicKey;
import org.bouncycastle.openpgp.PGPPublicKeyRing;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;

/**
 * One public key (primary or subkey) of a trusted certificate, with what its self-signatures say
 * about it. Computed once when the keyring is read; the verifier compares these facts with the
 * signature time and the current time.
 *
 * @param expires when the key stops being valid (its own expiry or its primary key's, whichever
 *     comes first), or null if never
 * @param revocation why the key (or its primary key) is revoked, or null if it is not
 * @param unusable why the key cannot make data signatures at all, or null if it can
 */
record PgpKeyFacts(
        PGPPublicKey key,
        String fingerprint,
        String primaryFingerprint,
        String userId,
        String source,
        Instant created,
        Instant expires,
        String revocation,
        String unusable) {

    private static final HexFormat HEX = HexFormat.of().withUpperCase();
    static final TrustedKeyVerifiers VERIFIERS = new TrustedKeyVerifiers();

    boolean isPrimary() {
        return fingerprint.equals(primaryFingerprint);
    }

    /** For messages: which key, whose, and from which file. */
    String describe() {
        String owner = "\"" + userId + "\" from " + source;
        return isPrimary()
                ? "key " + fingerprint + " (" + owner + ")"
                : "subkey " + fingerprint + " of key " + primaryFingerprint + " (" + owner + ")";
    }

    static String hex(byte[] fingerprint) {
        return HEX.formatHex(fingerprint);
    }

    static String keyId(long keyId) {
        return String.format("%016X", keyId);
    }

    /**
     * Evaluates every key of a certificate. The primary key must carry a valid self-signature;
     * without one nothing in the certificate can be trusted, so that is an error about the file.
     */
    static List<PgpKeyFacts> evaluate(PGPPublicKeyRing ring, String source) {
        PGPPublicKey primary = ring.getPublicKey();
        String primaryFingerprint = hex(primary.getFingerprint());
        if (primary.getVersion() != 4) {
            throw new FetchException(FetchException.Kind.KEYS, source + ": key " + primaryFingerprint + " is an OpenPGP version "
                    + primary.getVersion() + " key; kiln reads version 4 keys (what Debian and apt use). "
                    + "Export the repository's version 4 key instead.");
        }
        Instant primaryCreated = primary.getCreationTime().toInstant();

        PGPSignature selfSignature = null;
        String userId = null;
        for (Iterator<byte[]> ids = primary.getRawUserIDs(); ids.hasNext(); ) {
            byte[] id = ids.next();
            for (Iterator<PGPSignature> sigs = primary.getSignaturesForID(id); sigs.hasNext(); ) {
                PGPSignature sig = sigs.next();
                if (isUserIdCertification(sig.getSignatureType())
                        && issuedBy(sig, primary)
                        && verifies(() -> {
                            sig.init(VERIFIERS, primary);
                            return sig.verifyCertification(id, primary);
                        })) {
                    if (userId == null) {
                        userId = new String(id, StandardCharsets.UTF_8);
                    }
                    selfSignature = later(selfSignature, sig);
                }
            }
        }
        for (Iterator<PGPSignature> sigs = primary.getSignaturesOfType(PGPSignature.DIRECT_KEY); sigs.hasNext(); ) {
            PGPSignature sig = sigs.next();
            if (issuedBy(sig, primary) && verifies(() -> {
                sig.init(VERIFIERS, primary);
                return sig.verifyCertification(primary);
            })) {
                selfSignature = later(selfSignature, sig);
            }
        }
        if (selfSignature == null) {
            throw new FetchException(FetchException.Kind.KEYS,
                    source + ": key " + primaryFingerprint + " has no valid self-signature, so "
                    + "nothing binds its user IDs, expiry or subkeys to it. The file is damaged or was exported "
                    + "without signatures; export it again (gpg --export --armor KEYID) or fetch it from the "
                    + "repository's documentation.");
        }
        if (userId == null) {
            userId = "no user ID";
        }
        Instant primaryExpires = expiry(primaryCreated, selfSignature.getHashedSubPackets());
        String primaryRevocation = revocation(primary, PGPSignature.KEY_REVOCATION, primary);

        List<PgpKeyFacts> keys = new ArrayList<>();
        keys.add(new PgpKeyFacts(primary, primaryFingerprint, primaryFingerprint, userId, source,
                primaryCreated, primaryExpires,
                primaryRevocation == null ? null : "key " + primaryFingerprint + " " + primaryRevocation,
                canSign(primary, selfSignature.getHashedSubPackets()) ? null
                        : "key " + primaryFingerprint + " is not marked for signing (its key flags allow other uses only)"));

        for (PGPPublicKey subkey : ring) {
            if (subkey.isMasterKey()) {
                continue;
            }
            keys.add(evaluateSubkey(primary, subkey, primaryFingerprint, userId, source, primaryExpires, primaryRevocation));
        }
        return keys;
    }

    private static PgpKeyFacts evaluateSubkey(
            PGPPublicKey primary, PGPPublicKey subkey, String primaryFingerprint, String userId, String source,
            Instant primaryExpires, String primaryRevocation) {
        String fingerprint = hex(subkey.getFingerprint());
        Instant created = subkey.getCreationTime().toInstant();
        PGPSignature binding = null;
        for (Iterator<PGPSignature> sigs = subkey.getSignaturesOfType(PGPSignature.SUBKEY_BINDING); sigs.hasNext(); ) {
            PGPSignature sig = sigs.next();
            if (issuedBy(sig, primary) && verifies(() -> {
                sig.init(VERIFIERS, primary);
                return sig.verifyCertification(primary, subkey);
            })) {
                binding = later(binding, sig);
            }
        }
        String unusable = null;
        Instant expires = primaryExpires;
        if (subkey.getVersion() != 4) {
            unusable = "subkey " + fingerprint + " is an OpenPGP version " + subkey.getVersion() + " key";
        } else if (binding == null) {
            unusable = "subkey " + fingerprint + " has no valid binding signature from its primary key " + primaryFingerprint;
        } else if (!canSign(subkey, binding.getHashedSubPackets())) {
            unusable = "subkey " + fingerprint + " is not marked for signing (its key flags allow other uses only)";
        } else if (!crossCertified(primary, subkey, binding)) {
            // Without the back-signature anyone could bind someone else's signing key to their
            // certificate; gpg refuses such subkeys for signatures too.
            unusable = "signing subkey " + fingerprint + " is not cross-certified (it lacks the primary-key binding "
                    + "signature that proves it belongs to " + primaryFingerprint + ")";
        }
        if (binding != null) {
            Instant own = expiry(created, binding.getHashedSubPackets());
            if (own != null && (expires == null || own.isBefore(expires))) {
                expires = own;
            }
        }
        String revocation;
        if (primaryRevocation != null) {
            revocation = "its primary key " + primaryFingerprint + " " + primaryRevocation;
        } else {
            String own = revocation(subkey, PGPSignature.SUBKEY_REVOCATION, primary);
            revocation = own == null ? null : "subkey " + fingerprint + " " + own;
        }
        return new PgpKeyFacts(subkey, fingerprint, primaryFingerprint, userId, source, created, expires, revocation, unusable);
    }

    private static boolean crossCertified(PGPPublicKey primary, PGPPublicKey subkey, PGPSignature binding) {
        List<PGPSignature> embedded = new ArrayList<>();
        for (PGPSignatureSubpacketVector area : new PGPSignatureSubpacketVector[] {binding.getHashedSubPackets(), binding.getUnhashedSubPackets()}) {
            if (area == null) {
                continue;
            }
            try {
                PGPSignatureList list = area.getEmbeddedSignatures();
                list.forEach(embedded::add);
            } catch (PGPException | RuntimeException e) {
                // an unreadable embedded signature is no back-signature
            }
        }
        for (PGPSignature back : embedded) {
            if (back.getSignatureType() == PGPSignature.PRIMARYKEY_BINDING && verifies(() -> {
                back.init(VERIFIERS, subkey);
                return back.verifyCertification(primary, subkey);
            })) {
                return true;
            }
        }
        return false;
    }

    /** A description ("revoked on ... (reason)") of the first valid revocation signature, or null. */
    private static String revocation(PGPPublicKey target, int type, PGPPublicKey primary) {
        for (Iterator<PGPSignature> sigs = target.getSignaturesOfType(type); sigs.hasNext(); ) {
            PGPSignature sig = sigs.next();
            if (!issuedBy(sig, primary)) {
                continue; // designated revokers are not supported: their keys are not in the certificate
            }
            boolean valid = verifies(() -> {
                sig.init(VERIFIERS, primary);
                return type == PGPSignature.KEY_REVOCATION ? sig.verifyCertification(primary) : sig.verifyCertification(primary, target);
            });
            if (valid) {
                StringBuilder text = new StringBuilder("was revoked on ").append(sig.getCreationTime().toInstant());
                PGPSignatureSubpacketVector hashed = sig.getHashedSubPackets();
                RevocationReason reason = hashed == null ? null : hashed.getRevocationReason();
                if (reason != null) {
                    text.append(" (").append(reasonName(reason.getRevocationReason()));
                    if (!reason.getRevocationDescription().isBlank()) {
                        text.append(": ").append(reason.getRevocationDescription().strip());
                    }
                    text.append(')');
                }
                return text.toString();
            }
        }
        return null;
    }

    private static String reasonName(byte reason) {
        return switch (reason) {
            case 1 -> "key superseded";
            case 2 -> "key compromised";
            case 3 -> "key retired";
            default -> "no reason given";
        };
    }

    private static boolean isUserIdCertification(int type) {
        return type == PGPSignature.DEFAULT_CERTIFICATION
                || type == PGPSignature.NO_CERTIFICATION
                || type == PGPSignature.CASUAL_CERTIFICATION
                || type == PGPSignature.POSITIVE_CERTIFICATION;
    }

    /** Cheap pre-filter so third-party certifications are not verified needlessly. */
    private static boolean issuedBy(PGPSignature sig, PGPPublicKey key) {
        long id = sig.getKeyID();
        return id == 0 || id == key.getKeyID();
    }

    private static PGPSignature later(PGPSignature current, PGPSignature candidate) {
        if (current == null || candidate.getCreationTime().after(current.getCreationTime())) {
            return candidate;
        }
        return current;
    }

    private static Instant expiry(Instant created, PGPSignatureSubpacketVector hashed) {
        if (hashed == null) {
            return null;
        }
        long seconds = hashed.getKeyExpirationTime();
        return seconds > 0 ? created.plusSeconds(seconds) : null;
    }

    @SuppressWarnings("deprecation") // RSA_SIGN: sign-only RSA keys are deprecated, not invalid
    private static boolean canSign(PGPPublicKey key, PGPSignatureSubpacketVector hashed) {
        if (hashed != null && hashed.hasSubpacket(SignatureSubpacketTags.KEY_FLAGS)) {
            return (hashed.getKeyFlags() & KeyFlags.SIGN_DATA) != 0;
        }
        // No key flags: fall back to what the algorithm can do, as RFC 4880 implementations did.
        return switch (key.getAlgorithm()) {
            case PublicKeyAlgorithmTags.RSA_GENERAL, PublicKeyAlgorithmTags.RSA_SIGN, PublicKeyAlgorithmTags.DSA,
                    PublicKeyAlgorithmTags.ECDSA, PublicKeyAlgorithmTags.EDDSA_LEGACY, PublicKeyAlgorithmTags.Ed25519,
                    PublicKeyAlgorithmTags.Ed448 -> true;
            default -> false;
        };
    }

    interface Check {
        boolean run() throws PGPException;
    }

    /** Runs a signature check; a signature BouncyCastle cannot process counts as not verifying. */
    static boolean verifies(Check check) {
        try {
            return check.run();
        } catch (PGPException | RuntimeException e) {
            return false;
        }
    }
}
