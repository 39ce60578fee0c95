package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.store.Digest;
import dev.kiln.store.json.JsonTree;
import dev.kiln.store.json.MalformedJsonException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Reads manifests and indexes written by anyone (OCI or Docker schema 2) into kiln's model, keeping
 * what walking an image needs: descriptors with their media type, digest, size, annotations and
 * platform. Fields kiln does not model are dropped here, so the bytes, not the model, are what gets
 * copied or pushed. JSON is read strictly ({@link JsonTree}): a key given twice or anything after the
 * document is an error, since two readers could otherwise see two different manifests in one blob.
 */
public final class OciJsonReader {

    private OciJsonReader() {}

    /** Parses JSON; {@code source} names where it came from, for messages. */
    public static JsonNode tree(byte[] json, String source) {
        try {
            JsonNode node = JsonTree.read(json);
            if (!node.isObject()) {
                throw new OciException(OciException.Kind.MALFORMED,
                        source + ": expected a JSON object, found " + node.getNodeType());
            }
            return node;
        } catch (MalformedJsonException e) {
            throw new OciException(OciException.Kind.MALFORMED, source + ": not valid JSON: " + e.getMessage(), e);
        }
    }

    /**
     * What kind of document {@code json} is: its {@code mediaType} field, else {@code declared} (the
     * descriptor's or the HTTP Content-Type), else guessed from its shape as the image spec allows.
     */
    public static String mediaType(byte[] json, String declared, String source) {
        JsonNode node = tree(json, source);
        String own = node.path("mediaType").asText("");
        if (!own.isEmpty()) {
            return own;
        }
        if (declared != null && !declared.isEmpty() && !declared.startsWith("application/json")) {
            return declared;
        }
        return node.has("manifests") ? MediaTypes.INDEX : MediaTypes.MANIFEST;
    }

    public static Manifest manifest(byte[] json, String source) {
        JsonNode node = tree(json, source);
        if (!node.path("config").isObject()) {
            throw new OciException(OciException.Kind.MALFORMED, source + ": an image manifest without a 'config' descriptor");
        }
        Descriptor config = descriptor(node.get("config"), source + " config");
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : node.path("layers")) {
            layers.add(descriptor(l, source + " layer " + layers.size()));
        }
        return new Manifest(config, layers, strings(node.path("annotations")));
    }

    public static Index index(byte[] json, String source) {
        JsonNode node = tree(json, source);
        if (!node.path("manifests").isArray()) {
            throw new OciException(OciException.Kind.MALFORMED, source + ": an image index without a 'manifests' list");
        }
        List<Descriptor> manifests = new ArrayList<>();
        for (JsonNode m : node.get("manifests")) {
            manifests.add(descriptor(m, source + " manifest " + manifests.size()));
        }
        return new Index(manifests, strings(node.path("annotations")));
    }

    /** A descriptor object; a digest other than sha256 is refused, as kiln verifies only sha256. */
    public static Descriptor descriptor(JsonNode d, String source) {
        String mediaType = d.path("mediaType").asText("");
        String digest = d.path("digest").asText("");
        if (mediaType.isEmpty() || digest.isEmpty() || !d.path("size").canConvertToExactIntegral()) {
            throw new OciException(OciException.Kind.MALFORMED,
                    source + ": a descriptor needs mediaType, digest and size, found " + d);
        }
        Digest parsed;
        try {
            parsed = Digest.parse(digest);
        } catch (IllegalArgumentException e) {
            throw new OciException(OciException.Kind.MALFORMED,
                    source + ": kiln verifies sha256 digests only, found '" + digest + "'");
        }
        long size = d.get("size").asLong();
        if (size < 0) {
            throw new OciException(OciException.Kind.MALFORMED, source + ": a negative size " + size);
        }
        Optional<Platform> platform = Optional.empty();
        JsonNode p = d.path("platform");
        if (p.isObject()) {
            String variant = p.path("variant").asText("");
            platform = Optional.of(new Platform(p.path("os").asText(""), p.path("architecture").asText(""),
                    variant.isEmpty() ? Optional.empty() : Optional.of(variant)));
        }
        return new Descriptor(mediaType, parsed, size, strings(d.path("annotations")), platform);
    }

    private static Map<String, String> strings(JsonNode object) {
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonNode> e : object.properties()) {
            out.put(e.getKey(), e.getValue().asText());
        }
        return out;
    }
}
