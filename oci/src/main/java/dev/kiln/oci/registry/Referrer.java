package dev.kiln.oci.registry;

import dev.kiln.store.Digest;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * A manifest whose {@code subject} names another (a signature, an SBOM, an attestation), as the
 * referrers API lists it.
 *
 * @param artifactType the manifest's {@code artifactType}, else its config's media type
 */
public record Referrer(String mediaType, Digest digest, long size, Optional<String> artifactType, Map<String, String> annotations) {
    public Referrer {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(artifactType, "artifactType");
        annotations = Map.copyOf(annotations);
    }
}
