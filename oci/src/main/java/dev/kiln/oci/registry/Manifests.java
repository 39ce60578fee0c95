package dev.kiln.oci.registry;

import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.store.Digest;
import java.io.InputStream;
import java.util.Optional;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;

/**
 * Manifests and indexes in a repository, by tag or digest: what comes in is at most
 * {@link #MAX_MANIFEST} bytes, hashed, and held to the digest it was asked by and to the
 * registry's {@code Docker-Content-Digest}; what goes up must come back under its own digest.
 */
final class Manifests {
    /** The largest manifest kiln accepts from a registry (the distribution spec's advice). */
    static final int MAX_MANIFEST = 4 << 20;

    /** What a GET of a manifest accepts: OCI and Docker schema 2 manifests and indexes. */
    static final String ACCEPT_MANIFESTS = String.join(", ", MediaTypes.MANIFEST, MediaTypes.INDEX,
            MediaTypes.DOCKER_MANIFEST, MediaTypes.DOCKER_MANIFEST_LIST);

    private final RegistryTransport transport;
    private final RegistryAuth auth;
    private final RegistryErrors errors;

    Manifests(RegistryTransport transport, RegistryAuth auth, RegistryErrors errors) {
        this.transport = transport;
        this.auth = auth;
        this.errors = errors;
    }

    /** The manifest or index {@code ref} names, verified against its digest when it names one. */
    ManifestContent getManifest(ImageReference ref) {
        return findManifest(ref, ref.reference(), ref.digest(), Access.PULL).orElseThrow(() -> new RegistryException(
                RegistryException.Kind.NOT_FOUND, ref.registry() + " has no manifest " + ref.reference() + " in "
                        + ref.repository() + "\n  fix: check the repository name and the tag or digest (skopeo list-tags docker://" + ref.name() + ")"));
    }

    /** The manifest or index {@code reference} (a tag or a digest) names in {@code repo}, or empty on 404. */
    Optional<ManifestContent> findManifest(ImageReference repo, String reference, Optional<Digest> expected, Access access) {
        return transport.retrying(repo, "get manifest " + reference, a -> {
            Request get = new Request.Builder().url(transport.url(repo, "manifests/" + reference)).header("Accept", ACCEPT_MANIFESTS).get().build();
            try (Response r = auth.exchange(a, repo, access, get)) {
                if (r.code() == 404) {
                    return Optional.empty();
                }
                if (r.code() != 200) {
                    throw errors.failure(repo, access, r, "get manifest " + reference);
                }
                if (r.body().contentLength() > MAX_MANIFEST) {
                    throw RegistryErrors.tooLarge(repo, reference);
                }
                byte[] bytes;
                try (InputStream in = r.body().byteStream()) {
                    bytes = in.readNBytes(MAX_MANIFEST + 1);
                }
                if (bytes.length > MAX_MANIFEST) {
                    throw RegistryErrors.tooLarge(repo, reference);
                }
                Digest actual = Digest.of(bytes);
                if (expected.isPresent()) {
                    RegistryErrors.checkDigest(repo, "manifest", expected.get(), actual);
                }
                String header = r.header("Docker-Content-Digest");
                if (header != null && !header.trim().equals(actual.toString())) {
                    throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                            repo.registry() + " sent manifest " + reference + " of " + repo.repository()
                            + " whose bytes hash to " + actual + " but named it " + header.trim()
                            + "; it was not used\n  fix: pull by digest, or report it to the registry's operators");
                }
                String contentType = r.header("Content-Type");
                String source = repo.name() + " manifest " + reference;
                return Optional.of(new ManifestContent(OciJsonReader.mediaType(bytes, contentType, source), actual, bytes));
            }
        });
    }

    /** What the registry said to a manifest PUT. */
    record Put(Digest digest, boolean subjectIndexed) {
    }

    Put putManifest(ImageReference repo, String reference, String mediaType, byte[] bytes, Access access) {
        Digest digest = Digest.of(bytes);
        if (reference.startsWith("sha256:") && !reference.equals(digest.toString())) {
            throw new IllegalArgumentException("a manifest pushed by digest must be that digest: " + reference + " vs " + digest);
        }
        return transport.retrying(repo, "push manifest " + reference, a -> {
            Request put = new Request.Builder().url(transport.url(repo, "manifests/" + reference))
                    .put(RequestBody.create(bytes, MediaType.get(mediaType))).build();
            try (Response r = auth.exchange(a, repo, access, put)) {
                if (r.code() != 201 && r.code() != 200 && r.code() != 204) {
                    throw errors.failure(repo, access, r, "push manifest " + reference);
                }
                String stored = r.header("Docker-Content-Digest");
                if (stored != null && !stored.trim().equals(digest.toString())) {
                    throw new RegistryException(RegistryException.Kind.WRONG_BYTES,
                            repo.registry() + " stored manifest " + reference + " of " + repo.repository()
                            + " as " + stored.trim() + ", but its bytes hash to " + digest
                            + "\n  fix: the registry rewrote the manifest; push to another registry, or report it");
                }
                return new Put(digest, r.header("OCI-Subject") != null);
            }
        });
    }
}
