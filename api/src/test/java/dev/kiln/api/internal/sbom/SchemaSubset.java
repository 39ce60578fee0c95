package dev.kiln.api.internal.sbom;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Checks a JSON value against the parts of JSON Schema draft 7 that the SPDX 2.3 schema uses:
 * {@code type}, {@code properties}, {@code required}, {@code additionalProperties: false},
 * {@code items}, {@code enum} and {@code minItems}. Any other keyword in the schema fails the check,
 * so nothing is silently skipped.
 */
final class SchemaSubset {
    private static final List<String> KNOWN = List.of("$schema", "$id", "title", "description", "type", "properties",
            "required", "additionalProperties", "items", "enum", "minItems", "$comment");

    private SchemaSubset() {
    }

    /** Every violation, as {@code path: what}; empty when the value conforms. */
    static List<String> violations(JsonNode schema, JsonNode value) {
        List<String> out = new ArrayList<>();
        check(schema, value, "$", out);
        return out;
    }

    private static void check(JsonNode schema, JsonNode value, String path, List<String> out) {
        for (Iterator<String> it = schema.fieldNames(); it.hasNext(); ) {
            String k = it.next();
            if (!KNOWN.contains(k)) {
                throw new IllegalStateException("schema keyword '" + k + "' at " + path + " is not supported by this check");
            }
        }
        JsonNode type = schema.get("type");
        if (type != null && !hasType(value, type.asText())) {
            out.add(path + ": expected " + type.asText() + ", found " + value.getNodeType());
            return;
        }
        JsonNode en = schema.get("enum");
        if (en != null) {
            boolean found = false;
            for (JsonNode e : en) {
                found |= e.equals(value);
            }
            if (!found) {
                out.add(path + ": " + value + " is not one of " + en);
            }
        }
        if (value.isObject()) {
            JsonNode props = schema.get("properties");
            for (JsonNode r : schema.path("required")) {
                if (!value.has(r.asText())) {
                    out.add(path + ": required '" + r.asText() + "' is missing");
                }
            }
            for (Map.Entry<String, JsonNode> f : value.properties()) {
                JsonNode sub = props == null ? null : props.get(f.getKey());
                if (sub != null) {
                    check(sub, f.getValue(), path + "." + f.getKey(), out);
                } else if (schema.path("additionalProperties").isBoolean() && !schema.get("additionalProperties").asBoolean()) {
                    out.add(path + ": '" + f.getKey() + "' is not allowed here");
                }
            }
        }
        if (value.isArray()) {
            if (schema.has("minItems") && value.size() < schema.get("minItems").asInt()) {
                out.add(path + ": fewer than " + schema.get("minItems").asInt() + " items");
            }
            JsonNode items = schema.get("items");
            if (items != null) {
                for (int i = 0; i < value.size(); i++) {
                    check(items, value.get(i), path + "[" + i + "]", out);
                }
            }
        }
    }

    private static boolean hasType(JsonNode v, String type) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isTextual();
            case "integer" -> v.isIntegralNumber();
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            case "null" -> v.isNull();
            default -> throw new IllegalStateException("unknown schema type " + type);
        };
    }
}
