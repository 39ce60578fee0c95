package dev.kiln.assembler.sign;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.oci.Descriptor;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * {@code kiln sign LAYOUT}: signs the image an OCI image layout names and attaches in-toto
 * attestations to it. Every statement is read and checked before anything is attached, so a bad
 * statement leaves the layout as it was.
 */
public final class LayoutSigning {
    /** What was attached to which image. */
    public record Result(Descriptor image, Signatures.Signed signature, List<Attestations.Attested> attestations) {}

    private LayoutSigning() {}

    /**
     * @param ref the image's reference name in {@code index.json}; empty: the only one
     * @param identity the repository named in the signature; empty: {@link #defaultIdentity}
     * @param statements files holding in-toto Statements about the image, signed as DSSE attestations
     */
    public static Result sign(Path layout, Optional<String> ref, Optional<String> identity, SigningKey key,
            List<Path> statements) {
        LayoutReferrers target = LayoutReferrers.open(layout);
        Descriptor image = target.image(ref);
        List<byte[]> contents = new ArrayList<>();
        for (Path file : statements) {
            byte[] statement;
            try {
                statement = Files.readAllBytes(file);
            } catch (IOException e) {
                throw new AssembleException("cannot read the attestation " + file + ": " + e.getMessage(), e);
            }
            Attestations.checkStatement(statement, image.digest(), file.toString());
            contents.add(statement);
        }
        Signatures.Signed signed = Signatures.sign(target, image, identity.orElseGet(() -> defaultIdentity(target.dir())), key);
        List<Attestations.Attested> attested = new ArrayList<>();
        for (byte[] statement : contents) {
            attested.add(Attestations.attest(target, image, statement, key));
        }
        return new Result(image, signed, attested);
    }

    /**
     * The layout directory's name as a repository name ({@code Base OCI} becomes {@code base-oci}):
     * a layout is not published anywhere yet, so its name is the best name it has.
     */
    public static String defaultIdentity(Path layout) {
        Path name = layout.toAbsolutePath().normalize().getFileName();
        String repo = (name == null ? "" : name.toString()).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return repo.isEmpty() ? "image" : repo;
    }
}
