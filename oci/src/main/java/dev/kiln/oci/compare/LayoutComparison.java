package dev.kiln.oci.compare;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.oci.LayerCompression;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.compare.Difference.Aspect;
import dev.kiln.oci.compare.LayerListing.Item;
import dev.kiln.store.Digest;
import dev.kiln.store.json.JsonTree;
import dev.kiln.store.json.MalformedJsonException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;

/** One comparison of two layouts: walks both from {@code index.json} down, blob pair by blob pair. */
final class LayoutComparison {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long MAX_JSON_BYTES = 16L << 20;
    private static final List<String> GZIP_HEADER = List.of("ID1", "ID2", "CM", "FLG", "MTIME", "MTIME", "MTIME",
            "MTIME", "XFL", "OS");

    private final Side left;
    private final Side right;
    private final int entryLimit;
    private final List<Difference> out = new ArrayList<>();
    private final Set<String> visitedPairs = new HashSet<>();
    private int omitted;

    LayoutComparison(Path left, Path right, int entryLimit) {
        this.left = new Side(left.toAbsolutePath().normalize(), "left");
        this.right = new Side(right.toAbsolutePath().normalize(), "right");
        this.entryLimit = entryLimit;
    }

    ImageDiff run() {
        for (Side s : List.of(left, right)) {
            if (!Files.isDirectory(s.root)) {
                throw new OciException(OciException.Kind.NOT_A_LAYOUT,
                        "cannot compare " + s.root + ": expected an OCI image layout directory, found "
                        + (Files.exists(s.root) ? "a file" : "nothing"));
            }
        }
        layoutFile("oci-layout");
        Optional<byte[]> li = left.layoutFile("index.json");
        Optional<byte[]> ri = right.layoutFile("index.json");
        if (li.isPresent() && ri.isPresent()) {
            Optional<JsonNode> l = json("index.json", li.get(), ri.get());
            Optional<JsonNode> r = l.isPresent() ? Optional.ofNullable(parse(ri.get())) : Optional.empty();
            if (l.isPresent() && r.isPresent()) {
                children("", named(l.get()), named(r.get()), true);
            }
        } else if (li.isPresent() != ri.isPresent()) {
            out.add(new Difference("layout", li.isPresent() ? Aspect.ONLY_LEFT : Aspect.ONLY_RIGHT, "index.json", "", ""));
            Side present = li.isPresent() ? left : right;
            JsonNode index = parse(li.orElseGet(ri::get));
            if (index != null) {
                JsonFields.elements(index, "manifests").forEachRemaining(d -> descriptor(d).ifPresent(x -> verifyOnly(present, x)));
            }
        }
        otherFiles();
        unreferencedBlobs();
        return new ImageDiff(left.root, right.root, out, omitted);
    }

    /**
     * Compares only what the two images {@code l} and {@code r} reach (an index or a manifest and
     * everything below), not the layouts' {@code index.json} or other blobs: how a rebuild is held
     * against a published image, whatever else either layout holds.
     */
    ImageDiff runFrom(Digest l, String lMediaType, Digest r, String rMediaType) {
        compare("", null, new Desc(lMediaType, l, null), new Desc(rMediaType, r, null));
        return new ImageDiff(left.root, right.root, out, omitted);
    }

    /**
     * index.json as the walk sees it: only the entry named {@code latest} when there is one (kiln
     * also names each platform's manifest {@code latest-<arch>}, which the walk reaches through it),
     * else every entry.
     */
    private static JsonNode named(JsonNode index) {
        JsonNode manifests = index.get("manifests");
        if (manifests == null || !manifests.isArray()) {
            return index;
        }
        com.fasterxml.jackson.databind.node.ArrayNode latest = JSON.createArrayNode();
        for (JsonNode m : manifests) {
            if (dev.kiln.oci.ImageLayout.IMAGE_REF.equals(m.path("annotations").path(dev.kiln.oci.ImageLayout.REF_NAME).asText(null))) {
                latest.add(m);
            }
        }
        if (latest.size() != 1) {
            return index;
        }
        com.fasterxml.jackson.databind.node.ObjectNode copy = ((com.fasterxml.jackson.databind.node.ObjectNode) index).deepCopy();
        copy.set("manifests", latest);
        return copy;
    }

