package dev.kiln.trust;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.oci.Referrers;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code kiln sign IMAGE}: signs an image and attaches in-toto attestations and SPDX SBOMs to it,
 * in an OCI image layout or in a registry; both go through {@link Referrers}, so they share every
 * step. Every document is read and checked before anything is attached, so a bad one leaves the
 * image as it was.
 *
 * <p>An SBOM is attached to the image it describes: for a multi-arch index, each architecture's
 * SBOM ({@code DIR.ARCH.spdx.json}) to that architecture's manifest, with that manifest's digest
 * as the statement's subject, where {@code cosign download attestation --platform} and scanners
 * that resolve a platform look for it. The signature and other attestations go to the top image.
 */
public final class ImageSigning {
    /** The largest document attached: its DSSE envelope (base64, a third larger) must stay readable by verify. */
    static final long MAX_DOCUMENT = LayoutReferrers.MAX_READ / 2;

    /**
     * What to attach besides the signature.
     *
     * @param statements files holding in-toto Statements about the image
     * @param sboms files holding SPDX JSON SBOMs of the image (or of its platforms' manifests)
     */
    public record Documents(List<Path> statements, List<Path> sboms) {
        public static final Documents NONE = new Documents(List.of(), List.of());

        public Documents {
            statements = List.copyOf(statements);
            sboms = List.copyOf(sboms);
        }
    }

    /** What was attached to which image, where: the signature's subject is {@link #image}; an SBOM's may be a platform's manifest. */
    public record Result(String location, Descriptor image, Signatures.Signed signature, List<Attestations.Attested> attestations) {
        public Result {
            attestations = List.copyOf(attestations);
        }
    }

    private record Attachment(byte[] statement, List<Descriptor> subjects) {}

    private ImageSigning() {}

    /**
     * Signs {@code image} in {@code target} as {@code identity} (a repository name) and attaches the
     * documents: each statement to {@code image} (it must name its digest), each SBOM to the image it
     * describes, which must be {@code image} or, for an index, one of its manifests.
     */
    public static Result sign(Referrers target, Descriptor image, String identity, SigningKey key, Documents documents) {
        List<Attachment> attachments = new ArrayList<>();
        for (Path file : documents.statements()) {
            byte[] statement = read(file, "attestation");
            Attestations.checkStatement(statement, image.digest(), file.toString());
            attachments.add(new Attachment(statement, List.of(image)));
        }
        if (!documents.sboms().isEmpty()) {
            List<Descriptor> images = imageAndPlatforms(target, image);
            for (Path file : documents.sboms()) {
                byte[] sbom = read(file, "SBOM");
                List<Descriptor> described = described(file, sbom, images, target);
                byte[] statement = SbomStatement.statement(sbom, identity, described.stream().map(Descriptor::digest).toList());
                attachments.add(new Attachment(statement, described));
            }
        }
        Signatures.Signed signed = Signatures.sign(target, image, identity, key);
        List<Attestations.Attested> attested = new ArrayList<>();
        for (Attachment a : attachments) {
            for (Descriptor subject : a.subjects()) {
                attested.add(Attestations.attest(target, subject, a.statement(), key));
            }
        }
        return new Result(target.location(), image, signed, attested);
    }

    /** The images of {@code sbom} among {@code images}; refuses an SBOM of none of them. */
    private static List<Descriptor> described(Path file, byte[] sbom, List<Descriptor> images, Referrers target) {
        Set<Digest> digests;
        try {
            digests = SbomStatement.describedImages(sbom);
        } catch (IllegalArgumentException e) {
            throw new TrustException("the SBOM " + file + " is not an SPDX JSON document: " + e.getMessage()
                    + "\n  fix: give the DIR.ARCH.spdx.json that 'kiln build' wrote beside the layout, or another SPDX 2.x JSON SBOM");
        }
        List<Descriptor> matched = images.stream().filter(d -> digests.contains(d.digest())).toList();
        if (!matched.isEmpty()) {
            return matched;
        }
        String image = images.get(0).digest() + " in " + target.location();
        String platforms = images.stream().skip(1).map(d -> d.platform().map(p -> p + " ").orElse("") + d.digest())
                .collect(Collectors.joining(", "));
        if (digests.isEmpty()) {
            throw new TrustException("the SBOM " + file + " names no image digest: none of the packages it describes"
                    + " (documentDescribes) has a SHA256 checksum, a versionInfo sha256:... or a pkg:oci purl with a digest;"
                    + " expected " + image + (platforms.isEmpty() ? "" : " or one of its platforms' manifests (" + platforms + ")")
                    + "\n  fix: give the DIR.ARCH.spdx.json that 'kiln build' wrote for this image");
        }
        throw new TrustException(TrustException.Kind.OTHER_IMAGE,
                "the SBOM " + file + " describes another image (" + digests.stream().map(Digest::toString)
                .collect(Collectors.joining(", ")) + "), not " + image
                + (platforms.isEmpty() ? "" : " nor any of its platforms' manifests (" + platforms + ")")
                + "\n  fix: give the SBOM that 'kiln build' wrote beside this image's layout (DIR.ARCH.spdx.json), or sign the image it describes");
    }

    /** {@code image}, then for an index each manifest it lists (with its platform). */
    private static List<Descriptor> imageAndPlatforms(Referrers target, Descriptor image) {
        List<Descriptor> images = new ArrayList<>(List.of(image));
        if (MediaTypes.isIndex(image.mediaType())) {
            images.addAll(OciJsonReader.index(target.manifest(image), target.location() + " " + image.digest()).manifests());
        }
        return images;
    }

    private static byte[] read(Path file, String what) {
        try {
            if (Files.size(file) > MAX_DOCUMENT) {
                throw new TrustException("the " + what + " " + file + " has " + Files.size(file) + " bytes, more than the "
                        + MAX_DOCUMENT + " kiln attaches\n  fix: attach a smaller document");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new TrustException("cannot read the " + what + " " + file + ": " + dev.kiln.store.IoErrors.why(e)
                    + "\n  fix: name a readable file", e);
        }
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
