package dev.kiln.cli;

import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayerCompression;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A root filesystem as the oracle compares it: every path (absolute, no trailing slash) with its
 * type, mode, owner and link target. Read from a directory on disk (what mmdebstrap made) or from
 * an image's layers in an OCI layout (what kiln built), so both sides are seen the same way.
 */
final class TreeListing {
    /**
     * One path's metadata.
     *
     * @param type {@code d} directory, {@code f} regular file, {@code l} symlink, {@code c}/{@code b}
     *     device, {@code p} fifo, {@code s} socket
     * @param mode permission bits with setuid, setgid and sticky (07777)
     * @param link the symlink's target, "" for other types
     */
    record Node(char type, int mode, long uid, long gid, String link) {
        @Override
        public String toString() {
            return type + " " + String.format("%04o", mode) + " " + uid + ":" + gid + (link.isEmpty() ? "" : " -> " + link);
        }
    }

    private TreeListing() {
    }

    /** Every path under {@code root}, links not followed; the root itself is left out. */
    static SortedMap<String, Node> ofDirectory(Path root) throws IOException {
        SortedMap<String, Node> out = new TreeMap<>();
        try (Stream<Path> walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (p.equals(root)) {
                    continue;
                }
                Map<String, Object> a = Files.readAttributes(p, "unix:mode,uid,gid", LinkOption.NOFOLLOW_LINKS);
                int raw = (Integer) a.get("mode");
                char type = switch (raw & 0170000) {
                    case 0040000 -> 'd';
                    case 0100000 -> 'f';
                    case 0120000 -> 'l';
                    case 0020000 -> 'c';
                    case 0060000 -> 'b';
                    case 0010000 -> 'p';
                    case 0140000 -> 's';
                    default -> '?';
                };
                String link = type == 'l' ? Files.readSymbolicLink(p).toString() : "";
                out.put("/" + root.relativize(p), new Node(type, raw & 07777, ((Integer) a.get("uid")).longValue(),
                        ((Integer) a.get("gid")).longValue(), link));
            }
        }
        return out;
    }

    /** The tree the layers of the image for {@code arch} in the layout at {@code layout} make, in order. */
    static SortedMap<String, Node> ofImage(Path layout, String arch) throws IOException {
        LayoutReader reader = LayoutReader.open(layout);
        Descriptor image = reader.images().stream()
                .filter(d -> d.platform().map(p -> p.architecture().equals(arch)).orElse(false))
                .findFirst().orElseThrow(() -> new IllegalStateException(layout + " has no image for " + arch));
        Manifest manifest = reader.manifest(image);
        SortedMap<String, Node> out = new TreeMap<>();
        for (Descriptor layer : manifest.layers()) {
            LayerCompression compression = LayerCompression.ofMediaType(layer.mediaType()).orElseThrow();
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(reader.blob(layer)), 1 << 16);
                    TarArchiveInputStream tar = new TarArchiveInputStream(compression.decompress(raw),
                            StandardCharsets.UTF_8.name())) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String path = normalize(e.getName());
                    if (path.equals("/")) {
                        continue;
                    }
                    String name = path.substring(path.lastIndexOf('/') + 1);
                    if (name.startsWith(".wh.")) {
                        String gone = path.substring(0, path.lastIndexOf('/') + 1) + name.substring(4);
                        out.keySet().removeIf(k -> k.equals(gone) || k.startsWith(gone + "/"));
                        continue;
                    }
                    out.put(path, node(e, out));
                }
            }
        }
        return out;
    }

    private static Node node(TarArchiveEntry e, Map<String, Node> sofar) {
        int mode = e.getMode() & 07777;
        if (e.isLink()) { // a hard link is its target's file
            Node target = sofar.get(normalize(e.getLinkName()));
            return target == null ? new Node('f', mode, e.getLongUserId(), e.getLongGroupId(), "") : target;
        }
        char type = e.isDirectory() ? 'd' : e.isSymbolicLink() ? 'l' : e.isCharacterDevice() ? 'c'
                : e.isBlockDevice() ? 'b' : e.isFIFO() ? 'p' : 'f';
        return new Node(type, mode, e.getLongUserId(), e.getLongGroupId(), e.isSymbolicLink() ? e.getLinkName() : "");
    }

    private static String normalize(String tarName) {
        String p = tarName;
        if (p.startsWith("./")) {
            p = p.substring(2);
        }
        while (p.endsWith("/")) {
            p = p.substring(0, p.length() - 1);
        }
        return "/" + (p.startsWith("/") ? p.substring(1) : p);
    }
}