    // ---- the walk

    /** A descriptor as the walk needs it; {@code platform} is {@code os/arch[/variant]} when it names one. */
    private record Desc(String mediaType, Digest digest, String platform) {
    }

    private static Optional<Desc> descriptor(JsonNode node) {
        String mediaType = JsonFields.text(node, "mediaType");
        String digest = JsonFields.text(node, "digest");
        if (mediaType == null || digest == null) {
            return Optional.empty();
        }
        Digest d;
        try {
            d = Digest.parse(digest);
        } catch (IllegalArgumentException notSha256) {
            return Optional.empty();
        }
        JsonNode p = node.get("platform");
        String platform = null;
        if (p != null && p.isObject()) {
            String os = Objects.requireNonNullElse(JsonFields.text(p, "os"), "?");
            String arch = Objects.requireNonNullElse(JsonFields.text(p, "architecture"), "?");
            String variant = JsonFields.text(p, "variant");
            platform = os + "/" + arch + (variant == null ? "" : "/" + variant);
        }
        return Optional.of(new Desc(mediaType, d, platform));
    }

    /**
     * Pairs the descriptors an index (or {@code index.json}) lists, by platform when each side names
     * each platform once, else by position; compares each pair.
     */
    private void children(String label, JsonNode l, JsonNode r, boolean index) {
        if (index) {
            List<Desc> ls = descriptors(l, "manifests");
            List<Desc> rs = descriptors(r, "manifests");
            if (byPlatform(ls) && byPlatform(rs)) {
                Map<String, Desc> rm = new LinkedHashMap<>();
                rs.forEach(d -> rm.put(d.platform(), d));
                for (Desc d : ls) {
                    Desc other = rm.remove(d.platform());
                    if (other == null) {
                        verifyOnly(left, d);
                    } else {
                        compare(label, d.platform(), d, other);
                    }
                }
                rm.values().forEach(d -> verifyOnly(right, d));
            } else {
                pairByPosition(ls, rs, i -> label + (ls.size() + rs.size() > 2 ? " manifests[" + i + "]" : ""), label);
            }
        } else {
            List<Desc> lc = descriptors(l, "config");
            List<Desc> rc = descriptors(r, "config");
            pairByPosition(lc, rc, i -> label, label);
            pairByPosition(descriptors(l, "layers"), descriptors(r, "layers"), i -> label + " layers[" + i + "]", label);
        }
    }

    private interface Label {
        String at(int i);
    }

    private void pairByPosition(List<Desc> ls, List<Desc> rs, Label label, String parent) {
        for (int i = 0; i < Math.max(ls.size(), rs.size()); i++) {
            if (i >= rs.size()) {
                verifyOnly(left, ls.get(i));
            } else if (i >= ls.size()) {
                verifyOnly(right, rs.get(i));
            } else {
                Desc l = ls.get(i);
                String platform = l.platform() != null ? l.platform() : rs.get(i).platform();
                compare(label.at(i), platform, l, rs.get(i));
            }
        }
    }

    private static boolean byPlatform(List<Desc> ds) {
        Set<String> seen = new HashSet<>();
        for (Desc d : ds) {
            if (d.platform() == null || !seen.add(d.platform())) {
                return false;
            }
        }
        return !ds.isEmpty();
    }

    private static List<Desc> descriptors(JsonNode node, String field) {
        JsonNode v = node.get(field);
        List<Desc> out = new ArrayList<>();
        if (v != null && v.isObject()) {
            descriptor(v).ifPresent(out::add);
        } else if (v != null && v.isArray()) {
            v.elements().forEachRemaining(d -> descriptor(d).ifPresent(out::add));
        }
        return out;
    }

    private enum Kind { INDEX, MANIFEST, CONFIG, LAYER, OTHER }

    private static Kind kind(String mediaType) {
        return switch (mediaType) {
            case MediaTypes.INDEX, "application/vnd.docker.distribution.manifest.list.v2+json" -> Kind.INDEX;
            case MediaTypes.MANIFEST, "application/vnd.docker.distribution.manifest.v2+json" -> Kind.MANIFEST;
            case MediaTypes.CONFIG, "application/vnd.docker.container.image.v1+json" -> Kind.CONFIG;
            default -> LayerCompression.ofMediaType(mediaType).isPresent() ? Kind.LAYER : Kind.OTHER;
        };
    }

