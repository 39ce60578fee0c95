package dev.kiln.api;

import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What {@link Kiln#verify} found: the image ({@code image} as the request named it, {@code digest}
 * its top manifest or index), its rebuild ({@code rebuilt}), where the two part (nothing when
 * identical), and where the image's dpkg records and the lock disagree. With a public key, the
 * signature that key made and the attestations it signed; {@code unverifiedAttestations} says, for
 * each image with attestations of which none verifies with the key, why not. Digests are {@code sha256:...}.
 *
 * @param report the differences as a person reads them, one per line; empty when identical
 */
public record VerifyResult(String image, String digest, String rebuilt, List<ImageDifference> differences, String report,
        List<PackageMismatch> packages, Optional<Signature> signature, List<Attestation> attestations,
        List<String> unverifiedAttestations) {
    public VerifyResult {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(rebuilt, "rebuilt");
        differences = List.copyOf(differences);
        Objects.requireNonNull(report, "report");
        packages = List.copyOf(packages);
        Objects.requireNonNull(signature, "signature");
        attestations = List.copyOf(attestations);
        unverifiedAttestations = List.copyOf(unverifiedAttestations);
    }

    /** Whether the rebuild is the image, blob for blob. */
    public boolean identical() {
        return differences.isEmpty();
    }

    /** The rebuild is identical and the image holds exactly the packages the lock pins. */
    public boolean verified() {
        return identical() && packages.isEmpty();
    }

    /**
     * A package where the image's dpkg records and the lock disagree, on {@code platform}
     * (e.g. {@code linux/amd64}); {@code description} says it in a line, naming the platform when
     * the image has several.
     */
    public record PackageMismatch(String platform, String name, String description) {
    }

    /** A good signature by the key {@code keyFingerprint}, naming {@code identity}, stored as {@code digest}. */
    public record Signature(String keyFingerprint, String identity, String digest) {
    }

    /** A good attestation ({@code digest}) of {@code predicateType} about {@code subject}, by the key {@code keyFingerprint}. */
    public record Attestation(String predicateType, String subject, String keyFingerprint, String digest) {
    }
}
