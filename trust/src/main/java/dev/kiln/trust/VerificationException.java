package dev.kiln.trust;


/**
 * An image has no valid signature (or attestation) for the keys given. {@link #problem()} says
 * why, for callers that act on it (a {@code verify} command exits 1, a check that failed).
 */
public final class VerificationException extends TrustException {
    private static final long serialVersionUID = 1L;

    /** Why nothing verified, most serious last: when several artifacts fail, the most serious counts. */
    public enum Problem {
        /** No signature artifact refers to the image. */
        NO_SIGNATURE,
        /** Signed, but by another key than the ones given (or changed so that no key matches). */
        WRONG_KEY,
        /** A valid signature whose payload names another image: moved from another image. */
        OTHER_DIGEST,
        /** Changed after signing: the signature does not verify with the key that made it, or is malformed. */
        CORRUPTED
    }

    private final Problem problem;

    public VerificationException(Problem problem, String message) {
        super(message);
        this.problem = problem;
    }

    public Problem problem() {
        return problem;
    }
}
