package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a build made: the image (its top manifest, or index for several architectures), the lock
 * it was made from, its epoch, each place it went, in the order layout, archives, registries, and
 * each platform's manifest.
 *
 * @param mediaType the top descriptor's media type (an OCI image manifest or index)
 * @param digest the top descriptor's {@code sha256:...} digest
 * @param epoch the image's time, seconds since 1970
 * @param manifests each platform's image manifest, in the spec's order of architectures (one, the
 *     top itself, for a single architecture)
 */
public record BuildResult(String mediaType, String digest, Path lockFile, long epoch, List<Output> outputs,
        List<PlatformManifest> manifests) {
    public BuildResult {
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(lockFile, "lockFile");
        outputs = List.copyOf(outputs);
        manifests = List.copyOf(manifests);
    }

    /** A result without its platforms' manifests, as the first version of this record was made. */
    public BuildResult(String mediaType, String digest, Path lockFile, long epoch, List<Output> outputs) {
        this(mediaType, digest, lockFile, epoch, outputs, List.of());
    }

    /** One platform's image manifest: {@code platform} as OCI names it ({@code linux/amd64}), its {@code sha256:...} digest. */
    public record PlatformManifest(String platform, String digest) {
        public PlatformManifest {
            Objects.requireNonNull(platform, "platform");
            Objects.requireNonNull(digest, "digest");
        }
    }

    /** Where the image went. */
    public sealed interface Output permits LayoutOutput, ArchiveOutput, RegistryOutput {
    }

    /**
     * An OCI image layout, and beside it the {@code documents}: an SPDX SBOM per architecture
     * ({@code DIR.ARCH.spdx.json}) and the SLSA provenance ({@code DIR.provenance.json}).
     */
    public record LayoutOutput(Path dir, List<Path> documents) implements Output {
        private static final String SBOM = ".spdx.json";
        private static final String PROVENANCE = ".provenance.json";

        public LayoutOutput {
            Objects.requireNonNull(dir, "dir");
            documents = List.copyOf(documents);
        }

        /** The SPDX SBOMs among the documents, one per architecture ({@code DIR.ARCH.spdx.json}). */
        public List<Path> sboms() {
            return documents.stream().filter(d -> d.getFileName().toString().endsWith(SBOM)).toList();
        }

        /** The SLSA provenance among the documents ({@code DIR.provenance.json}). */
        public Optional<Path> provenance() {
            return documents.stream().filter(d -> d.getFileName().toString().endsWith(PROVENANCE)).findFirst();
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
