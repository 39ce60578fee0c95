package dev.kiln.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.ArtifactManifest;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.OciJson;
import dev.kiln.oci.Referrers;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The referrers of the images in one registry repository, over {@link RegistryClient}. An
 * artifact is attached by pushing its config and layers (each only if the repository lacks it),
 * then its manifest by digest; a registry with the OCI 1.1 referrers API indexes it by its
 * {@code subject}, and for one without (such as distribution 2.8) the manifest is added to the
 * image index under the subject's {@code sha256-<hex>} tag, as cosign and ORAS do. Listing asks
 * the referrers API, else reads that tag.
 *
 * <p>Every manifest and blob read is checked against the digest and size it was listed with.
 * The listing itself is not trusted: it only says where to look, and what is found there is
 * verified by whoever reads it (kiln's signature and attestation checks).
 */
public final class RegistryReferrers implements Referrers {
    private final RegistryClient client;
    private final ImageReference repository;

    private RegistryReferrers(RegistryClient client, ImageReference repository) {
        this.client = client;
        this.repository = repository;
    }

    /** The referrers in the repository {@code reference} names (its tag or digest is ignored); {@code client} stays the caller's. */
    public static RegistryReferrers of(RegistryClient client, ImageReference reference) {
        return new RegistryReferrers(Objects.requireNonNull(client, "client"), reference.repositoryOnly());
    }

    /** {@code HOST/REPO}. */
    @Override
    public String location() {
        return repository.name();
    }

    /** {@code HOST/REPO@sha256:...}: the image pinned, as it should be signed and verified. */
    @Override
    public String imageName(Digest subject) {
        return repository.name() + "@" + subject;
    }

    /**
     * The manifest or index {@code reference} names, a tag resolved to what it points at now: sign
     * and verify this digest, never the tag, which may move.
     */
    public Descriptor image(ImageReference reference) {
        if (!reference.name().equals(repository.name())) {
            throw new IllegalArgumentException(reference + " is not in " + repository.name());
        }
        ManifestContent m = client.getManifest(reference);
        if (!MediaTypes.isIndex(m.mediaType()) && !MediaTypes.isManifest(m.mediaType())) {
            throw new OciException(reference + " is a " + m.mediaType() + ", expected an image manifest or index"
                    + "\n  fix: name an image, not an artifact");
        }
        return Descriptor.of(m.mediaType(), m.digest(), m.size());
    }

    @Override
    public List<Referrers.Referrer> referrers(Digest subject) {
        List<Referrers.Referrer> found = new ArrayList<>();
        for (dev.kiln.oci.registry.Referrer r : client.referrers(repository, subject, Optional.empty())) {
            if (!MediaTypes.isManifest(r.mediaType())) {
                continue;
            }
            Descriptor d = Descriptor.of(r.mediaType(), r.digest(), r.size()).withAnnotations(r.annotations());
            // a listing may leave the type out; the manifest itself then says it
            String type = r.artifactType().orElseGet(() -> artifactType(d));
            found.add(new Referrers.Referrer(d, type));
        }
        return found;
    }

    private String artifactType(Descriptor manifest) {
        JsonNode node;
        try {
            node = StrictJson.parse(manifest(manifest));
        } catch (IllegalArgumentException e) {
            return ""; // unreadable: not of any type asked for, so never taken for a signature
        }
        return node.path("artifactType").asText(node.path("config").path("mediaType").asText(""));
    }

    @Override
    public byte[] manifest(Descriptor manifest) {
        ManifestContent m = client.getManifest(repository.withDigest(manifest.digest()));
        if (m.size() != manifest.size()) {
            throw new OciException("manifest " + manifest.digest() + " in " + location() + " has " + m.size()
                    + " bytes, but was listed with " + manifest.size() + "\n  fix: the referrer's listing is wrong;"
                    + " sign the image again");
        }
        return m.bytes();
    }

    @Override
    public byte[] blob(Descriptor blob) {
        if (blob.size() < 0 || blob.size() > LayoutReferrers.MAX_READ) {
            throw new OciException("blob " + blob.digest() + " in " + location() + " is listed with " + blob.size()
                    + " bytes, expected 0 to " + LayoutReferrers.MAX_READ + "\n  fix: the referrer is damaged; sign the image again");
        }
        byte[] bytes = client.getBlob(repository, blob.digest(), blob.size());
        if (bytes.length != blob.size()) {
            throw new OciException("blob " + blob.digest() + " in " + location() + " has " + bytes.length
                    + " bytes, but is listed with " + blob.size() + "\n  fix: the referrer is damaged; sign the image again");
        }
        return bytes;
    }

    @Override
    public Descriptor attach(ArtifactManifest artifact, List<byte[]> layers) {
        artifact.checkContents(layers);
        client.putBlob(repository, OciJson.EMPTY_OBJECT);
        for (byte[] layer : layers) {
            client.putBlob(repository, layer);
        }
        byte[] manifest = OciJson.artifactManifest(artifact);
        Digest digest = client.attach(repository, MediaTypes.MANIFEST, manifest);
        return Descriptor.of(MediaTypes.MANIFEST, digest, manifest.length);
    }
}
