package dev.kiln.oci;

/** The OCI image-spec v1.1 media types kiln writes, and Docker's that it reads. */
public final class MediaTypes {
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** The config of an artifact manifest that has none: the two bytes {@code {}}. */
    public static final String EMPTY = "application/vnd.oci.empty.v1+json";
    public static final String DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json";
    public static final String DOCKER_MANIFEST_LIST = "application/vnd.docker.distribution.manifest.list.v2+json";

    private MediaTypes() {}

    /** An image index or a Docker manifest list: a document that names manifests. */
    public static boolean isIndex(String mediaType) {
        return INDEX.equals(mediaType) || DOCKER_MANIFEST_LIST.equals(mediaType);
    }

    /** An image manifest, OCI or Docker schema 2: a document that names a config and layers. */
    public static boolean isManifest(String mediaType) {
        return MANIFEST.equals(mediaType) || DOCKER_MANIFEST.equals(mediaType);
    }
}
