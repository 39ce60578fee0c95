package dev.kiln.resolver.lock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.resolver.ResolveException;
import dev.kiln.store.Digest;
import dev.kiln.store.json.JsonTree;
import dev.kiln.store.json.MalformedJsonException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * What a copy (a local {@code source} copied into an image) holds, in one canonical form whose sha256 is
 * the digest the lock pins ({@link Lock.Copy#sha256()}). It says exactly what reaches the
 * image from the source and nothing else: each path relative to the source, its type, its mode as
 * kiln normalizes it (0755 for directories and for files with the owner's executable bit, 0644 for
 * other files, 0777 for symlinks), a symlink's target and a file's size and sha256. Owners and
 * times come from the spec and the image epoch, so they are not in it.
 *
 * <p>The bytes are compact JSON with keys in a fixed order and entries in byte order of their
 * UTF-8 paths, ending in a newline:
 * {@code {"listing":"kiln-source-1","type":"directory","entries":[{"path":"bin","type":"directory","mode":"0755"},...]}}.
 * A file source is {@code {"listing":"kiln-source-1","type":"file","mode":"0644","size":12,"sha256":"..."}}.
 *
 * @param kind whether the source is one file or a directory tree
 * @param entries for a directory, everything below it (not the directory itself), in path order;
 *     for a file, the file alone with the path {@code "."}
 */
public record CopyListing(Kind kind, List<Item> entries) {
    /** The format name at the head of every listing; changing the form means a new name. */
    public static final String FORMAT = "kiln-source-1";

    private static final JsonFactory FACTORY = new JsonFactory();
    private static final Comparator<String> BYTE_ORDER = (a, b) -> Arrays.compareUnsigned(
            a.getBytes(java.nio.charset.StandardCharsets.UTF_8), b.getBytes(java.nio.charset.StandardCharsets.UTF_8));

    public enum Kind { FILE, DIRECTORY }

    public enum Type {
        FILE("file"), DIRECTORY("directory"), SYMLINK("symlink");

        private final String json;

        Type(String json) {
            this.json = json;
        }
    }

    /**
     * One path of a source.
     *
     * @param path relative to the source, {@code /}-separated, without {@code .} or {@code ..}
     *     components ({@code "."} for a file source itself)
     * @param size and {@code sha256}: a file's; 0 and null otherwise
     * @param target a symlink's target as it reads; null otherwise
     */
    public record Item(String path, Type type, int mode, long size, Digest sha256, String target) {
        public Item {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
            if ((type == Type.FILE) != (sha256 != null) || (type == Type.SYMLINK) != (target != null)) {
                throw new IllegalArgumentException(path + ": a " + type.json + " with"
                        + (sha256 != null ? " a sha256" : "") + (target != null ? " a target" : "") + " is not an entry");
            }
            if (size < 0 || (type != Type.FILE && size != 0)) {
                throw new IllegalArgumentException(path + ": size " + size);
            }
            if ((mode & ~07777) != 0) {
                throw new IllegalArgumentException(path + ": mode " + Integer.toOctalString(mode));
            }
        }

        public static Item file(String path, int mode, long size, Digest sha256) {
            return new Item(path, Type.FILE, mode, size, Objects.requireNonNull(sha256, "sha256"), null);
        }

        public static Item directory(String path) {
            return new Item(path, Type.DIRECTORY, 0755, 0, null, null);
        }

        public static Item symlink(String path, String target) {
            return new Item(path, Type.SYMLINK, 0777, 0, null, Objects.requireNonNull(target, "target"));
        }
    }

    public CopyListing {
        Objects.requireNonNull(kind, "kind");
        List<Item> sorted = new ArrayList<>(entries);
        sorted.sort(Comparator.comparing(Item::path, BYTE_ORDER));
        entries = List.copyOf(sorted);
        if (kind == Kind.FILE) {
            if (entries.size() != 1 || !entries.get(0).path().equals(".") || entries.get(0).type() != Type.FILE) {
                throw new IllegalArgumentException("a file source lists exactly one file, '.', found " + entries);
            }
        } else {
            Set<String> seen = new HashSet<>();
            Set<String> dirs = new HashSet<>();
            for (Item e : entries) {
                checkRelative(e.path());
                if (!seen.add(e.path())) {
                    throw new IllegalArgumentException("'" + e.path() + "' is listed twice");
                }
                int slash = e.path().lastIndexOf('/');
                if (slash > 0 && !dirs.contains(e.path().substring(0, slash))) {
                    throw new IllegalArgumentException("'" + e.path() + "' is listed without its directory");
                }
                if (e.type() == Type.DIRECTORY) {
                    dirs.add(e.path());
                }
            }
        }
    }

    private static void checkRelative(String path) {
        if (path.isEmpty() || path.startsWith("/") || path.endsWith("/")) {
            throw new IllegalArgumentException("'" + path + "' is not a relative path");
        }
        for (String c : path.split("/", -1)) {
            if (c.isEmpty() || c.equals(".") || c.equals("..")) {
                throw new IllegalArgumentException("'" + path + "' is not a normal relative path");
            }
        }
        for (int i = 0; i < path.length(); i++) {
            if (Character.isISOControl(path.charAt(i))) {
                throw new IllegalArgumentException("'" + path + "' holds a control character");
            }
        }
    }

    /** The number of regular files. */
    public int files() {
        return (int) entries.stream().filter(e -> e.type() == Type.FILE).count();
    }

    /** The bytes of every regular file together. */
    public long size() {
        return entries.stream().mapToLong(Item::size).sum();
    }

    /** The canonical bytes. */
    public byte[] json() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            g.writeStartObject();
            g.writeStringField("listing", FORMAT);
            g.writeStringField("type", kind == Kind.FILE ? "file" : "directory");
            if (kind == Kind.FILE) {
                Item f = entries.get(0);
                g.writeStringField("mode", mode(f.mode()));
                g.writeNumberField("size", f.size());
                g.writeStringField("sha256", f.sha256().hex());
            } else {
                g.writeArrayFieldStart("entries");
                for (Item e : entries) {
                    g.writeStartObject();
                    g.writeStringField("path", e.path());
                    g.writeStringField("type", e.type().json);
                    g.writeStringField("mode", mode(e.mode()));
                    if (e.type() == Type.FILE) {
                        g.writeNumberField("size", e.size());
                        g.writeStringField("sha256", e.sha256().hex());
                    } else if (e.type() == Type.SYMLINK) {
                        g.writeStringField("target", e.target());
                    }
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /** The digest a lock pins: the sha256 of {@link #json()}. */
    public Digest digest() {
        return Digest.of(json());
    }

    private static String mode(int mode) {
        return String.format("%04o", mode);
    }

    /**
     * Reads a listing back; only its canonical form is accepted, so that one listing has one
     * digest. {@code what} names it in errors.
     */
    public static CopyListing parse(byte[] json, String what) {
        CopyListing listing;
        try {
            JsonNode root = JsonTree.read(json);
            if (root == null || !FORMAT.equals(root.path("listing").asText())) {
                throw new IllegalArgumentException("not a " + FORMAT + " listing");
            }
            String type = root.path("type").asText();
            if (type.equals("file")) {
                listing = new CopyListing(Kind.FILE, List.of(Item.file(".", parseMode(root.path("mode")),
                        root.path("size").asLong(-1), Digest.parse(root.path("sha256").asText()))));
            } else if (type.equals("directory")) {
                List<Item> items = new ArrayList<>();
                for (JsonNode e : root.path("entries")) {
                    String path = e.path("path").asText();
                    items.add(switch (e.path("type").asText()) {
                        case "file" -> Item.file(path, parseMode(e.path("mode")), e.path("size").asLong(-1),
                                Digest.parse(e.path("sha256").asText()));
                        case "directory" -> new Item(path, Type.DIRECTORY, parseMode(e.path("mode")), 0, null, null);
                        case "symlink" -> new Item(path, Type.SYMLINK, parseMode(e.path("mode")), 0, null, e.path("target").asText());
                        default -> throw new IllegalArgumentException("'" + path + "' has type '" + e.path("type").asText() + "'");
                    });
                }
                listing = new CopyListing(Kind.DIRECTORY, items);
            } else {
                throw new IllegalArgumentException("type '" + type + "'");
            }
        } catch (MalformedJsonException | IllegalArgumentException e) {
            throw new ResolveException(what + ": not a source listing: " + e.getMessage());
        }
        if (!Arrays.equals(listing.json(), json)) {
            throw new ResolveException(what + ": a source listing, but not in its canonical form");
        }
        return listing;
    }

    private static int parseMode(JsonNode n) {
        String text = n.asText();
        if (!text.matches("[0-7]{4}")) {
            throw new IllegalArgumentException("mode '" + text + "'");
        }
        return Integer.parseInt(text, 8);
    }

    /**
     * How {@code now} differs from this listing, one line per path, for messages: {@code + PATH},
     * {@code - PATH}, {@code ~ PATH: content}, {@code ~ PATH: mode 0644 -> 0755}, and so on.
     */
    public List<String> changesTo(CopyListing now) {
        Map<String, Item> a = byPath(this);
        Map<String, Item> b = byPath(now);
        TreeMap<String, String> out = new TreeMap<>(BYTE_ORDER);
        for (Map.Entry<String, Item> e : a.entrySet()) {
            Item was = e.getValue();
            Item is = b.get(e.getKey());
            if (is == null) {
                out.put(e.getKey(), "- " + e.getKey());
            } else if (was.type() != is.type()) {
                out.put(e.getKey(), "~ " + e.getKey() + ": a " + was.type().json + ", now a " + is.type().json);
            } else {
                List<String> what = new ArrayList<>();
                if (!Objects.equals(was.sha256(), is.sha256())) {
                    what.add("content (" + was.size() + " bytes " + was.sha256().shortHex() + " -> " + is.size() + " bytes "
                            + is.sha256().shortHex() + ")");
                }
                if (was.mode() != is.mode()) {
                    what.add("mode " + mode(was.mode()) + " -> " + mode(is.mode()));
                }
                if (!Objects.equals(was.target(), is.target())) {
                    what.add("target " + was.target() + " -> " + is.target());
                }
                if (!what.isEmpty()) {
                    out.put(e.getKey(), "~ " + e.getKey() + ": " + String.join(", ", what));
                }
            }
        }
        for (String p : b.keySet()) {
            if (!a.containsKey(p)) {
                out.put(p, "+ " + p);
            }
        }
        if (kind != now.kind) {
            return List.of("~ a " + kind.name().toLowerCase(java.util.Locale.ROOT) + ", now a "
                    + now.kind.name().toLowerCase(java.util.Locale.ROOT));
        }
        return List.copyOf(out.values());
    }

    private static Map<String, Item> byPath(CopyListing l) {
        Map<String, Item> m = new LinkedHashMap<>();
        for (Item i : l.entries) {
            m.put(i.path(), i);
        }
        return m;
    }
}
