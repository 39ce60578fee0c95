package dev.kiln.api;

import dev.kiln.oci.registry.ImageReference;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * An image to sign or verify, by where it is: an OCI image layout directory (the image it names
 * {@code latest}, or the only one), a docker archive, or a registry reference. The CLI guesses which
 * from a string; the API is told.
 */
public sealed interface ImageRef permits ImageRef.Layout, ImageRef.Archive, ImageRef.Registry {
    /** The only image of the layout at {@code dir} (what {@code kiln build -o DIR} wrote). */
    static Layout layout(Path dir) {
        return new Layout(dir, Optional.empty());
    }

    /** The image the layout at {@code dir} names {@code name} (skopeo's {@code oci:DIR:NAME}). */
    static Layout layout(Path dir, String name) {
        return new Layout(dir, Optional.of(name));
    }

    /** The image in a docker archive ({@code kiln build} to an archive, or {@code docker save} since Docker 25). */
    static Archive archive(Path file) {
        return new Archive(file);
    }

    /**
     * The image at {@code HOST[:PORT]/REPO[:TAG]} or {@code HOST[:PORT]/REPO@sha256:...}.
     *
     * @throws dev.kiln.store.KilnException when it is not a reference
     */
    static Registry registry(String reference) {
        return new Registry(reference);
    }

    /** How messages name the image. */
    String describe();

    /** An image in an OCI image layout directory. */
    record Layout(Path dir, Optional<String> name) implements ImageRef {
        public Layout {
            Objects.requireNonNull(dir, "dir");
            Objects.requireNonNull(name, "name");
        }

        @Override
        public String describe() {
            return name.map(n -> dir + ":" + n).orElse(dir.toString());
        }
    }

    /** An image in a docker archive. */
    record Archive(Path file) implements ImageRef {
        public Archive {
            Objects.requireNonNull(file, "file");
        }

        @Override
        public String describe() {
            return file.toString();
        }
    }

    /** An image in a registry, the reference checked when made. */
    record Registry(String reference) implements ImageRef {
        public Registry {
            ImageReference.parse(Objects.requireNonNull(reference, "reference"));
        }

        @Override
        public String describe() {
            return reference;
        }
    }
}
