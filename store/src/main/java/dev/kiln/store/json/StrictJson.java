package dev.kiln.store.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * JSON for signed and signing documents, and for the indexes that list them: a duplicate key or anything after the document is an
 * error (two readers must never see two different documents in the same signed bytes; read with
 * {@link JsonTree}, as locks are), and output has no whitespace and map keys sorted, so it is
 * fixed by its content.
 */
public final class StrictJson {
    public static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION)
            .enable(SerializationFeature.ORDER_MAP_ENTRIES_BY_KEYS);

    private StrictJson() {}

    /** Parses {@code json}; throws {@link IllegalArgumentException} saying why it is not JSON. */
    public static JsonNode parse(byte[] json) {
        try {
            return JsonTree.read(json);
        } catch (MalformedJsonException e) {
            throw new IllegalArgumentException("not JSON: " + e.getMessage());
        }
    }

    public static byte[] write(Object tree) {
        try {
            return MAPPER.writeValueAsBytes(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always encodes", e);
        }
    }
}
