package dev.kiln.oci.registry;

import dev.kiln.oci.Descriptor;

/**
 * What a push put where: {@code reference} carries the digest of {@code top} (the manifest or index
 * pushed), so it names exactly these bytes.
 */
public record Pushed(ImageReference reference, Descriptor top) {
    /** {@code HOST/REPO@sha256:...}: pull this to get these bytes and no others. */
    public String pinned() {
        return reference.name() + "@" + top.digest();
    }
}
