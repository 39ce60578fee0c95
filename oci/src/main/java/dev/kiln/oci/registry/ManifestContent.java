package dev.kiln.oci.registry;

import dev.kiln.store.Digest;
import java.util.Objects;

/**
 * A manifest or index as a registry sent it, already checked: {@code digest} is the sha256 of
 * {@code bytes}, and matched what was asked for.
 */
public record ManifestContent(String mediaType, Digest digest, byte[] bytes) {
    public ManifestContent {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    public long size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ManifestContent m && m.mediaType.equals(mediaType) && m.digest.equals(digest);
    }

    @Override
    public int hashCode() {
        return Objects.hash(mediaType, digest);
    }

    @Override
    public String toString() {
        return "ManifestContent[" + mediaType + " " + digest + ", " + bytes.length + " bytes]";
    }
}
