package dev.kiln.oci;

import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * An OCI image configuration (the config blob): platform, runtime config, the layers' diff ids and
 * optional history. Its only time is {@code created}, which is absent or the image epoch; kiln
 * never reads a clock.
 *
 * @param diffIds the sha256 of each layer's uncompressed tar, base layer first
 */
public record ImageConfigFile(Platform platform, Optional<Instant> created, ImageConfig config, List<Digest> diffIds,
        List<History> history) {
    public ImageConfigFile {
        Objects.requireNonNull(platform, "platform");
        Objects.requireNonNull(created, "created");
        Objects.requireNonNull(config, "config");
        diffIds = List.copyOf(diffIds);
        history = List.copyOf(history);
    }

    /** One step of how the image was made; {@code emptyLayer} marks a step that added no layer. */
    public record History(Optional<Instant> created, Optional<String> createdBy, Optional<String> comment,
            boolean emptyLayer) {
        public History {
            Objects.requireNonNull(created, "created");
            Objects.requireNonNull(createdBy, "createdBy");
            Objects.requireNonNull(comment, "comment");
        }
    }

    public ImageConfigFile withConfig(ImageConfig config) {
        return new ImageConfigFile(platform, created, config, diffIds, history);
    }

    public ImageConfigFile withDiffIds(List<Digest> diffIds) {
        return new ImageConfigFile(platform, created, config, diffIds, history);
    }
}
