package dev.kiln.trust;

import dev.kiln.store.ErrorCode;
import java.util.Locale;
import java.util.Objects;

/**
 * An image has no valid signature (or attestation) for the keys given. {@link #problem()} says
 * why, for callers that act on it (a {@code verify} command exits 1, a check that failed); the
 * {@link #code()} names both, e.g. {@code trust.signature.wrong-key} or {@code trust.attestation.missing}.
 */
public final class VerificationException extends TrustException {
    private static final long serialVersionUID = 1L;

    /** What was looked for. */
    public enum Artifact {
        SIGNATURE,
        ATTESTATION;

        /** {@code signature} or {@code attestation}, as the code and messages say it. */
        public String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Why nothing verified, most serious last: when several artifacts fail, the most serious counts. */
    public enum Problem {
        /** No signature artifact refers to the image. */
        NO_SIGNATURE("missing"),
        /** Signed, but by another key than the ones given (or changed so that no key matches). */
        WRONG_KEY("wrong-key"),
        /** A valid signature whose payload names another image: moved from another image. */
        OTHER_DIGEST("other-image"),
        /** Changed after signing: the signature does not verify with the key that made it, or is malformed. */
        CORRUPTED("corrupted");

        private final String code;

        Problem(String code) {
            this.code = code;
        }

        /** The last part of the code: {@code missing}, {@code wrong-key}, {@code other-image}, {@code corrupted}. */
        public String code() {
            return code;
        }
    }

    private final Artifact artifact;
    private final Problem problem;

    public VerificationException(Artifact artifact, Problem problem, String message) {
        super(code(artifact, problem), message);
        this.artifact = artifact;
        this.problem = problem;
    }

    private static ErrorCode code(Artifact artifact, Problem problem) {
        String code = "trust." + Objects.requireNonNull(artifact, "artifact").word() + "."
                + Objects.requireNonNull(problem, "problem").code();
        return () -> code;
    }

    public Artifact artifact() {
        return artifact;
    }

    public Problem problem() {
        return problem;
    }
}
