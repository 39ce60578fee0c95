package dev.kiln.api;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/**
 * An image failed a check of {@link Kiln#verify} before it could be rebuilt: it is not what its
 * pinned inputs build (its blobs are not the bytes their digests name, it holds other copies or
 * packages than its lock pins), or it lacks a good signature by the key given. Unlike an error,
 * which says kiln could not check, this is the check's answer: {@code kiln verify} exits 1.
 * {@link #code()} says which ({@link Kind}).
 */
public class CheckFailedException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** Which check the image failed. */
    public enum Kind implements ErrorCode {
        /** The image is not what its inputs build: a blob of other bytes, packages other than the lock's. */
        MISMATCH("verify.mismatch"),
        /** The image holds other copies (local files the spec copies in) than its lock pins ({@link CopyMismatchException}). */
        COPIES("verify.copies"),
        /** No good signature by the key given; the cause (the trust module's) says why, in its own code. */
        SIGNATURE("verify.signature");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public CheckFailedException(String message) {
        this(Kind.MISMATCH, message, null);
    }

    public CheckFailedException(String message, Throwable cause) {
        this(Kind.MISMATCH, message, cause);
    }

    public CheckFailedException(Kind kind, String message, Throwable cause) {
        super(kind, message, cause);
    }
}
