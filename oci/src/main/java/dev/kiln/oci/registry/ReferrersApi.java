package dev.kiln.oci.registry;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import okhttp3.HttpUrl;
import okhttp3.Request;
import okhttp3.Response;

/**
 * The manifests that refer to an image (signatures, attestations): the OCI 1.1 referrers API with
 * its pages, or, on a registry without it, the referrers tag schema ({@code sha256-<hex>}, an index
 * kept up to date by the clients that attach).
 */
final class ReferrersApi {
    private static final Pattern LINK_NEXT = Pattern.compile("<([^>]+)>\\s*;\\s*rel=\"?next\"?");
    private static final ObjectMapper JSON = new ObjectMapper();

    private final RegistryTransport transport;
    private final RegistryAuth auth;
    private final RegistryErrors errors;
    private final Manifests manifests;

    ReferrersApi(RegistryTransport transport, RegistryAuth auth, RegistryErrors errors, Manifests manifests) {
        this.transport = transport;
        this.auth = auth;
        this.errors = errors;
        this.manifests = manifests;
    }

    /**
     * The manifests whose {@code subject} is {@code subject}, optionally only those of
     * {@code artifactType}: from the referrers API, or, where the registry lacks it (404), from the
     * {@code sha256-<hex>} tag that clients keep in its place.
     */
    List<Referrer> referrers(ImageReference repo, Digest subject, Optional<String> artifactType) {
        List<Referrer> out = new ArrayList<>();
        HttpUrl.Builder first = transport.url(repo, "referrers/" + subject).newBuilder();
        artifactType.ifPresent(t -> first.addQueryParameter("artifactType", t));
        HttpUrl next = first.build();
        boolean filtered = artifactType.isEmpty();
        while (next != null) {
            Optional<ReferrersPage> page = referrersPage(repo, subject, next);
            if (page.isEmpty()) {
                if (!out.isEmpty()) {
                    throw new RegistryException(repo.registry() + ": a page of the referrers of " + subject + " in "
                            + repo.repository() + " vanished while it was read\n  fix: try again");
                }
                return referrersFromTag(repo, subject, artifactType);
            }
            filtered |= page.get().filtered();
            out.addAll(page.get().referrers());
            next = page.get().next();
        }
        return filtered ? out : filter(out, artifactType);
    }

    /** One page of the referrers API; {@code next} is null on the last. */
    private record ReferrersPage(List<Referrer> referrers, boolean filtered, HttpUrl next) {
    }

    /** A page of the referrers API, or empty when the registry has no referrers API (404). */
    private Optional<ReferrersPage> referrersPage(ImageReference repo, Digest subject, HttpUrl page) {
        String what = "list the referrers of " + subject;
        return transport.retrying(repo, what, a -> {
            Request get = new Request.Builder().url(page).header("Accept", MediaTypes.INDEX).get().build();
            try (Response r = auth.exchange(a, repo, Access.PULL, get)) {
                if (r.code() == 404) {
                    return Optional.empty();
                }
                if (r.code() != 200) {
                    throw errors.failure(repo, Access.PULL, r, what);
                }
                byte[] bytes;
                try (InputStream in = r.body().byteStream()) {
                    bytes = in.readNBytes(Manifests.MAX_MANIFEST + 1);
                }
                if (bytes.length > Manifests.MAX_MANIFEST) {
                    throw RegistryErrors.tooLarge(repo, "referrers/" + subject);
                }
                boolean filtered = String.valueOf(r.header("OCI-Filters-Applied")).contains("artifactType");
                return Optional.of(new ReferrersPage(parseReferrers(bytes, repo.name() + " referrers of " + subject),
                        filtered, nextPage(r)));
            }
        });
    }

    private HttpUrl nextPage(Response r) {
        String link = r.header("Link");
        if (link == null) {
            return null;
        }
        Matcher m = LINK_NEXT.matcher(link);
        if (!m.find()) {
            return null;
        }
        HttpUrl next = r.request().url().resolve(m.group(1));
        if (next != null) {
            transport.checkScheme(next);
        }
        return next;
    }

