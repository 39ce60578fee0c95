package dev.kiln.resolver.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A YAML node with its file and key path, read as the type the spec expects there. Every check
 * fails with a {@link SpecException} naming file, line and key. Public so that a document which
 * embeds an image spec (a recipe's {@code environment}) reads its own keys the same way and hands
 * the sub-tree to {@link ImageSpecParser#parse(SpecNode, java.nio.file.Path, dev.kiln.store.Digest)}.
 */
public final class SpecNode {
    private final String file;
    private final String key;
    private final YamlNode node;
    /** The line of every node read so far, by key path; shared by a document's nodes. */
    private final Map<String, Integer> lines;

    /** The root of a document. */
    SpecNode(String file, YamlNode node) {
        this(file, "", node, new LinkedHashMap<>());
    }

    /** Reads exactly one YAML document; errors (bad YAML, a second document) name {@code file} and the line. */
    public static SpecNode read(byte[] bytes, String file) {
        return new SpecNode(file, YamlNode.read(bytes, file));
    }

    /** The file as errors name it. */
    public String file() {
        return file;
    }

    /**
     * The node in a canonical form: mappings with their keys sorted, lists in order, each scalar as
     * its text, unquoted when YAML reads that text as a number or a boolean and a JSON string
     * otherwise, an empty value as null; compact, no comments (JSON for ordinary values, YAML flow
     * style in general). Two YAML texts that differ only in formatting, comments, quoting or key
     * order give the same bytes, and the form read again as YAML gives itself.
     */
    public byte[] canonicalJson() {
        StringBuilder sb = new StringBuilder();
        canonical(node, sb);
        return sb.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8);
    }

    private static void canonical(YamlNode n, StringBuilder sb) {
        if (n instanceof YamlNode.Mapping m) {
            java.util.TreeMap<String, YamlNode> sorted = new java.util.TreeMap<>();
            m.entries().forEach(e -> sorted.put(e.key(), e.value()));
            sb.append('{');
            boolean first = true;
            for (Map.Entry<String, YamlNode> e : sorted.entrySet()) {
                sb.append(first ? "" : ",");
                first = false;
                quote(e.getKey(), sb);
                sb.append(':');
                canonical(e.getValue(), sb);
            }
            sb.append('}');
        } else if (n instanceof YamlNode.Sequence q) {
            sb.append('[');
            for (int i = 0; i < q.items().size(); i++) {
                sb.append(i == 0 ? "" : ",");
                canonical(q.items().get(i), sb);
            }
            sb.append(']');
        } else {
            YamlNode.Scalar s = (YamlNode.Scalar) n;
            if (s.kind() == YamlNode.Kind.NULL) {
                sb.append("null");
            } else if (YamlNode.plainKind(s.text()) == YamlNode.Kind.STRING) {
                quote(s.text(), sb);
            } else {
                // text that YAML reads unquoted as a number or a boolean ("2.10", 0, true), however it was quoted:
                // read again, the form gives the same text of a kind the spec's readers take wherever they take text
                sb.append(s.text());
            }
        }
    }

    private static void quote(String text, StringBuilder sb) {
        sb.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"' || c == '\\') {
                sb.append('\\').append(c);
            } else if (c < 0x20) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04x", (int) c));
            } else {
                sb.append(c);
            }
        }
        sb.append('"');
    }

    private SpecNode(String file, String key, YamlNode node, Map<String, Integer> lines) {
        this.file = file;
        this.key = key;
        this.node = node;
        this.lines = lines;
        lines.putIfAbsent(key, node.line());
    }

    /** The line of each key path read so far (a later check that finds a problem can name it). */
    public Map<String, Integer> lines() {
        return lines;
    }

    public String key() {
        return key;
    }

    public int line() {
        return node.line();
    }

    public boolean isNull() {
        return node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.NULL;
    }

    public boolean isScalar() {
        return node instanceof YamlNode.Scalar s && s.kind() != YamlNode.Kind.NULL;
    }

    public boolean isInteger() {
        return node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.INTEGER;
    }

    public SpecException error(String problem, String hint) {
        return new SpecException(file, node.line(), key, problem, hint);
    }

    /** An error about this node reported at another line, e.g. that of its key. */
    public SpecException error(int line, String problem, String hint) {
        return new SpecException(file, line, key, problem, hint);
    }

    /** Places an error found by a value parser (like {@link SourceLine#parse}) at this node. */
    public SpecException locate(SpecException e) {
        return e.at(file, node.line(), key);
    }

    public SpecException expected(String what, String hint) {
        return error("expected " + what + ", found " + found(), hint);
    }

    /** A mapping whose keys must all be among {@code known}. */
    public Fields fields(String what, String... known) {
        YamlNode.Mapping m = mapping(what);
        Map<String, SpecNode> byKey = new LinkedHashMap<>();
        for (YamlNode.Entry e : m.entries()) {
            if (!List.of(known).contains(e.key())) {
                String childKey = child(e.key());
                Optional<String> closest = closest(e.key(), known);
                throw new SpecException(file, e.line(), childKey, "unknown key",
                        closest.map(c -> "did you mean '" + c + "'?")
                                .orElse("the keys here are " + String.join(", ", known)));
            }
            byKey.put(e.key(), new SpecNode(file, child(e.key()), e.value(), lines));
        }
        return new Fields(this, byKey);
    }

    /** A mapping with keys of the user's choosing, in the order written. */
    public List<Member> members(String what) {
        List<Member> members = new ArrayList<>();
        for (YamlNode.Entry e : mapping(what).entries()) {
            members.add(new Member(e.key(), e.line(), new SpecNode(file, child(e.key()), e.value(), lines)));
        }
        return members;
    }

    /** A key of the user's choosing, its line, and its value. */
    public record Member(String name, int line, SpecNode value) {}

    public List<SpecNode> list(String what) {
        if (!(node instanceof YamlNode.Sequence seq)) {
            throw expected(what, null);
        }
        List<SpecNode> items = new ArrayList<>();
        for (YamlNode item : seq.items()) {
            items.add(new SpecNode(file, key + "[" + items.size() + "]", item, lines));
        }
        return items;
    }

    /** Any non-empty scalar, as written: {@code cmd: 1.0} is the string "1.0", as in apko. */
    public String string(String what) {
        if (!isScalar()) {
            throw expected(what, null);
        }
        String text = ((YamlNode.Scalar) node).text();
        if (text.isBlank()) {
            throw expected(what, null);
        }
        return text;
    }

    /** A decimal integer in {@code [min, max]}. */
    public long integer(String what, long min, long max) {
        if (!isInteger()) {
            throw expected(what, null);
        }
        String text = ((YamlNode.Scalar) node).text();
        if (!text.matches("-?(0|[1-9][0-9]*)")) {
            throw expected(what, "write it in decimal digits");
        }
        long value;
        try {
            value = Long.parseLong(text);
        } catch (NumberFormatException e) {
            value = Long.MAX_VALUE;
        }
        if (value < min || value > max) {
            throw error("expected " + what + " from " + min + " to " + max + ", found " + text, null);
        }
        return value;
    }

    public boolean bool() {
        if (node instanceof YamlNode.Scalar s && s.kind() == YamlNode.Kind.BOOLEAN) {
            String t = s.text().toLowerCase(java.util.Locale.ROOT);
            return t.equals("true") || t.equals("yes") || t.equals("on") || t.equals("y");
        }
        throw expected("true or false", null);
    }

    /** The raw text of a scalar of any kind (octal modes arrive as strings or integers). */
    public String scalarText(String what) {
        if (!isScalar()) {
            throw expected(what, null);
        }
        return ((YamlNode.Scalar) node).text();
    }

    private YamlNode.Mapping mapping(String what) {
        if (!(node instanceof YamlNode.Mapping m)) {
            throw expected(what, null);
        }
        return m;
    }

    private String child(String name) {
        return key.isEmpty() ? name : key + "." + name;
    }

    private String found() {
        if (node instanceof YamlNode.Mapping) {
            return "a mapping";
        }
        if (node instanceof YamlNode.Sequence) {
            return "a list";
        }
        YamlNode.Scalar s = (YamlNode.Scalar) node;
        if (s.kind() == YamlNode.Kind.NULL) {
            return "an empty value";
        }
        return "'" + s.text() + "'";
    }

    /** The known key nearest to a misspelt one, if it is near enough to be what was meant. */
    public static Optional<String> closest(String key, String... known) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String k : known) {
            int d = distance(key.toLowerCase(java.util.Locale.ROOT).replace('_', '-'), k);
            if (d < bestDistance) {
                best = k;
                bestDistance = d;
            }
        }
        int allowed = Math.max(1, Math.min(3, key.length() / 3));
        return bestDistance <= allowed ? Optional.of(best) : Optional.empty();
    }

    private static int distance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    /** A mapping's values by key, after its keys were checked. */
    public static final class Fields {
        private final SpecNode parent;
        private final Map<String, SpecNode> byKey;

        Fields(SpecNode parent, Map<String, SpecNode> byKey) {
            this.parent = parent;
            this.byKey = byKey;
        }

        public Optional<SpecNode> optional(String name) {
            return Optional.ofNullable(byKey.get(name));
        }

        public SpecNode required(String name, String hint) {
            SpecNode value = byKey.get(name);
            if (value == null) {
                throw missing(name, hint);
            }
            return value;
        }

        /** The error for a key that this mapping needs and does not have. */
        public SpecException missing(String name, String hint) {
            return new SpecException(parent.file, parent.line(), parent.child(name), "missing", hint);
        }
    }
}
