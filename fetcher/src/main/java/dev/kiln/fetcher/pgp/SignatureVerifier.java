package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.pgp.SignatureException.Reason;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.stream.Collectors;
import org.bouncycastle.bcpg.ArmoredInputStream;
import org.bouncycastle.bcpg.SignatureSubpacketTags;
import org.bouncycastle.bcpg.sig.IssuerFingerprint;
import org.bouncycastle.openpgp.PGPMarker;
import org.bouncycastle.openpgp.PGPObjectFactory;
import org.bouncycastle.openpgp.PGPSignature;
import org.bouncycastle.openpgp.PGPSignatureList;
import org.bouncycastle.openpgp.PGPSignatureSubpacketVector;
import org.bouncycastle.openpgp.operator.bc.BcKeyFingerprintCalculator;

/**
 * Checks OpenPGP signatures on repository metadata ({@code InRelease}, or {@code Release} with
 * {@code Release.gpg}) against a {@link Keyring}, the way apt and gpgv decide:
 *
 * <ul>
 *   <li>accepted when at least one signature is a good signature by a trusted key (primary key or
 *       cross-certified signing subkey) that was valid when it signed and is valid now;
 *   <li>signatures by keys not in the keyring are ignored next to a good one (Debian signs with
 *       the keys of several releases);
 *   <li>a bad signature by a trusted key refuses the file even next to a good one;
 *   <li>expired, revoked, weak-digest (MD5, SHA1, RIPEMD160) or future-dated signatures do not
 *       count as good, and are reported when nothing good is left.
 * </ul>
 *
 * <p>The current time is passed in, so that results do not depend on the wall clock in tests.
 * Instances are immutable and may be shared between threads.
 */
public final class SignatureVerifier {
    /**
     * How far in the future a signature may be dated and still count. Mirrors publish an
     * InRelease seconds after it is signed, and hosts without NTP drift by minutes; an hour allows
     * for that. It buys an attacker nothing: expiry and revocation are judged at {@code now}.
     */
    public static final Duration CLOCK_SKEW = Duration.ofHours(1);

    /** Subpackets a data signature may mark critical; any other critical one voids it (RFC 9580 5.2.3.7). */
    private static final Set<Integer> UNDERSTOOD_CRITICAL = Set.of(
            SignatureSubpacketTags.CREATION_TIME,
            SignatureSubpacketTags.EXPIRE_TIME,
            SignatureSubpacketTags.EXPORTABLE,
            SignatureSubpacketTags.ISSUER_KEY_ID,
            SignatureSubpacketTags.SIGNER_USER_ID,
            SignatureSubpacketTags.ISSUER_FINGERPRINT,
            SignatureSubpacketTags.POLICY_URL);

    private final Keyring keyring;
    private final Instant now;
    /** {@code now} for messages, without the fractions of a second. */
    private final String nowText;

    /**
     * @param now the time at which keys must be valid and before which signatures must be made;
     *     passed in so that verification does not depend on the wall clock where that matters
     */
    public SignatureVerifier(Keyring keyring, Instant now) {
        this.keyring = Objects.requireNonNull(keyring, "keyring");
        this.now = Objects.requireNonNull(now, "now");
        this.nowText = now.truncatedTo(ChronoUnit.SECONDS).toString();
    }

