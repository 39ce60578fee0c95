package dev.kiln.api;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What to sign: an image in a layout or a registry, with a private key (PKCS#8 PEM, as
 * {@code kiln keys generate} writes it), and what to attach besides the signature: in-toto
 * statements and SPDX SBOMs about the image, each as a signed attestation. Immutable.
 */
public final class SignRequest {
    private final ImageRef image;
    private final Path key;
    private final char[] password;
    private final String identity;
    private final List<Path> statements;
    private final List<Path> sboms;

    private SignRequest(ImageRef image, Path key, char[] password, String identity, List<Path> statements, List<Path> sboms) {
        this.image = Objects.requireNonNull(image, "image");
        this.key = key;
        this.password = password;
        this.identity = identity;
        this.statements = List.copyOf(statements);
        this.sboms = List.copyOf(sboms);
    }

    /** Signs {@code image}; a key is required ({@link #withKey}). */
    public static SignRequest of(ImageRef image) {
        return new SignRequest(image, null, null, null, List.of(), List.of());
    }

    /** This request, signing with the unencrypted private key in {@code file}. */
    public SignRequest withKey(Path file) {
        return new SignRequest(image, Objects.requireNonNull(file, "file"), null, identity, statements, sboms);
    }

    /** This request, signing with the private key in {@code file}, encrypted with {@code password}. */
    public SignRequest withKey(Path file, char[] password) {
        return new SignRequest(image, Objects.requireNonNull(file, "file"), password.clone(), identity, statements, sboms);
    }

    /**
     * This request, the signature naming {@code repository} (e.g. {@code registry.example/team/base}),
     * instead of {@code HOST/REPO} of a registry image or the layout directory's name.
     */
    public SignRequest withIdentity(String repository) {
        return new SignRequest(image, key, password, Objects.requireNonNull(repository, "repository"), statements, sboms);
    }

    /** This request, also attaching the in-toto Statement in {@code file} (it must name the image's digest). */
    public SignRequest withAttestation(Path file) {
        List<Path> more = new ArrayList<>(statements);
        more.add(Objects.requireNonNull(file, "file"));
        return new SignRequest(image, key, password, identity, more, sboms);
    }

    /**
     * This request, also attaching the SPDX JSON SBOM in {@code file} as a signed attestation
     * (predicate type {@code https://spdx.dev/Document}), to the image or the platform manifest it describes.
     */
    public SignRequest withSbom(Path file) {
        List<Path> more = new ArrayList<>(sboms);
        more.add(Objects.requireNonNull(file, "file"));
        return new SignRequest(image, key, password, identity, statements, more);
    }

    public ImageRef image() {
        return image;
    }

    public Optional<Path> key() {
        return Optional.ofNullable(key);
    }

    /** The key's password, a copy; empty for an unencrypted key. */
    Optional<char[]> password() {
        return password == null ? Optional.empty() : Optional.of(Arrays.copyOf(password, password.length));
    }

    /** The identity given; empty for the default. */
    public Optional<String> identity() {
        return Optional.ofNullable(identity);
    }

    public List<Path> attestations() {
        return statements;
    }

    public List<Path> sboms() {
        return sboms;
    }

    @Override
    public String toString() {
        return "SignRequest[" + image.describe() + ", key " + key + (password != null ? " (password given)" : "") + "]";
    }
}