    /** The role a blob plays, for the report: {@code manifest linux/amd64}, {@code layer linux/amd64 layers[0]}. */
    private static String role(Kind kind, String label) {
        String name = switch (kind) {
            case INDEX -> "index";
            case MANIFEST -> "manifest";
            case CONFIG -> "config";
            case LAYER -> "layer";
            case OTHER -> "blob";
        };
        return label.isEmpty() ? name : name + " " + label.strip();
    }

    private void compare(String label, String platform, Desc l, Desc r) {
        if (!visitedPairs.add(l.digest() + " " + r.digest())) {
            return;
        }
        Kind kind = kind(l.mediaType());
        String childLabel = label.isEmpty() && platform != null ? platform : label;
        String where = role(kind, kind == Kind.MANIFEST || kind == Kind.INDEX ? childLabel : label) + " ("
                + (l.digest().equals(r.digest()) ? l.digest() : l.digest() + " vs " + r.digest()) + ")";
        BlobState bl = left.check(l.digest());
        BlobState br = right.check(r.digest());
        blobState(where, l.digest(), bl, r.digest(), br);
        if (!bl.present() || !br.present()) {
            if (bl.present()) {
                verifyOnly(left, l);
            }
            if (br.present()) {
                verifyOnly(right, r);
            }
            return;
        }
        if (!l.mediaType().equals(r.mediaType())) {
            // the parent's field difference already names both media types
            verifyOnly(left, l);
            verifyOnly(right, r);
            return;
        }
        boolean same = l.digest().equals(r.digest()) && bl.matches(l.digest()) && br.matches(r.digest());
        switch (kind) {
            case INDEX, MANIFEST -> {
                byte[] lb = left.readJson(l.digest());
                byte[] rb = right.readJson(r.digest());
                Optional<JsonNode> ln = same ? Optional.ofNullable(parse(lb)) : json(where, lb, rb);
                JsonNode rn = same ? ln.orElse(null) : parse(rb);
                if (ln.isPresent() && rn != null) {
                    children(childLabel, ln.get(), rn, kind == Kind.INDEX);
                }
            }
            case CONFIG -> {
                if (!same) {
                    json(where, left.readJson(l.digest()), right.readJson(r.digest()));
                }
            }
            case LAYER -> {
                if (!same) {
                    layers(where, left.blob(l.digest()), right.blob(r.digest()), LayerCompression.ofMediaType(l.mediaType()).orElseThrow());
                }
            }
            case OTHER -> {
                if (!same) {
                    bytes(where, Aspect.BYTES, left.blob(l.digest()), right.blob(r.digest()), "blob");
                }
            }
        }
    }

    private void blobState(String where, Digest ld, BlobState l, Digest rd, BlobState r) {
        if (!l.present() || !r.present()) {
            String subject = ld.equals(rd) ? "blobs/sha256/" + ld.hex() : "blobs/sha256/" + ld.hex() + " vs " + rd.hex();
            out.add(new Difference(where, Aspect.MISSING_BLOB, subject, l.present() ? "present" : "missing",
                    r.present() ? "present" : "missing"));
        }
        if (l.present() && r.present() && (!l.matches(ld) || !r.matches(rd))) {
            String subject = ld.equals(rd) ? "blobs/sha256/" + ld.hex() : "blobs/sha256/" + ld.hex() + " vs " + rd.hex();
            out.add(new Difference(where, Aspect.DIGEST_MISMATCH, subject, l.describe(ld), r.describe(rd)));
        }
    }

