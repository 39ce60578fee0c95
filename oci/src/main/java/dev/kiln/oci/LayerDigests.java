package dev.kiln.oci;

import dev.kiln.store.Digest;
import java.util.Objects;

/**
 * What OCI needs to know of a layer, computed while it is written: the compressed blob's digest
 * and size (the manifest's layer descriptor) and the uncompressed tar's digest (the config's
 * {@code diff_id}) and size.
 */
public record LayerDigests(Digest compressed, long compressedSize, Digest uncompressed, long uncompressedSize) {
    public LayerDigests {
        Objects.requireNonNull(compressed, "compressed");
        Objects.requireNonNull(uncompressed, "uncompressed");
    }
}
