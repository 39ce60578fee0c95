package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a build made: the image (its top manifest, or index for several architectures), the lock
 * it was made from, its epoch, and each place it went, in the order layout, archives, registries.
 *
 * @param mediaType the top descriptor's media type (an OCI image manifest or index)
 * @param digest the top descriptor's {@code sha256:...} digest
 * @param epoch the image's time, seconds since 1970
 */
public record BuildResult(String mediaType, String digest, Path lockFile, long epoch, List<Output> outputs) {
    public BuildResult {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(lockFile, "lockFile");
        outputs = List.copyOf(outputs);
    }

    /** Where the image went. */
    public sealed interface Output permits LayoutOutput, ArchiveOutput, RegistryOutput {
    }

    /**
     * An OCI image layout, and beside it the {@code documents}: an SPDX SBOM per architecture
     * ({@code DIR.ARCH.spdx.json}) and the SLSA provenance ({@code DIR.provenance.json}).
     */
    public record LayoutOutput(Path dir, List<Path> documents) implements Output {
        public LayoutOutput {
            Objects.requireNonNull(dir, "dir");
            documents = List.copyOf(documents);
        }
    }

    /**
     * A docker archive of one platform's manifest ({@code digest}), named {@code tag}; {@code
     * platform} is empty when the image's one manifest names none.
     */
    public record ArchiveOutput(Path file, String tag, Optional<String> platform, String digest) implements Output {
        public ArchiveOutput {
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(tag, "tag");
            Objects.requireNonNull(platform, "platform");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /** A registry: {@code reference} is where the image now is, by digest ({@code HOST/REPO@sha256:...}). */
    public record RegistryOutput(String reference) implements Output {
        public RegistryOutput {
            Objects.requireNonNull(reference, "reference");
        }
    }

    /** The layout written, if one was asked for. */
    public Optional<Path> layout() {
        return outputs.stream().filter(o -> o instanceof LayoutOutput).map(o -> ((LayoutOutput) o).dir()).findFirst();
    }
}