    /** Checks a blob present on one side only, and what it reaches, so that its corruption is reported too. */
    private void verifyOnly(Side side, Desc d) {
        if (!side.verified.add(d.digest())) {
            return;
        }
        BlobState s = side.check(d.digest());
        String where = role(kind(d.mediaType()), d.platform() == null ? "" : d.platform()) + " (" + d.digest() + ", "
                + side.name + " only)";
        if (!s.present()) {
            out.add(new Difference(where, Aspect.MISSING_BLOB, "blobs/sha256/" + d.digest().hex(),
                    side == left ? "missing" : "", side == right ? "missing" : ""));
            return;
        }
        if (!s.matches(d.digest())) {
            out.add(new Difference(where, Aspect.DIGEST_MISMATCH, "blobs/sha256/" + d.digest().hex(),
                    side == left ? s.describe(d.digest()) : "", side == right ? s.describe(d.digest()) : ""));
        }
        Kind k = kind(d.mediaType());
        if (k == Kind.INDEX || k == Kind.MANIFEST) {
            JsonNode n = parse(side.readJson(d.digest()));
            if (n != null) {
                for (String field : k == Kind.INDEX ? List.of("manifests") : List.of("config", "layers")) {
                    descriptors(n, field).forEach(c -> verifyOnly(side, c));
                }
            }
        }
    }

    // ---- JSON blobs

    /** Compares two JSON blobs field by field; returns the left value when both parse. */
    private Optional<JsonNode> json(String where, byte[] lb, byte[] rb) {
        JsonNode l = parse(lb);
        JsonNode r = parse(rb);
        if (l == null || r == null) {
            out.add(new Difference(where, Aspect.UNREADABLE, "JSON", l == null ? unparsable(lb) : "ok",
                    r == null ? unparsable(rb) : "ok"));
            return Optional.empty();
        }
        int before = out.size();
        JsonFields.diff(where, "", l, r, out);
        if (out.size() == before && !Arrays.equals(lb, rb)) {
            int at = Arrays.mismatch(lb, rb);
            out.add(new Difference(where, Aspect.JSON_BYTES, "byte " + at, snippet(lb, at), snippet(rb, at)));
        }
        return Optional.of(l);
    }

    private static JsonNode parse(byte[] bytes) {
        if (bytes == null) {
            return null;
        }
        try {
            JsonNode n = JSON.readTree(bytes);
            return n != null && n.isObject() ? n : null;
        } catch (IOException e) {
            return null;
        }
    }

    private static String unparsable(byte[] bytes) {
        if (bytes == null) {
            return "larger than " + MAX_JSON_BYTES + " bytes";
        }
        try {
            // said by the strict reader, whose words are kiln's: the lenient one's name parser internals
            JsonTree.read(bytes);
            return "not a JSON object";
        } catch (MalformedJsonException e) {
            return "not JSON: " + e.getMessage();
        }
    }

    private static String snippet(byte[] b, int at) {
        int from = Math.max(0, at - 20);
        int to = Math.min(b.length, at + 20);
        return "…" + new String(b, from, to - from, StandardCharsets.UTF_8).replace("\n", "\\n") + "…";
    }

    // ---- layers

    /** Compares two tar files (each compressed as {@code compression} says) only: how two packages' members are held. */
    ImageDiff runTars(String where, Path l, Path r, LayerCompression compression) {
        layers(where, l, r, compression);
        return new ImageDiff(left.root, right.root, out, omitted);
    }

