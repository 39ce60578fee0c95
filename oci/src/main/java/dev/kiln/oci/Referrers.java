package dev.kiln.oci;

import dev.kiln.oci.registry.RegistryReferrers;
import dev.kiln.store.Digest;
import java.util.List;

/**
 * Where an image's referrers live and are attached: an OCI image layout ({@link LayoutReferrers})
 * or a registry repository ({@link RegistryReferrers}). Signing and
 * verifying speak only this interface, so a new target needs nothing else.
 */
public interface Referrers {
    /** A manifest whose {@code subject} is the image asked about, and what it carries. */
    record Referrer(Descriptor manifest, String artifactType) {}

    /** Names the target in messages: a layout's path, a registry repository. */
    String location();

    /** How a user names the image {@code subject} here, for advice in messages ({@code kiln sign NAME}). */
    default String imageName(Digest subject) {
        return location();
    }

    /** Every artifact manifest whose subject has {@code subject} as digest. */
    List<Referrer> referrers(Digest subject);

    /** The bytes of the manifest {@code manifest}, checked against its digest and size. */
    byte[] manifest(Descriptor manifest);

    /** The bytes of the blob {@code blob}, checked against its digest and size. */
    byte[] blob(Descriptor blob);

    /**
     * Stores the artifact's config and layers ({@code layers}, in the manifest's order) and its
     * manifest, and makes it a referrer of its subject. Attaching the same artifact again changes
     * nothing. Returns the manifest's descriptor.
     */
    Descriptor attach(ArtifactManifest artifact, List<byte[]> layers);
}
