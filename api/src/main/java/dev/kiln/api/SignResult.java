package dev.kiln.api;

import java.util.List;
import java.util.Objects;

/**
 * What {@link Kiln#sign} attached, where: the signature of the image {@code digest} (naming
 * {@code identity}, made with the key {@code keyFingerprint}), stored as {@code signature}, and each
 * attestation. Digests are {@code sha256:...}.
 *
 * @param location the layout directory or registry repository the signature went to
 */
public record SignResult(String location, String digest, String identity, String keyFingerprint, String signature,
        List<Attestation> attestations) {
    public SignResult {
        Objects.requireNonNull(location, "location");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(identity, "identity");
        Objects.requireNonNull(keyFingerprint, "keyFingerprint");
        Objects.requireNonNull(signature, "signature");
        attestations = List.copyOf(attestations);
    }

    /**
     * An attestation ({@code digest}) of {@code predicateType} attached to {@code subject}: the
     * image, or for an SBOM of one platform of an index, that platform's manifest.
     */
    public record Attestation(String digest, String predicateType, String subject) {
    }
}