    private List<Referrer> referrersFromTag(ImageReference repo, Digest subject, Optional<String> artifactType) {
        return manifests.findManifest(repo, fallbackTag(subject), Optional.empty(), Access.PULL)
                .map(m -> filter(parseReferrers(m.bytes(), repo.name() + " tag " + fallbackTag(subject)), artifactType))
                .orElse(List.of());
    }

    private static List<Referrer> filter(List<Referrer> all, Optional<String> artifactType) {
        return artifactType.isEmpty() ? all : all.stream().filter(r -> r.artifactType().equals(artifactType)).toList();
    }

    private static List<Referrer> parseReferrers(byte[] index, String source) {
        JsonNode node = OciJsonReader.tree(index, source);
        List<Referrer> out = new ArrayList<>();
        for (JsonNode m : node.path("manifests")) {
            Descriptor d = OciJsonReader.descriptor(m, source);
            String type = m.path("artifactType").asText("");
            out.add(new Referrer(d.mediaType(), d.digest(), d.size(), type.isEmpty() ? Optional.empty() : Optional.of(type),
                    d.annotations()));
        }
        return out;
    }

    /** The tag the referrers tag schema keeps a subject's referrers under: {@code sha256-<hex>}. */
    static String fallbackTag(Digest subject) {
        return "sha256-" + subject.hex();
    }

    /**
     * Pushes a manifest that has a {@code subject} (a signature, an attestation) by its digest, and
     * makes it listable: a registry with the referrers API indexes it itself (it answers with
     * {@code OCI-Subject}); for one without, the manifest is added to the index under the subject's
     * {@code sha256-<hex>} tag. Returns the manifest's digest.
     */
    Digest attach(ImageReference repo, String mediaType, byte[] manifest) {
        byte[] bytes = manifest.clone();
        JsonNode node = OciJsonReader.tree(bytes, "the manifest to attach");
        if (!node.path("subject").isObject()) {
            throw new RegistryException("the manifest to attach to " + repo.name() + " has no 'subject'"
                    + "\n  fix: name the image it refers to in its subject descriptor");
        }
        Descriptor subject = OciJsonReader.descriptor(node.get("subject"), "the manifest's subject");
        Digest digest = Digest.of(bytes);
        Manifests.Put put = manifests.putManifest(repo, digest.toString(), mediaType, bytes, Access.PUSH);
        if (put.subjectIndexed()) {
            return digest;
        }
        String tag = fallbackTag(subject.digest());
        Optional<ManifestContent> existing = manifests.findManifest(repo, tag, Optional.empty(), Access.PUSH);
        ObjectNode index;
        if (existing.isPresent()) {
            index = (ObjectNode) OciJsonReader.tree(existing.get().bytes(), repo.name() + " tag " + tag);
        } else {
            index = JSON.createObjectNode();
            index.put("schemaVersion", 2);
            index.put("mediaType", MediaTypes.INDEX);
        }
        ArrayNode manifests = index.withArray("/manifests");
        for (JsonNode m : manifests) {
            if (m.path("digest").asText("").equals(digest.toString())) {
                return digest;
            }
        }
        ObjectNode entry = manifests.addObject();
        entry.put("mediaType", mediaType);
        entry.put("digest", digest.toString());
        entry.put("size", bytes.length);
        String artifactType = node.path("artifactType").asText(node.path("config").path("mediaType").asText(""));
        if (!artifactType.isEmpty()) {
            entry.put("artifactType", artifactType);
        }
        if (node.path("annotations").isObject() && !node.get("annotations").isEmpty()) {
            entry.set("annotations", node.get("annotations"));
        }
        byte[] updated;
        try {
            updated = JSON.writeValueAsBytes(index);
        } catch (IOException e) {
            throw new IllegalStateException("a JSON tree always serializes", e);
        }
        this.manifests.putManifest(repo, tag, MediaTypes.INDEX, updated, Access.PUSH);
        return digest;
    }
}
