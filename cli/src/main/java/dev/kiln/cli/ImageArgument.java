package dev.kiln.cli;

import dev.kiln.api.ImageRef;
import dev.kiln.store.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What an IMAGE argument names, guessed from the string as the commands document it: a layout
 * directory ({@code DIR}, or {@code DIR:NAME} for the image it names NAME), a docker archive
 * ({@code FILE}), or a registry reference ({@code HOST[:PORT]/REPO[:TAG][@sha256:...]}, which starts
 * with its host: a path that starts with {@code /} or {@code .} is local, and missing).
 */
final class ImageArgument {
    private ImageArgument() {
    }

    /** The image {@code kiln verify} checks. */
    static ImageRef forVerify(String image) {
        Path path = Path.of(image);
        if (Files.isDirectory(path)) {
            return ImageRef.layout(path);
        }
        if (Files.isRegularFile(path)) {
            return ImageRef.archive(path);
        }
        // LAYOUT:NAME, as skopeo's oci:LAYOUT:NAME: the image a layout names NAME
        int colon = image.lastIndexOf(':');
        if (colon > 0 && colon < image.length() - 1) {
            Path dir = Path.of(image.substring(0, colon));
            if (Files.isRegularFile(dir.resolve("oci-layout"))) {
                return ImageRef.layout(dir, image.substring(colon + 1));
            }
        }
        if (!looksLikeReference(image)) {
            throw new KilnException("no such layout directory or archive: " + image
                    + "\n  expected: an OCI layout directory, a docker archive, or a registry reference HOST/REPO[:TAG][@sha256:...]");
        }
        return ImageRef.registry(image);
    }

    /** The image {@code kiln sign} signs: a layout directory (the image {@code --ref} names in it), or a registry reference. */
    static ImageRef forSign(String image, String refName) {
        Path path = Path.of(image);
        if (Files.isDirectory(path)) {
            return refName == null ? ImageRef.layout(path) : ImageRef.layout(path, refName);
        }
        if (Files.exists(path) || !looksLikeReference(image)) {
            throw new KilnException((Files.exists(path) ? image + " is not a directory" : "no such layout directory: " + image)
                    + "\n  expected: an OCI image layout directory ('kiln build -o DIR') or a registry reference"
                    + " HOST[:PORT]/REPO[:TAG] or HOST[:PORT]/REPO@sha256:...");
        }
        ImageRef reference = ImageRef.registry(image);
        if (refName != null) {
            throw new KilnException("--ref names an image inside a layout; '" + image + "' is a registry reference"
                    + "\n  fix: name the image by tag or digest in the reference itself (HOST/REPO:TAG or HOST/REPO@sha256:...)");
        }
        return reference;
    }

    private static boolean looksLikeReference(String image) {
        return image.contains("/") && !image.startsWith("/") && !image.startsWith(".");
    }
}
