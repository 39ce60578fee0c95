package dev.kiln.fetcher.pgp;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * A document whose signature checked out.
 *
 * @param content the signed bytes, exactly as the signature covers them. For a clearsigned file:
 *     dash-escaping undone, trailing spaces and tabs removed from each line (they are not covered
 *     by the signature), lines separated by {@code \n}, and no newline after the last line (that
 *     newline belongs to the signature armor). For a detached signature: the content as given.
 * @param signerFingerprints primary-key fingerprints (40 uppercase hex digits, sorted, no duplicates)
 *     of every good signature by a trusted key
 * @param signedAt creation time of the earliest good signature
 * @param validThrough when the first key (or signature) behind a good signature expires, or
 *     {@link Instant#MAX}: until then the verdict holds for the same bytes and keys, so it can be
 *     remembered instead of recomputed
 */
public record VerifiedDocument(byte[] content, List<String> signerFingerprints, Instant signedAt, Instant validThrough) {
    public VerifiedDocument {
        content = Objects.requireNonNull(content, "content").clone();
        signerFingerprints = List.copyOf(signerFingerprints);
        Objects.requireNonNull(signedAt, "signedAt");
        Objects.requireNonNull(validThrough, "validThrough");
        if (signerFingerprints.isEmpty()) {
            throw new IllegalArgumentException("a verified document has at least one signer");
        }
    }

    /** A copy of the signed bytes; the record itself stays immutable. */
    @Override
    public byte[] content() {
        return content.clone();
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof VerifiedDocument that
                && Arrays.equals(content, that.content)
                && signerFingerprints.equals(that.signerFingerprints)
                && signedAt.equals(that.signedAt)
                && validThrough.equals(that.validThrough);
    }

    @Override
    public int hashCode() {
        return Objects.hash(Arrays.hashCode(content), signerFingerprints, signedAt, validThrough);
    }

    @Override
    public String toString() {
        return "VerifiedDocument[" + content.length + " bytes, signers=" + signerFingerprints + ", signedAt=" + signedAt + "]";
    }
}
