package dev.kiln.fetcher.pgp;

import dev.kiln.fetcher.FetchException;
import dev.kiln.store.ErrorCode;
import java.util.Objects;

/**
 * Signed repository metadata was refused: it is not signed, not signed by a trusted key, or the
 * signature does not hold. The message says what was expected, what was found and what to do;
 * {@link #reason()} tells callers (and tests) which case it was without parsing the message, and
 * {@link #code()} names it for exception trackers ({@code fetch.signature.unknown-key}).
 */
public final class SignatureException extends FetchException {
    private static final long serialVersionUID = 1L;

    /** Why a document was refused. When several signatures fail differently, the most telling one. */
    public enum Reason implements ErrorCode {
        /** No signature at all, or not a clearsigned file. */
        NOT_SIGNED("fetch.signature.not-signed"),
        /** The clearsigned or armored framing is broken, or a signature is not a usable document signature. */
        MALFORMED("fetch.signature.malformed"),
        /** Text before or after the signed block of a clearsigned file (apt refuses these too). */
        UNSIGNED_TEXT("fetch.signature.unsigned-text"),
        /** Only signatures by keys that are not in the keyring. */
        UNKNOWN_KEY("fetch.signature.unknown-key"),
        /** A signature by a trusted key does not match the content: altered or damaged. */
        BAD_SIGNATURE("fetch.signature.bad-signature"),
        /** The signing key (or its primary key) expired, before the signature was made or since. */
        EXPIRED_KEY("fetch.signature.expired-key"),
        /** The signing key (or its primary key) carries a revocation signature. */
        REVOKED_KEY("fetch.signature.revoked-key"),
        /** The signature is dated in the future beyond the allowed clock skew. */
        FUTURE_SIGNATURE("fetch.signature.future-signature"),
        /** The signature carries its own expiry time, and that has passed. */
        EXPIRED_SIGNATURE("fetch.signature.expired-signature"),
        /** The signature uses a digest apt does not trust (MD5, SHA1, RIPEMD160). */
        WEAK_DIGEST("fetch.signature.weak-digest"),
        /** The key is in the keyring but not valid for making signatures (flags, binding, creation time). */
        UNUSABLE_KEY("fetch.signature.unusable-key");

        private final String code;

        Reason(String code) {
            this.code = code;
        }

        /** {@code fetch.signature.} and the reason, e.g. {@code fetch.signature.unknown-key}. */
        @Override
        public String code() {
            return code;
        }
    }

    private final Reason reason;

    public SignatureException(Reason reason, String message) {
        super(reason, message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public SignatureException(Reason reason, String message, Throwable cause) {
        super(reason, message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public Reason reason() {
        return reason;
    }
}