    private void layers(String where, Path lblob, Path rblob, LayerCompression compression) {
        LayerListing l;
        LayerListing r;
        try {
            l = LayerListing.read(lblob, compression);
            r = LayerListing.read(rblob, compression);
        } catch (IOException e) {
            throw new OciException("cannot read a layer of " + where + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
        if (l.error.isPresent() || r.error.isPresent()) {
            out.add(new Difference(where, Aspect.UNREADABLE, compression == LayerCompression.NONE ? "tar" : compression.name().toLowerCase(
                    java.util.Locale.ROOT) + " tar", l.error.map(e -> "broken after " + l.items.size() + " entries: " + e).orElse("ok"),
                    r.error.map(e -> "broken after " + r.items.size() + " entries: " + e).orElse("ok")));
        }
        List<Ranked> found = entries(where, l, r);
        found.sort(Comparator.comparingInt(Ranked::rank));
        for (int i = 0; i < found.size(); i++) {
            if (i < entryLimit) {
                out.add(found.get(i).difference());
            } else {
                omitted++;
            }
        }
        if (!found.isEmpty() || l.error.isPresent() || r.error.isPresent()) {
            return;
        }
        List<String> lk = l.items.stream().map(Item::key).toList();
        List<String> rk = r.items.stream().map(Item::key).toList();
        if (!lk.equals(rk)) {
            int i = 0;
            while (lk.get(i).equals(rk.get(i))) {
                i++;
            }
            out.add(new Difference(where, Aspect.ORDER, "entry " + i, lk.get(i), rk.get(i)));
        } else if (!l.uncompressed.equals(r.uncompressed)) {
            try (InputStream a = compression.decompress(open(lblob));
                 InputStream b = compression.decompress(open(rblob))) {
                Mismatch m = Mismatch.of(a, b);
                out.add(new Difference(where, Aspect.TAR_BYTES, locate(l.items, m.offset()), m.left(), m.right()));
            } catch (IOException e) {
                throw new OciException("cannot reread a layer of " + where + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
        } else {
            bytes(where, compression == LayerCompression.GZIP ? Aspect.COMPRESSION : Aspect.BYTES, lblob, rblob,
                    compression == LayerCompression.GZIP ? "gzip" : "blob");
        }
    }

    private record Ranked(int rank, Difference difference) {
    }

    /** Entry differences, ranked by where they are in the tar (the left's position, else the right's). */
    private List<Ranked> entries(String where, LayerListing l, LayerListing r) {
        Map<String, Integer> lpos = new HashMap<>();
        Map<String, Item> rmap = new HashMap<>();
        for (int i = 0; i < l.items.size(); i++) {
            lpos.put(l.items.get(i).key(), i);
        }
        for (Item it : r.items) {
            rmap.put(it.key(), it);
        }
        List<Ranked> found = new ArrayList<>();
        // past a break a side's entries are lost or garbage: that is reported once, as UNREADABLE
        boolean whole = l.error.isEmpty() && r.error.isEmpty();
        for (int i = 0; i < l.items.size(); i++) {
            Item a = l.items.get(i);
            Item b = rmap.get(a.key());
            if (b == null) {
                if (whole) {
                    found.add(new Ranked(i, new Difference(where, Aspect.ONLY_LEFT, a.path(), typeName(a.type()), "")));
                }
                continue;
            }
            for (Difference d : entry(where, a, b)) {
                found.add(new Ranked(i, d));
            }
        }
        for (int j = 0; j < r.items.size(); j++) {
            Item b = r.items.get(j);
            if (!lpos.containsKey(b.key()) && whole) {
                found.add(new Ranked(j, new Difference(where, Aspect.ONLY_RIGHT, b.path(), "", typeName(b.type()))));
            }
        }
        return found;
    }

    private static List<Difference> entry(String where, Item a, Item b) {
        List<Difference> d = new ArrayList<>();
        String p = a.path();
        if (a.type() != b.type()) {
            d.add(new Difference(where, Aspect.TYPE, p, typeName(a.type()), typeName(b.type())));
        }
        if (a.size() != b.size() || !a.sha256().equals(b.sha256())) {
            d.add(new Difference(where, Aspect.CONTENT, p, a.size() + " bytes " + a.sha256(), b.size() + " bytes " + b.sha256()));
        }
        if (a.mode() != b.mode()) {
            d.add(new Difference(where, Aspect.MODE, p, String.format("%04o", a.mode()), String.format("%04o", b.mode())));
        }
        String oa = owner(a);
        String ob = owner(b);
        if (!oa.equals(ob)) {
            d.add(new Difference(where, Aspect.OWNER, p, oa, ob));
        }
        if (!a.mtime().equals(b.mtime())) {
            d.add(new Difference(where, Aspect.MTIME, p, time(a.mtime()), time(b.mtime())));
        }
        if (!Objects.equals(a.link(), b.link())) {
            d.add(new Difference(where, Aspect.LINK, p, link(a.link()), link(b.link())));
        }
        if (!a.xattrs().equals(b.xattrs())) {
            d.add(new Difference(where, Aspect.XATTRS, p, a.xattrs().toString(), b.xattrs().toString()));
        }
        if (a.devMajor() != b.devMajor() || a.devMinor() != b.devMinor()) {
            d.add(new Difference(where, Aspect.DEVICE, p, a.devMajor() + "," + a.devMinor(), b.devMajor() + "," + b.devMinor()));
        }
        if (!a.pax().equals(b.pax())) {
            d.add(new Difference(where, Aspect.PAX, p, a.pax().toString(), b.pax().toString()));
        }
        return d;
    }

    private static String typeName(char type) {
        return switch (type) {
            case '0', '7' -> "file";
            case '1' -> "hardlink";
            case '2' -> "symlink";
            case '3' -> "char device";
            case '4' -> "block device";
            case '5' -> "directory";
            case '6' -> "fifo";
            default -> "type '" + type + "'";
        };
    }

    private static String owner(Item it) {
        String names = it.uname().isEmpty() && it.gname().isEmpty() ? "" : " (" + it.uname() + "/" + it.gname() + ")";
        return it.uid() + ":" + it.gid() + names;
    }

    private static String time(Instant t) {
        String seconds = t.getNano() == 0 ? Long.toString(t.getEpochSecond())
                : t.getEpochSecond() + "." + String.format("%09d", t.getNano());
        return seconds + " (" + t + ")";
    }

    private static String link(String target) {
        return target == null ? "(none)" : "'" + target + "'";
    }

    /** Names the part of the tar an offset falls in: an entry's header or data, or the end blocks. */
    private static String locate(List<Item> items, long offset) {
        long previousEnd = 0;
        for (Item it : items) {
            if (offset < it.dataOffset() && offset >= previousEnd) {
                return it.path() + " (header, byte " + offset + ")";
            }
            if (offset >= it.dataOffset() && offset < it.dataEnd()) {
                return it.path() + " (data, byte " + offset + ")";
            }
            previousEnd = it.dataEnd();
        }
        return "end of archive (byte " + offset + ")";
    }

    // ---- bytes

    /** The first byte where two streams part, and each side's byte there ({@code end} past the end). */
    private record Mismatch(long offset, String left, String right) {
        static Mismatch of(InputStream a, InputStream b) throws IOException {
            byte[] ba = new byte[1 << 16];
            byte[] bb = new byte[1 << 16];
            long offset = 0;
            while (true) {
                int na = a.readNBytes(ba, 0, ba.length);
                int nb = b.readNBytes(bb, 0, bb.length);
                int at = Arrays.mismatch(ba, 0, na, bb, 0, nb);
                if (at >= 0) {
                    return new Mismatch(offset + at, at < na ? hex(ba[at]) : "end", at < nb ? hex(bb[at]) : "end");
                }
                if (na == 0) {
                    return new Mismatch(-1, "", "");
                }
                offset += na;
            }
        }

        private static String hex(byte b) {
            return String.format("0x%02x", b & 0xff);
        }
    }

    private void bytes(String where, Aspect aspect, Path l, Path r, String what) {
        try (InputStream a = open(l); InputStream b = open(r)) {
            Mismatch m = Mismatch.of(a, b);
            if (m.offset() < 0) {
                return;
            }
            String subject = what.equals("gzip") && m.offset() < GZIP_HEADER.size()
                    ? "gzip header " + GZIP_HEADER.get((int) m.offset()) + " (byte " + m.offset() + ")"
                    : what + " byte " + m.offset();
            out.add(new Difference(where, aspect, subject, m.left(), m.right()));
        } catch (IOException e) {
            throw new OciException("cannot read " + l + " or " + r + ": " + dev.kiln.store.IoErrors.why(e), e);
        }
    }

    private static InputStream open(Path p) throws IOException {
        return new BufferedInputStream(Files.newInputStream(p), 1 << 16);
    }

    // ---- layout files

    private void layoutFile(String name) {
        Optional<byte[]> l = left.layoutFile(name);
        Optional<byte[]> r = right.layoutFile(name);
        if (l.isPresent() != r.isPresent()) {
            out.add(new Difference("layout", l.isPresent() ? Aspect.ONLY_LEFT : Aspect.ONLY_RIGHT, name, "", ""));
        } else if (l.isPresent() && !Arrays.equals(l.get(), r.get())) {
            out.add(new Difference("layout", Aspect.FILE, name, JsonFields.show(textNode(l.get())), JsonFields.show(textNode(r.get()))));
        }
    }

    private static JsonNode textNode(byte[] b) {
        return com.fasterxml.jackson.databind.node.TextNode.valueOf(new String(b, StandardCharsets.UTF_8));
    }

    /** Files beside {@code oci-layout}, {@code index.json} and {@code blobs/}: each side's must match. */
    private void otherFiles() {
        TreeSet<String> names = new TreeSet<>();
        names.addAll(left.listing(left.root));
        names.addAll(right.listing(right.root));
        names.removeAll(List.of("oci-layout", "index.json", "blobs"));
        for (String n : names) {
            Path l = left.root.resolve(n);
            Path r = right.root.resolve(n);
            boolean le = Files.exists(l, LinkOption.NOFOLLOW_LINKS);
            boolean re = Files.exists(r, LinkOption.NOFOLLOW_LINKS);
            if (le != re) {
                out.add(new Difference("layout", le ? Aspect.ONLY_LEFT : Aspect.ONLY_RIGHT, n, "", ""));
            } else if (Files.isRegularFile(l, LinkOption.NOFOLLOW_LINKS) && Files.isRegularFile(r, LinkOption.NOFOLLOW_LINKS)) {
                bytes("layout", Aspect.FILE, l, r, n);
            }
        }
    }

    /** Blobs that nothing reaches, on one side only (a layout writer's leftover or a stray file). */
    private void unreferencedBlobs() {
        Path lb = left.root.resolve("blobs/sha256");
        Path rb = right.root.resolve("blobs/sha256");
        Set<String> ln = new TreeSet<>(left.listing(lb));
        Set<String> rn = new TreeSet<>(right.listing(rb));
        for (String n : ln) {
            if (!left.reached.contains(n) && !rn.contains(n)) {
                out.add(new Difference("blobs", Aspect.ONLY_LEFT, "blobs/sha256/" + n, "not reachable from index.json", ""));
            }
        }
        for (String n : rn) {
            if (!right.reached.contains(n) && !ln.contains(n)) {
                out.add(new Difference("blobs", Aspect.ONLY_RIGHT, "blobs/sha256/" + n, "", "not reachable from index.json"));
            }
        }
    }

    // ---- one side

    /** Whether a blob is there and what it hashes to. */
    private record BlobState(boolean present, Digest actual) {
        boolean matches(Digest expected) {
            return present && expected.equals(actual);
        }

        String describe(Digest expected) {
            return matches(expected) ? "ok" : "hashes to " + actual;
        }
    }

    private static final class Side {
        final Path root;
        final String name;
        final Map<Digest, BlobState> checked = new HashMap<>();
        final Set<String> reached = new HashSet<>();
        final Set<Digest> verified = new HashSet<>();

        Side(Path root, String name) {
            this.root = root;
            this.name = name;
        }

        Path blob(Digest d) {
            return root.resolve("blobs").resolve("sha256").resolve(d.hex());
        }

        BlobState check(Digest d) {
            reached.add(d.hex());
            return checked.computeIfAbsent(d, x -> {
                Path p = blob(x);
                if (!Files.isRegularFile(p)) {
                    return new BlobState(false, null);
                }
                try (InputStream in = open(p)) {
                    return new BlobState(true, Digest.of(in));
                } catch (IOException e) {
                    throw new OciException("cannot read " + p + ": " + dev.kiln.store.IoErrors.why(e), e);
                }
            });
        }

        /** A JSON blob's bytes; {@code null} when it is too large to be one. */
        byte[] readJson(Digest d) {
            Path p = blob(d);
            try {
                if (Files.size(p) > MAX_JSON_BYTES) {
                    return null;
                }
                return Files.readAllBytes(p);
            } catch (IOException e) {
                throw new OciException("cannot read " + p + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
        }

        Optional<byte[]> layoutFile(String file) {
            Path p = root.resolve(file);
            try {
                if (Files.size(p) > MAX_JSON_BYTES) {
                    throw new OciException(p + " is larger than " + MAX_JSON_BYTES + " bytes: expected a small JSON file");
                }
                return Optional.of(Files.readAllBytes(p));
            } catch (NoSuchFileException e) {
                return Optional.empty();
            } catch (IOException e) {
                throw new OciException("cannot read " + p + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
        }

        List<String> listing(Path dir) {
            if (!Files.isDirectory(dir)) {
                return List.of();
            }
            List<String> names = new ArrayList<>();
            try (DirectoryStream<Path> s = Files.newDirectoryStream(dir)) {
                for (Path p : s) {
                    names.add(p.getFileName().toString());
                }
            } catch (IOException e) {
                throw new OciException("cannot list " + dir + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
            return names;
        }
    }
}
