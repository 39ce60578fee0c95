package dev.kiln.store.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Reads one JSON document into a {@link JsonNode} tree with jackson-core's streaming parser, as
 * {@code ObjectMapper.readTree} would but without an ObjectMapper, whose set-up (serializer
 * caches, type factory, date formats) costs a short run like a warm {@code kiln lock} ~25 ms.
 * Stricter than readTree: a key given twice in one object and anything after the document are
 * errors, and what is wrong is said in plain words ({@link MalformedJsonException}). Locks, source
 * listings, manifests and signed documents (payloads, statements, referrer indexes) are read with it.
 */
public final class JsonTree {
    private static final JsonFactory FACTORY = new JsonFactory();
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private JsonTree() {
    }

    /** The document in {@code json}; a malformed one is said in plain words, with its line and column. */
    public static JsonNode read(byte[] json) throws MalformedJsonException {
        try (JsonParser p = FACTORY.createParser(json)) {
            try {
                JsonToken first = p.nextToken();
                if (first == null) {
                    throw new MalformedJsonException(0, 0, "a JSON document", "nothing (the file is empty or blank)");
                }
                JsonNode root = value(p, first);
                JsonToken after = p.nextToken();
                if (after != null) {
                    JsonLocation at = p.currentTokenLocation();
                    String more = after.isStructStart() ? "another " + (after == JsonToken.START_OBJECT ? "object" : "list")
                            : "'" + abbreviated(p.getText()) + "'";
                    throw new MalformedJsonException(at.getLineNr(), at.getColumnNr(), "the end of the file after the document",
                            "more: " + more);
                }
                return root;
            } catch (JsonProcessingException e) {
                throw MalformedJsonException.of(e, p.currentLocation());
            }
        } catch (JsonProcessingException e) {
            throw MalformedJsonException.of(e, null);
        } catch (IOException e) {
            throw new UncheckedIOException("reading JSON from memory", e);
        }
    }

    private static JsonNode value(JsonParser p, JsonToken t) throws IOException, MalformedJsonException {
        switch (t) {
            case START_OBJECT: {
                ObjectNode o = NODES.objectNode();
                for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
                    String name = p.currentName();
                    if (o.has(name)) {
                        JsonLocation at = p.currentTokenLocation();
                        throw new MalformedJsonException(at.getLineNr(), at.getColumnNr(), "each key once in an object",
                                "\"" + name + "\" a second time");
                    }
                    o.set(name, value(p, p.nextToken()));
                }
                return o;
            }
            case START_ARRAY: {
                ArrayNode a = NODES.arrayNode();
                for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
                    a.add(value(p, v));
                }
                return a;
            }
            case VALUE_STRING:
                return NODES.textNode(p.getText());
            case VALUE_NUMBER_INT:
                switch (p.getNumberType()) {
                    case INT:
                        return NODES.numberNode(p.getIntValue());
                    case LONG:
                        return NODES.numberNode(p.getLongValue());
                    default:
                        return NODES.numberNode(p.getBigIntegerValue());
                }
            case VALUE_NUMBER_FLOAT:
                return NODES.numberNode(p.getDoubleValue());
            case VALUE_TRUE:
                return NODES.booleanNode(true);
            case VALUE_FALSE:
                return NODES.booleanNode(false);
            case VALUE_NULL:
                return NODES.nullNode();
            default:
                // the streaming parser gives only the tokens above where a value starts
                throw new IllegalStateException("no JSON value starts with " + t);
        }
    }

    private static String abbreviated(String text) {
        return text.length() <= 40 ? text : text.substring(0, 40) + "...";
    }
}