    /**
     * Verifies a clearsigned file such as Debian's {@code InRelease}.
     *
     * @param what describes the file in messages, e.g. its URL
     * @return the signed text (see {@link VerifiedDocument#content()}) and who signed it
     * @throws SignatureException if the file is refused; the message says why and what to do
     */
    public VerifiedDocument verifyClearsigned(byte[] inRelease, String what) {
        Objects.requireNonNull(inRelease, "inRelease");
        ClearsignedMessage message = ClearsignedMessage.parse(inRelease, what);
        List<PGPSignature> signatures = new ArrayList<>();
        for (byte[] block : message.signatureBlocks) {
            signatures.addAll(signaturePackets(unarmor(block, what), what));
        }
        if (signatures.isEmpty()) {
            throw new SignatureException(Reason.NOT_SIGNED, what + ": expected at least one signature in the signature "
                    + "block of the clearsigned file, found none. Fetch the file again or use another mirror.");
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (PGPSignature signature : signatures) {
            outcomes.add(check(signature, message.canonicalText, message.announcedDigests));
        }
        return decide(outcomes, message.text, what);
    }

    /**
     * Verifies a detached signature such as {@code Release.gpg} over {@code Release}.
     *
     * @param signature armored ({@code -----BEGIN PGP SIGNATURE-----}) or binary; may hold several
     * @param what describes the file in messages, e.g. its URL
     * @throws SignatureException if the file is refused; the message says why and what to do
     */
    public VerifiedDocument verifyDetached(byte[] content, byte[] signature, String what) {
        Objects.requireNonNull(content, "content");
        Objects.requireNonNull(signature, "signature");
        List<PGPSignature> signatures = new ArrayList<>();
        String text = new String(signature, StandardCharsets.ISO_8859_1);
        if (text.contains("-----BEGIN PGP ")) {
            for (byte[] block : armoredSignatureBlocks(text, what)) {
                signatures.addAll(signaturePackets(unarmor(block, what), what));
            }
        } else if (!text.isBlank()) {
            signatures.addAll(signaturePackets(signature, what));
        }
        if (signatures.isEmpty()) {
            throw new SignatureException(Reason.NOT_SIGNED, what + ": expected a detached OpenPGP signature, found "
                    + (signature.length == 0 ? "an empty file" : "no signature in it") + ". Without a signature the "
                    + "content cannot be trusted; fetch the signature again or use another mirror.");
        }
        List<Outcome> outcomes = new ArrayList<>();
        for (PGPSignature sig : signatures) {
            outcomes.add(check(sig, content, Set.of()));
        }
        return decide(outcomes, content, what);
    }

    /** What one signature amounts to; {@code problem == null} means good. */
    private record Outcome(PGPSignature signature, PgpKeyFacts key, String issuer, Instant created, Reason problem, String detail) {
        String describe() {
            StringBuilder out = new StringBuilder("signature by ");
            out.append(key != null ? key.describe() : "unknown key " + issuer);
            if (created != null) {
                out.append(", made ").append(created);
            }
            out.append(", ").append(ClearsignedMessage.digestName(signature.getHashAlgorithm()));
            return out.append(": ").append(detail).toString();
        }
    }

    private Outcome check(PGPSignature signature, byte[] signedData, Set<Integer> announcedDigests) {
        Instant time = signature.getCreationTime() == null ? null : signature.getCreationTime().toInstant();
        String fingerprint = issuerFingerprint(signature);
        long keyId = signature.getKeyID();
        String issuer = fingerprint != null ? fingerprint : "with key ID " + PgpKeyFacts.keyId(keyId);

        List<PgpKeyFacts> candidates = keyId != 0 ? keyring.keysFor(keyId, fingerprint)
                : fingerprint != null ? keyring.keysFor(fingerprint) : List.of();
        if (candidates.isEmpty()) {
            return new Outcome(signature, null, issuer, time, Reason.UNKNOWN_KEY, "not in the keyring, ignored");
        }
        int type = signature.getSignatureType();
        if (type != PGPSignature.BINARY_DOCUMENT && type != PGPSignature.CANONICAL_TEXT_DOCUMENT) {
            return new Outcome(signature, candidates.get(0), issuer, time, Reason.MALFORMED,
                    String.format("is a signature of type 0x%02X, not a document signature", type));
        }
        PgpKeyFacts key = null;
        for (PgpKeyFacts candidate : candidates) {
            if (PgpKeyFacts.verifies(() -> {
                signature.init(PgpKeyFacts.VERIFIERS, candidate.key());
                signature.update(signedData);
                return signature.verify();
            })) {
                key = candidate;
                break;
            }
        }
        if (key == null) {
            return new Outcome(signature, candidates.get(0), issuer, time, Reason.BAD_SIGNATURE,
                    "BAD signature, it does not match the content");
        }

        int digest = signature.getHashAlgorithm();
        String digestName = ClearsignedMessage.digestName(digest);
        if (digest == 1 || digest == 2 || digest == 3) {
            return new Outcome(signature, key, issuer, time, Reason.WEAK_DIGEST,
                    "uses the weak digest " + digestName + ", which apt refuses (SHA256 or stronger is required)");
        }
        if (!announcedDigests.isEmpty() && !announcedDigests.contains(digest)) {
            return new Outcome(signature, key, issuer, time, Reason.MALFORMED, "uses " + digestName
                    + " but the 'Hash:' header announces only " + announcedDigests.stream()
                            .map(ClearsignedMessage::digestName).collect(Collectors.joining(", ")));
        }
        String critical = unknownCriticalSubpacket(signature.getHashedSubPackets());
        if (critical != null) {
            return new Outcome(signature, key, issuer, time, Reason.MALFORMED, critical);
        }
        if (time == null) {
            return new Outcome(signature, key, issuer, null, Reason.MALFORMED, "has no creation time");
        }
        if (key.unusable() != null) {
            return new Outcome(signature, key, issuer, time, Reason.UNUSABLE_KEY, key.unusable());
        }
        if (key.revocation() != null) {
            return new Outcome(signature, key, issuer, time, Reason.REVOKED_KEY, "good, but " + key.revocation());
        }
        if (time.isAfter(now.plus(CLOCK_SKEW))) {
            return new Outcome(signature, key, issuer, time, Reason.FUTURE_SIGNATURE, "dated "
                    + Duration.between(now, time).toMinutes() + " minutes in the future (now is " + nowText
                    + ", allowed clock skew " + CLOCK_SKEW.toMinutes() + " minutes)");
        }
        if (time.isBefore(key.created())) {
            return new Outcome(signature, key, issuer, time, Reason.UNUSABLE_KEY,
                    "dated before the key was created (" + key.created() + ")");
        }
        if (key.expires() != null && !time.isBefore(key.expires())) {
            return new Outcome(signature, key, issuer, time, Reason.EXPIRED_KEY,
                    "made after the key expired on " + key.expires());
        }
        if (key.expires() != null && !now.isBefore(key.expires())) {
            return new Outcome(signature, key, issuer, time, Reason.EXPIRED_KEY,
                    "good when made, but the key expired on " + key.expires() + " (now is " + nowText + ")");
        }
        long validSeconds = signature.getHashedSubPackets() == null ? 0 : signature.getHashedSubPackets().getSignatureExpirationTime();
        if (validSeconds > 0 && !now.isBefore(time.plusSeconds(validSeconds))) {
            return new Outcome(signature, key, issuer, time, Reason.EXPIRED_SIGNATURE,
                    "the signature itself expired on " + time.plusSeconds(validSeconds) + " (now is " + nowText + ")");
        }
        return new Outcome(signature, key, issuer, time, null, "good");
    }

    private VerifiedDocument decide(List<Outcome> outcomes, byte[] content, String what) {
        List<Outcome> good = outcomes.stream().filter(o -> o.problem() == null).toList();
        boolean anyBad = outcomes.stream().anyMatch(o -> o.problem() == Reason.BAD_SIGNATURE);
        if (!anyBad && !good.isEmpty()) {
            List<String> signers = good.stream().map(o -> o.key().primaryFingerprint()).distinct().sorted().toList();
            Instant signedAt = good.stream().map(Outcome::created).min(Comparator.naturalOrder()).orElseThrow();
            Instant validThrough = Instant.MAX;
            for (Outcome o : good) {
                if (o.key().expires() != null && o.key().expires().isBefore(validThrough)) {
                    validThrough = o.key().expires();
                }
                long seconds = o.signature().getHashedSubPackets() == null ? 0
                        : o.signature().getHashedSubPackets().getSignatureExpirationTime();
                if (seconds > 0 && o.created().plusSeconds(seconds).isBefore(validThrough)) {
                    validThrough = o.created().plusSeconds(seconds);
                }
            }
            return new VerifiedDocument(content, signers, signedAt, validThrough);
        }
        Reason reason = anyBad ? Reason.BAD_SIGNATURE
                : outcomes.stream().map(Outcome::problem)
                        .min(Comparator.comparingInt(SignatureVerifier::rank)).orElse(Reason.NOT_SIGNED);
        StringBuilder message = new StringBuilder(what).append(": ").append(headline(reason)).append('\n');
        for (Outcome outcome : outcomes) {
            message.append("  - ").append(outcome.describe()).append('\n');
        }
        if (reason == Reason.UNKNOWN_KEY) {
            message.append("Trusted keys: ").append(keyring.describeKeys()).append('\n');
        }
        message.append(advice(reason));
        throw new SignatureException(reason, message.toString());
    }

    /** Which problem to name when several signatures fail differently: the one the user must act on. */
    private static int rank(Reason reason) {
        return switch (reason) {
            case BAD_SIGNATURE -> 0;
            case REVOKED_KEY -> 1;
            case EXPIRED_KEY -> 2;
            case FUTURE_SIGNATURE -> 3;
            case EXPIRED_SIGNATURE -> 4;
            case WEAK_DIGEST -> 5;
            case UNUSABLE_KEY -> 6;
            case MALFORMED -> 7;
            default -> 8;
        };
    }

    private static String headline(Reason reason) {
        return switch (reason) {
            case BAD_SIGNATURE -> "expected every signature by a trusted key to match the signed content, found a BAD "
                    + "signature: the content was changed after it was signed, or damaged on the way.";
            case UNKNOWN_KEY -> "expected a signature by a trusted key, found only signatures by keys that are not trusted.";
            case REVOKED_KEY -> "expected a good signature by a trusted key, found none: the signing key has been revoked.";
            case EXPIRED_KEY -> "expected a good signature by a trusted key that is valid now, found none: the signing key "
                    + "has expired.";
            case FUTURE_SIGNATURE -> "expected a signature made before now, found one dated in the future.";
            case EXPIRED_SIGNATURE -> "expected a good signature by a trusted key, found none: the signature has expired.";
            case WEAK_DIGEST -> "expected a signature with a strong digest (SHA256 or better), found only signatures "
                    + "with a digest that apt no longer trusts because it can be forged.";
            case UNUSABLE_KEY -> "expected a good signature by a trusted key, found one by a key that is not valid for signing.";
            default -> "expected a good signature by a trusted key, found none that can be used.";
        };
    }

    private String advice(Reason reason) {
        return switch (reason) {
            case BAD_SIGNATURE -> "Do not use this file. Fetch it again; if it stays bad, the mirror is broken or "
                    + "tampered with: use another mirror.";
            case UNKNOWN_KEY -> "If this is the repository you meant, put its public key (an .asc or .gpg file) in keys/, "
                    + "or name the key file with [signed-by=FILE] on the repository line. Debian's archive keys come "
                    + "with the debian-archive-keyring package.";
            case REVOKED_KEY -> "A revoked key is never trusted again. Get the repository's current key; if the "
                    + "repository still signs with the revoked key, do not use it.";
            case EXPIRED_KEY -> "Update the key file with the repository's renewed or current key (for Debian: the "
                    + "debian-archive-keyring package). If the dates look wrong, check this machine's clock (now is "
                    + nowText + ").";
            case FUTURE_SIGNATURE -> "Check this machine's clock (now is " + nowText + "); if it is right, the file was "
                    + "signed with a wrong clock and should not be trusted yet.";
            case EXPIRED_SIGNATURE -> "Fetch fresh metadata; if the mirror keeps serving it, the mirror is stale: use "
                    + "another one.";
            case WEAK_DIGEST -> "The repository has to be re-signed with SHA256 or stronger; like apt, kiln refuses it "
                    + "until then.";
            case UNUSABLE_KEY -> "The key file may be incomplete (exported without its subkey bindings), the key not meant "
                    + "for signing, or the signature's date wrong: export the key again with all subkeys and signatures, "
                    + "or fetch the file again.";
            default -> "Fetch the file again or use another mirror.";
        };
    }

    private static String issuerFingerprint(PGPSignature signature) {
        for (PGPSignatureSubpacketVector area : new PGPSignatureSubpacketVector[] {signature.getHashedSubPackets(), signature.getUnhashedSubPackets()}) {
            if (area != null) {
                IssuerFingerprint issuer = area.getIssuerFingerprint();
                if (issuer != null && issuer.getKeyVersion() == 4) {
                    return PgpKeyFacts.hex(issuer.getFingerprint());
                }
            }
        }
        return null;
    }

    private static String unknownCriticalSubpacket(PGPSignatureSubpacketVector hashed) {
        if (hashed == null) {
            return null;
        }
        for (int tag : hashed.getCriticalTags()) {
            if (!UNDERSTOOD_CRITICAL.contains(tag)) {
                return "carries critical subpacket " + tag + ", which kiln does not understand, so it cannot be relied on";
            }
        }
        return null;
    }

    /** The armored signature blocks of a detached signature file. */
    private static List<byte[]> armoredSignatureBlocks(String text, String what) {
        List<byte[]> blocks = new ArrayList<>();
        int from = 0;
        while (true) {
            int begin = text.indexOf("-----BEGIN PGP ", from);
            if (begin < 0) {
                break;
            }
            if (!text.startsWith(ClearsignedMessage.BEGIN_SIGNATURE, begin)) {
                int lineEnd = text.indexOf('\n', begin);
                String header = text.substring(begin, lineEnd < 0 ? text.length() : lineEnd).strip();
                throw new SignatureException(Reason.MALFORMED, what + ": expected a detached signature ('"
                        + ClearsignedMessage.BEGIN_SIGNATURE + "'), found '" + ClearsignedMessage.printable(header)
                        + "'. Fetch the signature file (Release.gpg) again or use another mirror.");
            }
            int end = text.indexOf(ClearsignedMessage.END_SIGNATURE, begin);
            if (end < 0) {
                throw new SignatureException(Reason.MALFORMED, what + ": the signature block is not closed with '"
                        + ClearsignedMessage.END_SIGNATURE + "' (the file is truncated?). Fetch it again.");
            }
            int blockEnd = end + ClearsignedMessage.END_SIGNATURE.length();
            blocks.add((text.substring(begin, blockEnd) + "\n").getBytes(StandardCharsets.ISO_8859_1));
            from = blockEnd;
        }
        return blocks;
    }

    private static byte[] unarmor(byte[] block, String what) {
        try (InputStream in = new ArmoredInputStream(new ByteArrayInputStream(block))) {
            return in.readAllBytes();
        } catch (IOException | RuntimeException e) {
            throw new SignatureException(Reason.MALFORMED, what + ": expected a valid armored signature block, found a "
                    + "damaged one (" + e.getMessage() + "). Fetch the file again or use another mirror.", e);
        }
    }

    private static List<PGPSignature> signaturePackets(byte[] binary, String what) {
        List<PGPSignature> signatures = new ArrayList<>();
        PGPObjectFactory objects = new PGPObjectFactory(binary, new BcKeyFingerprintCalculator());
        try {
            Object object;
            while ((object = objects.nextObject()) != null) {
                if (object instanceof PGPSignatureList list) {
                    list.forEach(signatures::add);
                } else if (!(object instanceof PGPMarker)) {
                    throw new SignatureException(Reason.MALFORMED, what + ": expected only signature packets, found "
                            + object.getClass().getSimpleName().replace("PGP", "OpenPGP ") + ". kiln reads clearsigned "
                            + "files and detached signatures, not signed or encrypted OpenPGP messages.");
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof SignatureException refused) {
                throw refused;
            }
            throw new SignatureException(Reason.MALFORMED, what + ": expected OpenPGP signature packets, found damaged "
                    + "data (" + e.getMessage() + "). Fetch the file again or use another mirror.", e);
        }
        return signatures;
    }
}
