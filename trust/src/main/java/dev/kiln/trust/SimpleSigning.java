package dev.kiln.trust;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * cosign's "simple signing" payload: the JSON that a cosign image signature signs, naming the
 * image by repository and manifest digest (sigstore's {@code payload.SimpleContainerImage}, after
 * containers/image's signature format):
 *
 * <pre>{@code {"critical":{"identity":{"docker-reference":"REPO"},"image":{"docker-manifest-digest":"sha256:..."},
 *  "type":"cosign container image signature"},"optional":null}}</pre>
 *
 * <p>The bytes are fixed by the inputs: keys in that order (cosign's struct order), no
 * whitespace, {@code optional} {@code null} when empty (as Go writes a nil map) or its entries
 * sorted by key.
 */
public final class SimpleSigning {
    /** The media type of the layer that holds the payload. */
    public static final String MEDIA_TYPE = "application/vnd.dev.cosign.simplesigning.v1+json";
    /** The value of {@code critical.type}. */
    public static final String TYPE = "cosign container image signature";

    // a repository as the distribution spec writes it: optional host[:port]/, then lowercase path components
    private static final Pattern REPOSITORY = Pattern.compile(
            "(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*"
                    + "(?::[0-9]+)?/)?[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*)*");

    /** What a verified payload says. */
    public record Claims(String identity, Digest manifestDigest, Map<String, String> optional) {}

    private SimpleSigning() {}

    /** Whether {@code identity} is a repository name that cosign can parse back ({@code host/path}, no tag). */
    public static boolean isRepository(String identity) {
        return identity.length() <= 255 && REPOSITORY.matcher(identity).matches();
    }

    public static byte[] payload(String identity, Digest manifestDigest, Map<String, String> optional) {
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        if (!isRepository(identity)) {
            throw new IllegalArgumentException("not a repository name: '" + identity + "'");
        }
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        ObjectNode critical = root.putObject("critical");
        critical.putObject("identity").put("docker-reference", identity);
        critical.putObject("image").put("docker-manifest-digest", manifestDigest.toString());
        critical.put("type", TYPE);
        if (optional.isEmpty()) {
            root.putNull("optional");
        } else {
            ObjectNode o = root.putObject("optional");
            new TreeMap<>(optional).forEach(o::put);
        }
        return StrictJson.write(root);
    }

    /** Reads a payload; throws {@link IllegalArgumentException} saying what is wrong with it. */
    public static Claims parse(byte[] payload) {
        JsonNode root = StrictJson.parse(payload);
        JsonNode critical = root.get("critical");
        if (critical == null || !critical.isObject()) {
            throw new IllegalArgumentException("no 'critical' object");
        }
        String type = critical.path("type").asText("");
        if (!TYPE.equals(type)) {
            throw new IllegalArgumentException("critical.type is '" + type + "', expected '" + TYPE + "'");
        }
        JsonNode digest = critical.path("image").path("docker-manifest-digest");
        if (!digest.isTextual()) {
            throw new IllegalArgumentException("no critical.image.docker-manifest-digest");
        }
        Digest manifestDigest;
        try {
            manifestDigest = Digest.parse(digest.asText());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("critical.image.docker-manifest-digest: " + e.getMessage());
        }
        String identity = critical.path("identity").path("docker-reference").asText("");
        Map<String, String> optional = new TreeMap<>();
        root.path("optional").properties().forEach(e ->
                optional.put(e.getKey(), e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()));
        return new Claims(identity, manifestDigest, Collections.unmodifiableMap(optional));
    }
}
