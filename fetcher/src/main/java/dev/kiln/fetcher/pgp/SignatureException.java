package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.FetchException;
import java.util.Objects;

/**
 * Signed repository metadata was refused: it is not signed, not signed by a trusted key, or the
 * signature does not hold. The message says what was expected, what was found and what to do;
 * {@link #reason()} tells callers (and tests) which case it was without parsing the message.
 */
public final class SignatureException extends FetchException {
    private static final long serialVersionUID = 1L;

    /** Why a document was refused. When several signatures fail differently, the most telling one. */
    public enum Reason {
        /** No signature at all, or not a clearsigned file. */
        NOT_SIGNED,
        /** The clearsigned or armored framing is broken, or a signature is not a usable document signature. */
        MALFORMED,
        /** Text before or after the signed block of a clearsigned file (apt refuses these too). */
        UNSIGNED_TEXT,
        /** Only signatures by keys that are not in the keyring. */
        UNKNOWN_KEY,
        /** A signature by a trusted key does not match the content: altered or damaged. */
        BAD_SIGNATURE,
        /** The signing key (or its primary key) expired, before the signature was made or since. */
        EXPIRED_KEY,
        /** The signing key (or its primary key) carries a revocation signature. */
        REVOKED_KEY,
        /** The signature is dated in the future beyond the allowed clock skew. */
        FUTURE_SIGNATURE,
        /** The signature carries its own expiry time, and that has passed. */
        EXPIRED_SIGNATURE,
        /** The signature uses a digest apt does not trust (MD5, SHA1, RIPEMD160). */
        WEAK_DIGEST,
        /** The key is in the keyring but not valid for making signatures (flags, binding, creation time). */
        UNUSABLE_KEY
    }

    private final Reason reason;

    public SignatureException(Reason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public SignatureException(Reason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
