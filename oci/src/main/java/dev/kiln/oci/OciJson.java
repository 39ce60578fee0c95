package dev.kiln.oci;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The one JSON form of kiln's OCI objects, whose sha256 is the object's digest. Canonical by
 * construction:
 *
 * <ul>
 *   <li>object keys sorted by Unicode code point at every level (one rule, checkable, and the
 *       order canonical-JSON tools expect; the spec's documentation order differs per object);
 *   <li>no whitespace between tokens, no trailing newline, UTF-8;
 *   <li>strings escape only {@code "}, {@code \} and control characters ({@code \n}, {@code \t}, ...,
 *       else {@code \}{@code u00xx}); every other character is written as itself; a lone
 *       surrogate is refused;
 *   <li>empty optional fields (lists, maps, strings) are left out, as Go's {@code omitempty} does;
 *   <li>times are RFC 3339 in UTC without fractions, e.g. {@code 1970-01-01T00:00:00Z};
 *   <li>arrays keep their order: layers, manifests, {@code Env}, {@code Entrypoint}, {@code Cmd}.
 * </ul>
 */
public final class OciJson {
    /** Code point order for keys, labels, annotations, volumes and ports. */
    public static final Comparator<String> KEY_ORDER = OciJson::compareCodePoints;

    /** The content of an image layout's {@code oci-layout} file. */
    public static final byte[] LAYOUT_MARKER = "{\"imageLayoutVersion\":\"1.0.0\"}".getBytes(StandardCharsets.UTF_8);

    /** The content of the empty descriptor's blob ({@link MediaTypes#EMPTY}). */
    public static final byte[] EMPTY_OBJECT = "{}".getBytes(StandardCharsets.UTF_8);

    private OciJson() {}

    public static byte[] config(ImageConfigFile file) {
        Obj o = new Obj();
        o.put("architecture", file.platform().architecture());
        o.put("os", file.platform().os());
        file.platform().variant().ifPresent(v -> o.put("variant", v));
        file.created().ifPresent(t -> o.put("created", time(t)));
        o.put("config", runtime(file.config()));
        Obj rootfs = new Obj();
        rootfs.put("type", "layers");
        rootfs.put("diff_ids", file.diffIds().stream().map(Object::toString).toList());
        o.put("rootfs", rootfs);
        if (!file.history().isEmpty()) {
            List<Object> history = new ArrayList<>();
            for (ImageConfigFile.History h : file.history()) {
                Obj step = new Obj();
                h.created().ifPresent(t -> step.put("created", time(t)));
                h.createdBy().ifPresent(s -> step.put("created_by", s));
                h.comment().ifPresent(s -> step.put("comment", s));
                if (h.emptyLayer()) {
                    step.put("empty_layer", Boolean.TRUE);
                }
                history.add(step);
            }
            o.put("history", history);
        }
        return encode(o);
    }

    public static byte[] manifest(Manifest manifest) {
        Obj o = new Obj();
        o.put("schemaVersion", 2L);
        o.put("mediaType", MediaTypes.MANIFEST);
        o.put("config", descriptor(manifest.config()));
        o.put("layers", manifest.layers().stream().map(d -> (Object) descriptor(d)).toList());
        putNonEmpty(o, "annotations", manifest.annotations());
        return encode(o);
    }

    public static byte[] index(Index index) {
        Obj o = new Obj();
        o.put("schemaVersion", 2L);
        o.put("mediaType", MediaTypes.INDEX);
        o.put("manifests", index.manifests().stream().map(d -> (Object) descriptor(d)).toList());
        putNonEmpty(o, "annotations", index.annotations());
        return encode(o);
    }

    /** An image manifest that carries an artifact: {@code artifactType}, its blobs as layers, and {@code subject}. */
    public static byte[] artifactManifest(ArtifactManifest manifest) {
        Obj o = new Obj();
        o.put("schemaVersion", 2L);
        o.put("mediaType", MediaTypes.MANIFEST);
        o.put("artifactType", manifest.artifactType());
        o.put("config", descriptor(manifest.config()));
        o.put("layers", manifest.layers().stream().map(d -> (Object) descriptor(d)).toList());
        o.put("subject", descriptor(manifest.subject()));
        putNonEmpty(o, "annotations", manifest.annotations());
        return encode(o);
    }

    public static byte[] descriptorBytes(Descriptor d) {
        return encode(descriptor(d));
    }

    /**
     * Any JSON value in this canonical form, for documents that travel beside an image (SBOM,
     * provenance): maps (keys sorted by code point, whatever the map's own order), lists, strings,
     * integers and booleans. Empty maps and lists are written as given, not left out.
     */
    public static byte[] canonical(Object value) {
        return encode(tree(value));
    }

    private static Object tree(Object value) {
        if (value instanceof Map<?, ?> map) {
            Obj o = new Obj();
            map.forEach((k, v) -> {
                if (!(k instanceof String key)) {
                    throw new IllegalArgumentException("a JSON object key must be a string, found " + k);
                }
                o.put(key, tree(v));
            });
            return o;
        } else if (value instanceof List<?> list) {
            return list.stream().map(OciJson::tree).toList();
        } else if (value instanceof Integer n) {
            return n.longValue();
        } else if (value instanceof String || value instanceof Long || value instanceof Boolean) {
            return value;
        }
        throw new IllegalArgumentException("not a JSON value: " + value);
    }

    /** RFC 3339 in UTC, whole seconds: what {@code created} holds. */
    public static String time(Instant t) {
        return DateTimeFormatter.ISO_INSTANT.format(Instant.ofEpochSecond(t.getEpochSecond()));
    }

    private static Obj runtime(ImageConfig c) {
        Obj o = new Obj();
        c.user().ifPresent(u -> o.put("User", u));
        putNonEmpty(o, "Env", c.env());
        putNonEmpty(o, "Entrypoint", c.entrypoint());
        putNonEmpty(o, "Cmd", c.cmd());
        c.workingDir().ifPresent(w -> o.put("WorkingDir", w));
        putNonEmpty(o, "Labels", c.labels());
        c.stopSignal().ifPresent(s -> o.put("StopSignal", s));
        putSet(o, "Volumes", c.volumes());
        putSet(o, "ExposedPorts", c.exposedPorts());
        return o;
    }

    private static Obj descriptor(Descriptor d) {
        Obj o = new Obj();
        o.put("mediaType", d.mediaType());
        o.put("digest", d.digest().toString());
        o.put("size", d.size());
        putNonEmpty(o, "annotations", d.annotations());
        d.platform().ifPresent(p -> {
            Obj platform = new Obj();
            platform.put("architecture", p.architecture());
            platform.put("os", p.os());
            p.variant().ifPresent(v -> platform.put("variant", v));
            o.put("platform", platform);
        });
        return o;
    }

    private static void putNonEmpty(Obj o, String key, List<String> list) {
        if (!list.isEmpty()) {
            o.put(key, List.copyOf(list));
        }
    }

    private static void putNonEmpty(Obj o, String key, Map<String, String> map) {
        if (!map.isEmpty()) {
            Obj m = new Obj();
            map.forEach(m::put);
            o.put(key, m);
        }
    }

    /** A set as JSON writes it in the config: an object whose values are all {@code {}}. */
    private static void putSet(Obj o, String key, Iterable<String> set) {
        Obj m = new Obj();
        for (String s : set) {
            m.put(s, new Obj());
        }
        if (!m.isEmpty()) {
            o.put(key, m);
        }
    }

    /** A JSON object; the map's order is the output order, so no insertion order can leak. */
    private static final class Obj extends TreeMap<String, Object> {
        private static final long serialVersionUID = 1L;

        Obj() {
            super(KEY_ORDER);
        }
    }

    private static byte[] encode(Object value) {
        StringBuilder s = new StringBuilder();
        write(s, value);
        return s.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static void write(StringBuilder s, Object value) {
        if (value instanceof String str) {
            string(s, str);
        } else if (value instanceof Long n) {
            s.append(n.longValue());
        } else if (value instanceof Boolean b) {
            s.append(b.booleanValue());
        } else if (value instanceof Obj obj) {
            s.append('{');
            boolean first = true;
            for (Map.Entry<String, Object> e : obj.entrySet()) {
                if (!first) {
                    s.append(',');
                }
                first = false;
                string(s, e.getKey());
                s.append(':');
                write(s, e.getValue());
            }
            s.append('}');
        } else if (value instanceof List<?> list) {
            s.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    s.append(',');
                }
                write(s, list.get(i));
            }
            s.append(']');
        } else {
            throw new IllegalStateException("not a JSON value: " + value);
        }
    }

    private static void string(StringBuilder s, String str) {
        s.append('"');
        for (int i = 0; i < str.length(); i++) {
            char c = str.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                case '\b' -> s.append("\\b");
                case '\f' -> s.append("\\f");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format("\\u%04x", (int) c));
                    } else if (Character.isHighSurrogate(c) && i + 1 < str.length()
                            && Character.isLowSurrogate(str.charAt(i + 1))) {
                        s.append(c).append(str.charAt(++i));
                    } else if (Character.isSurrogate(c)) {
                        throw new IllegalArgumentException("a lone surrogate at index " + i + " of a JSON string");
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }

    private static int compareCodePoints(String a, String b) {
        int i = 0;
        int j = 0;
        while (i < a.length() && j < b.length()) {
            int ca = a.codePointAt(i);
            int cb = b.codePointAt(j);
            if (ca != cb) {
                return Integer.compare(ca, cb);
            }
            i += Character.charCount(ca);
            j += Character.charCount(cb);
        }
        return Integer.compare(a.length() - i, b.length() - j);
    }
}
