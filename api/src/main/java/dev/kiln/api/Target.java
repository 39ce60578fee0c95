package dev.kiln.api;

import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.RegistryException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where a build puts its image: an OCI image layout directory, a registry, or a docker/podman load
 * archive. A {@link BuildRequest} takes any of them; the image is built once.
 */
public sealed interface Target permits Target.Layout, Target.Registry, Target.Archive {
    /** An OCI image layout at {@code dir} (replaced if it is one already), with the SBOMs and provenance beside it. */
    static Layout layout(Path dir) {
        return new Layout(dir);
    }

    /**
     * The registry reference {@code HOST[:PORT]/REPO[:TAG]}: blobs the registry lacks, each
     * platform's manifest by digest, then the image by tag.
     *
     * @throws dev.kiln.store.KilnException when it is not a reference
     */
    static Registry registry(String reference) {
        return new Registry(reference);
    }

    /**
     * A {@code docker load} / {@code podman load} archive at {@code file} naming the image
     * {@code tag} ({@code HOST/REPO[:TAG]}, tag {@code latest} if none). An archive holds one
     * platform: an image of several needs {@link Archive#withArchitecture} (or a host architecture).
     *
     * @throws dev.kiln.store.KilnException when {@code tag} is not a reference by tag
     */
    static Archive archive(Path file, String tag) {
        return new Archive(file, tag, null, null);
    }

    /** An OCI image layout directory. */
    record Layout(Path dir) implements Target {
        public Layout {
            Objects.requireNonNull(dir, "dir");
        }
    }

    /** A registry reference, checked when made. */
    record Registry(String reference) implements Target {
        public Registry {
            ImageReference.parse(Objects.requireNonNull(reference, "reference"));
        }
    }

    /** A load archive of one platform. */
    final class Archive implements Target {
        private final Path file;
        private final String tag;
        private final String architecture;
        private final String hostArchitecture;

        private Archive(Path file, String tag, String architecture, String hostArchitecture) {
            this.file = Objects.requireNonNull(file, "file");
            ImageReference ref = ImageReference.parse(Objects.requireNonNull(tag, "tag"));
            if (ref.digest().isPresent()) {
                throw new RegistryException("a docker archive names its image by tag, found the digest in '" + tag
                        + "'\n  fix: give HOST/REPO:TAG");
            }
            this.tag = ref.name() + ":" + ref.tagOrDefault().orElseThrow();
            this.architecture = architecture;
            this.hostArchitecture = hostArchitecture;
        }

        public Path file() {
            return file;
        }

        /** The image's name in the archive, {@code HOST/REPO:TAG}. */
        public String tag() {
            return tag;
        }

        /** The platform to write (a Debian or OCI architecture name), when one is named. */
        public Optional<String> architecture() {
            return Optional.ofNullable(architecture);
        }

        /** The architecture to take when the image has several and none is named: the host's, which kiln does not read itself. */
        public Optional<String> hostArchitecture() {
            return Optional.ofNullable(hostArchitecture);
        }

        /** This archive of the platform {@code arch} (Debian's or OCI's name: {@code arm64}, {@code aarch64}, {@code armhf}). */
        public Archive withArchitecture(String arch) {
            return new Archive(file, tag, Objects.requireNonNull(arch, "arch"), hostArchitecture);
        }

        /** This archive, taking {@code arch} (OCI's name) when the image has several platforms and none is named. */
        public Archive withHostArchitecture(String arch) {
            return new Archive(file, tag, architecture, Objects.requireNonNull(arch, "arch"));
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Archive a && a.file.equals(file) && a.tag.equals(tag) && Objects.equals(a.architecture, architecture)
                    && Objects.equals(a.hostArchitecture, hostArchitecture);
        }

        @Override
        public int hashCode() {
            return Objects.hash(file, tag, architecture, hostArchitecture);
        }

        @Override
        public String toString() {
            return "Archive[" + file + ", " + tag + (architecture != null ? ", " + architecture : "") + "]";
        }
    }
}
