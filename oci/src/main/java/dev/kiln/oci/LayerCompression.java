package dev.kiln.oci;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.zstandard.ZstdCompressorInputStream;

/** How a layer blob's tar is compressed, as its media type says. */
public enum LayerCompression {
    GZIP, ZSTD, NONE;

    /** The compression a layer media type names; empty when it is not a tar layer. */
    public static Optional<LayerCompression> ofMediaType(String mediaType) {
        if (!mediaType.contains(".tar") && !mediaType.contains("rootfs.diff")) {
            return Optional.empty();
        }
        if (mediaType.endsWith("gzip")) {
            return Optional.of(GZIP);
        }
        if (mediaType.endsWith("zstd")) {
            return Optional.of(ZSTD);
        }
        return mediaType.endsWith("tar") ? Optional.of(NONE) : Optional.empty();
    }

    /** The tar that {@code raw} holds compressed this way. */
    public InputStream decompress(InputStream raw) throws IOException {
        return switch (this) {
            case GZIP -> GzipCompressorInputStream.builder().setInputStream(raw).get();
            case ZSTD -> new ZstdCompressorInputStream(raw);
            case NONE -> raw;
        };
    }
}
