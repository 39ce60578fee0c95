package dev.kiln.api;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * What to verify: an image, rebuilt from its inputs (the spec and lock it carries, or those given)
 * and compared with the rebuild blob by blob; optionally, a public key whose signature it must
 * carry. Immutable.
 */
public final class VerifyRequest {
    private final ImageRef image;
    private final Path spec;
    private final Path lock;
    private final Path publicKey;
    private final boolean freshStore;

    private VerifyRequest(ImageRef image, Path spec, Path lock, Path publicKey, boolean freshStore) {
        this.image = Objects.requireNonNull(image, "image");
        this.spec = spec;
        this.lock = lock;
        this.publicKey = publicKey;
        this.freshStore = freshStore;
    }

    /** Verifies {@code image} against its own spec and lock, rebuilding with the {@link Kiln}'s store. */
    public static VerifyRequest of(ImageRef image) {
        return new VerifyRequest(image, null, null, null, false);
    }

    /** This request, verifying against {@code specFile} and {@code lockFile} instead of the image's own. */
    public VerifyRequest withInputs(Path specFile, Path lockFile) {
        return new VerifyRequest(image, Objects.requireNonNull(specFile, "specFile"), Objects.requireNonNull(lockFile, "lockFile"),
                publicKey, freshStore);
    }

    /**
     * This request, also requiring a signature by the ECDSA public key in {@code pemFile} (as
     * {@code kiln sign} makes); the attestations it signed are reported.
     */
    public VerifyRequest withPublicKey(Path pemFile) {
        return new VerifyRequest(image, spec, lock, Objects.requireNonNull(pemFile, "pemFile"), freshStore);
    }

    /**
     * This request, rebuilding in a fresh temporary store when {@code fresh} (so the rebuild trusts
     * nothing already there, every package fetched by its pinned sha256), else in the Kiln's store.
     */
    public VerifyRequest withFreshStore(boolean fresh) {
        return new VerifyRequest(image, spec, lock, publicKey, fresh);
    }

    public ImageRef image() {
        return image;
    }

    /** The spec given; empty for the image's own. */
    public Optional<Path> spec() {
        return Optional.ofNullable(spec);
    }

    /** The lock given; empty for the image's own. */
    public Optional<Path> lock() {
        return Optional.ofNullable(lock);
    }

    public Optional<Path> publicKey() {
        return Optional.ofNullable(publicKey);
    }

    public boolean freshStore() {
        return freshStore;
    }

    @Override
    public String toString() {
        return "VerifyRequest[" + image.describe() + (spec != null ? ", " + spec + ", " + lock : "")
                + (publicKey != null ? ", key " + publicKey : "") + (freshStore ? ", fresh store" : "") + "]";
    }
}
