package dev.kiln.oci;

import dev.kiln.store.Digest;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;

/**
 * An OCI content descriptor: what a blob is, its digest and size, and (in an index) the platform
 * of the image it names.
 *
 * @param annotations sorted by key
 */
public record Descriptor(String mediaType, Digest digest, long size, Map<String, String> annotations,
        Optional<Platform> platform) {
    public Descriptor {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        if (size < 0) {
            throw new IllegalArgumentException("a negative blob size: " + size);
        }
        annotations = sortedCopy(annotations);
        Objects.requireNonNull(platform, "platform");
    }

    public static Descriptor of(String mediaType, Digest digest, long size) {
        return new Descriptor(mediaType, digest, size, Map.of(), Optional.empty());
    }

    /** The descriptor of a gzip-compressed layer in a manifest. */
    public static Descriptor layer(LayerDigests layer) {
        return of(MediaTypes.LAYER_TAR_GZIP, layer.compressed(), layer.compressedSize());
    }

    public Descriptor withAnnotations(Map<String, String> annotations) {
        return new Descriptor(mediaType, digest, size, annotations, platform);
    }

    public Descriptor withPlatform(Platform platform) {
        return new Descriptor(mediaType, digest, size, annotations, Optional.of(platform));
    }

    static Map<String, String> sortedCopy(Map<String, String> map) {
        TreeMap<String, String> sorted = new TreeMap<>(OciJson.KEY_ORDER);
        map.forEach((k, v) -> sorted.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        return Collections.unmodifiableSortedMap(sorted);
    }
}
