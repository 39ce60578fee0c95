package dev.kiln.oci;

import dev.kiln.store.Digest;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An OCI 1.1 artifact: an image manifest whose {@code artifactType} says what it carries, whose
 * layers are the artifact's blobs, and whose {@code subject} names the manifest it refers to (a
 * signature, an attestation). Registries list it under the subject's referrers.
 */
public record ArtifactManifest(String artifactType, Descriptor config, List<Descriptor> layers, Descriptor subject,
        Map<String, String> annotations) {
    /** The descriptor of {@link OciJson#EMPTY_OBJECT}, the config of an artifact that has none. */
    public static final Descriptor EMPTY_CONFIG =
            Descriptor.of(MediaTypes.EMPTY, Digest.of(OciJson.EMPTY_OBJECT), OciJson.EMPTY_OBJECT.length);

    public ArtifactManifest {
        Objects.requireNonNull(artifactType, "artifactType");
        Objects.requireNonNull(config, "config");
        layers = List.copyOf(layers);
        if (layers.isEmpty()) {
            throw new IllegalArgumentException("an artifact manifest needs at least one layer");
        }
        // the subject names a manifest by media type, digest and size only
        subject = Descriptor.of(subject.mediaType(), subject.digest(), subject.size());
        annotations = Descriptor.sortedCopy(annotations);
    }

    /** An artifact with the empty config, as image-spec 1.1 recommends when there is no config. */
    public static ArtifactManifest of(String artifactType, List<Descriptor> layers, Descriptor subject) {
        return new ArtifactManifest(artifactType, EMPTY_CONFIG, layers, subject, Map.of());
    }

    /**
     * Checks that {@code contents} are this artifact's layers, in order, by digest and size, and
     * that its config is the empty one (the only config whose bytes a writer has without being given
     * them); throws {@link IllegalArgumentException} when not.
     */
    public void checkContents(List<byte[]> contents) {
        if (contents.size() != layers.size()) {
            throw new IllegalArgumentException("expected " + layers.size() + " layer contents, found " + contents.size());
        }
        for (int i = 0; i < contents.size(); i++) {
            Descriptor d = layers.get(i);
            if (contents.get(i).length != d.size() || !Digest.of(contents.get(i)).equals(d.digest())) {
                throw new IllegalArgumentException("layer " + i + " does not match its descriptor " + d.digest());
            }
        }
        if (!config.equals(EMPTY_CONFIG)) {
            throw new IllegalArgumentException("only artifacts with the empty config are attached, found config " + config.digest());
        }
    }
}
