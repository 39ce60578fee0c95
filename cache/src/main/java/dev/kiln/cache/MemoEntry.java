package dev.kiln.cache;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import dev.kiln.store.json.StrictJson;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * A memo entry as a registry keeps it: an OCI image manifest of {@code artifactType}
 * {@value #ARTIFACT_TYPE}, tagged {@code memo-<step>-<key hex>}, whose config is a DSSE envelope
 * ({@value #ENVELOPE_MEDIA_TYPE}) over a {@link Statement} (payload type {@value #PAYLOAD_TYPE}),
 * and whose layers are the statement's blobs, the value first: registry garbage collection keeps
 * them with the manifest.
 */
public final class MemoEntry {
    /** The manifest's {@code artifactType}. */
    public static final String ARTIFACT_TYPE = "application/vnd.dev.kiln.memo.v1+json";
    /** The DSSE payload type of the statement. */
    public static final String PAYLOAD_TYPE = "application/vnd.dev.kiln.memo.statement.v1+json";
    /** The config's media type: a DSSE envelope. */
    public static final String ENVELOPE_MEDIA_TYPE = "application/vnd.dev.kiln.memo.envelope.v1+json";
    /** The media type of each layer: bytes of kiln's store. */
    public static final String BLOB_MEDIA_TYPE = "application/vnd.dev.kiln.blob.v1";
    /** The OCI image manifest's media type. */
    public static final String MANIFEST_MEDIA_TYPE = "application/vnd.oci.image.manifest.v1+json";
    /** kiln's cache format, named in every statement; a change to the entry's meaning bumps it. */
    public static final String FORMAT = "kiln-cache-1";

    private MemoEntry() {
    }

    /** A blob an entry lists. */
    public record Blob(Digest digest, long size) {
        public Blob {
            Objects.requireNonNull(digest, "digest");
            if (size < 0) {
                throw new IllegalArgumentException("a negative size: " + size);
            }
        }
    }

    /**
     * What the signer says: step {@code step} gave for {@code key} the value {@code blobs.get(0)},
     * which refers to the other blobs.
     */
    public record Statement(String format, String step, Digest key, List<Blob> blobs) {
        public Statement {
            Objects.requireNonNull(format, "format");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(key, "key");
            blobs = List.copyOf(blobs);
            if (blobs.isEmpty()) {
                throw new IllegalArgumentException("a statement names at least its value");
            }
        }

        public Blob value() {
            return blobs.get(0);
        }

        public byte[] json() {
            ObjectNode root = StrictJson.MAPPER.createObjectNode();
            root.put("format", format);
            root.put("step", step);
            root.put("key", key.toString());
            root.set("value", blob(value()));
            ArrayNode refs = root.putArray("blobs");
            blobs.subList(1, blobs.size()).forEach(b -> refs.add(blob(b)));
            return StrictJson.write(root);
        }

        /** Reads a statement; throws {@link IllegalArgumentException} saying what is wrong. */
        public static Statement parse(byte[] json) {
            JsonNode root = StrictJson.parse(json);
            List<Blob> blobs = new ArrayList<>();
            blobs.add(blob(root.path("value")));
            for (JsonNode b : root.path("blobs")) {
                blobs.add(blob(b));
            }
            return new Statement(text(root, "format"), text(root, "step"), Digest.parse(text(root, "key")), blobs);
        }
    }

    /** The tag an entry of {@code step} for {@code key} is kept under (at most 128 characters). */
    public static String tag(MemoStep step, Digest key) {
        return "memo-" + step.id() + "-" + key.hex();
    }

    /** The entry's manifest: the envelope as config, the statement's blobs as layers. */
    public static byte[] manifest(Blob envelope, Statement s) {
        ObjectNode root = StrictJson.MAPPER.createObjectNode();
        root.put("schemaVersion", 2);
        root.put("mediaType", MANIFEST_MEDIA_TYPE);
        root.put("artifactType", ARTIFACT_TYPE);
        root.set("config", descriptor(ENVELOPE_MEDIA_TYPE, envelope));
        ArrayNode layers = root.putArray("layers");
        s.blobs().forEach(b -> layers.add(descriptor(BLOB_MEDIA_TYPE, b)));
        return StrictJson.write(root);
    }

    /** What a manifest says: its config (the envelope) and its layers. */
    public record Parsed(Blob config, List<Blob> layers) {
    }

    /** Reads an entry's manifest; throws {@link IllegalArgumentException} saying what is wrong. */
    public static Parsed parseManifest(byte[] json) {
        JsonNode root = StrictJson.parse(json);
        if (!ARTIFACT_TYPE.equals(root.path("artifactType").asText())) {
            throw new IllegalArgumentException("not a kiln memo entry: artifactType '" + root.path("artifactType").asText() + "'");
        }
        if (!ENVELOPE_MEDIA_TYPE.equals(root.path("config").path("mediaType").asText())) {
            throw new IllegalArgumentException("its config is not a signed statement (" + root.path("config").path("mediaType").asText() + ")");
        }
        List<Blob> layers = new ArrayList<>();
        for (JsonNode l : root.path("layers")) {
            layers.add(blob(l));
        }
        return new Parsed(blob(root.path("config")), layers);
    }

    private static ObjectNode descriptor(String mediaType, Blob b) {
        ObjectNode d = StrictJson.MAPPER.createObjectNode();
        d.put("mediaType", mediaType);
        d.put("digest", b.digest().toString());
        d.put("size", b.size());
        return d;
    }

    private static ObjectNode blob(Blob b) {
        ObjectNode o = StrictJson.MAPPER.createObjectNode();
        o.put("digest", b.digest().toString());
        o.put("size", b.size());
        return o;
    }

    private static Blob blob(JsonNode n) {
        if (!n.path("digest").isTextual() || !n.path("size").canConvertToLong()) {
            throw new IllegalArgumentException("expected a blob with 'digest' and 'size', found " + n);
        }
        return new Blob(Digest.parse(n.get("digest").asText()), n.get("size").asLong());
    }

    private static String text(JsonNode root, String field) {
        if (!root.path(field).isTextual()) {
            throw new IllegalArgumentException("expected a text field '" + field + "'");
        }
        return root.get(field).asText();
    }
}
