package dev.kiln.oci.compare;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Iterator;
import java.util.List;
import java.util.TreeSet;

/** Which fields of two JSON values differ, by path ({@code config.Env[1]}, {@code layers[0].digest}). */
final class JsonFields {
    private static final int SHOWN = 160;

    private JsonFields() {
    }

    static void diff(String where, String path, JsonNode left, JsonNode right, List<Difference> out) {
        if (left != null && right != null && left.isObject() && right.isObject()) {
            TreeSet<String> names = new TreeSet<>();
            left.fieldNames().forEachRemaining(names::add);
            right.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                diff(where, path.isEmpty() ? name : path + "." + name, left.get(name), right.get(name), out);
            }
        } else if (left != null && right != null && left.isArray() && right.isArray()) {
            int n = Math.max(left.size(), right.size());
            for (int i = 0; i < n; i++) {
                diff(where, path + "[" + i + "]", left.get(i), right.get(i), out);
            }
        } else if (left == null || !left.equals(right)) {
            out.add(new Difference(where, Difference.Aspect.FIELD, path.isEmpty() ? "(document)" : path, show(left), show(right)));
        }
    }

    static String show(JsonNode n) {
        if (n == null) {
            return "(absent)";
        }
        String digest = text(n, "digest");
        String mediaType = text(n, "mediaType");
        if (digest != null && mediaType != null) {
            // a descriptor: what it names matters, not its JSON
            JsonNode p = n.get("platform");
            String platform = p == null ? "" : " for " + text(p, "os") + "/" + text(p, "architecture")
                    + (text(p, "variant") == null ? "" : "/" + text(p, "variant"));
            return mediaType + " " + digest + platform;
        }
        String s = n.toString();
        return s.length() <= SHOWN ? s : s.substring(0, SHOWN) + "…";
    }

    /** The text of {@code node.get(name)} if it is a string. */
    static String text(JsonNode node, String name) {
        JsonNode v = node == null ? null : node.get(name);
        return v != null && v.isTextual() ? v.asText() : null;
    }

    static Iterator<JsonNode> elements(JsonNode node, String name) {
        JsonNode v = node == null ? null : node.get(name);
        return v != null && v.isArray() ? v.elements() : java.util.Collections.emptyIterator();
    }
}
