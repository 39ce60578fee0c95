package dev.kiln.assembler.oci;

/** The OCI image-spec v1.1 media types kiln writes. */
public final class MediaTypes {
    public static final String MANIFEST = "application/vnd.oci.image.manifest.v1+json";
    public static final String INDEX = "application/vnd.oci.image.index.v1+json";
    public static final String CONFIG = "application/vnd.oci.image.config.v1+json";
    public static final String LAYER_TAR_GZIP = "application/vnd.oci.image.layer.v1.tar+gzip";
    /** The config of an artifact manifest that has none: the two bytes {@code {}}. */
    public static final String EMPTY = "application/vnd.oci.empty.v1+json";

    private MediaTypes() {}
}
