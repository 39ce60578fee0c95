package dev.kiln.api;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.deb.ControlParagraph;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.LayerCompression;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.Manifest;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciException;
import dev.kiln.oci.OciJsonReader;
import dev.kiln.oci.Platform;
import dev.kiln.resolver.lock.Lock;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The packages an image holds, by its dpkg records ({@code /var/lib/dpkg/status.d/NAME}, as kiln
 * and distroless write them and image scanners read them), held against the packages a lock pins
 * for the image's architecture. A rebuild from a lock whose entry was swapped for another version
 * differs from the image in many files; this says which package and which two versions. It also
 * catches a lock entry relabelled with another version but the same file, which rebuilds
 * identically.
 */
final class InstalledPackages {
    /** Where the records are, as a tar path. */
    public static final String STATUS_DIR = "var/lib/dpkg/status.d/";
    private static final String WHITEOUT = ".wh.";
    private static final long MAX_RECORD = 1L << 20;

    private InstalledPackages() {
    }

    /**
     * One dpkg record in an image.
     *
     * @param path where it is in the layers, {@code var/lib/dpkg/status.d/NAME}
     * @param name its {@code Package}; for a record that cannot be read, its file name
     * @param version its {@code Version}, or what is wrong with the record
     */
    public record StatusRecord(String path, String name, String version, String architecture) {
        public StatusRecord {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(architecture, "architecture");
        }
    }

    /**
     * A package where the image and the lock disagree.
     *
     * @param platform the image's platform ({@code linux/amd64}), named in the report when the image has several
     * @param pinned what the lock pins, if anything
     * @param held what the image's record says, if there is one
     */
    public record Mismatch(String platform, boolean severalPlatforms, String name, Optional<Lock.Package> pinned,
            Optional<StatusRecord> held) {
        public Mismatch {
            Objects.requireNonNull(platform, "platform");
            Objects.requireNonNull(name, "name");
            if (pinned.isEmpty() && held.isEmpty()) {
                throw new IllegalArgumentException("a mismatch needs a pinned package or a held one");
            }
        }

        /** One line: {@code the lock pins libfoo 2.0-1 (amd64) but the image holds libfoo 1.0-1 (/var/lib/dpkg/status.d/libfoo)}. */
        public String render() {
            String where = severalPlatforms ? platform + ": " : "";
            if (held.isEmpty()) {
                Lock.Package p = pinned.orElseThrow();
                return where + "the lock pins " + p.name() + " " + p.version() + " (" + p.architecture() + ") but the image holds no"
                        + " record of it (no /" + STATUS_DIR + p.name() + ")";
            }
            StatusRecord r = held.get();
            String holds = r.name() + " " + r.version() + " (" + r.architecture() + ", /" + r.path() + ")";
            if (pinned.isEmpty()) {
                return where + "the image holds " + holds + ", which the lock does not pin";
            }
            Lock.Package p = pinned.get();
            return where + "the lock pins " + p.name() + " " + p.version() + " (" + p.architecture() + ") but the image holds "
                    + holds;
        }
    }

    /**
     * The packages where the image {@code top} in {@code layout} (each platform of an index) and
     * {@code lock} disagree; empty when every platform holds exactly what the lock pins for it. A
     * platform whose blobs are missing or cannot be read is left out: the blob comparison names
     * the damage, and the image fails on it.
     */
    public static List<Mismatch> against(LayoutReader layout, Descriptor top, Lock lock) {
        List<Descriptor> images = images(layout, top);
        List<Mismatch> out = new ArrayList<>();
        for (Descriptor image : images) {
            Platform platform;
            List<StatusRecord> records;
            try {
                Manifest manifest = layout.manifest(image);
                platform = platform(layout, manifest);
                records = records(layout, manifest);
            } catch (AssembleException | OciException damaged) {
                continue; // a missing, corrupt or broken blob: the blob comparison names it, and the image fails on it
            }
            String arch = platform.debianArchitecture();
            Map<String, StatusRecord> held = new TreeMap<>();
            for (StatusRecord r : records) {
                held.put(r.name(), r);
            }
            boolean several = images.size() > 1;
            for (Lock.Package p : lock.packages(arch)) {
                StatusRecord r = held.remove(p.name());
                if (r == null || !r.version().equals(p.version()) || !r.architecture().equals(p.architecture())) {
                    out.add(new Mismatch(platform.toString(), several, p.name(), Optional.of(p), Optional.ofNullable(r)));
                }
            }
            for (StatusRecord r : held.values()) {
                out.add(new Mismatch(platform.toString(), several, r.name(), Optional.empty(), Optional.of(r)));
            }
        }
        return out;
    }

    /** The records in the image's layers, a later layer's replacing an earlier one's (or removing it by a whiteout). */
    static List<StatusRecord> records(LayoutReader layout, Manifest manifest) {
        Map<String, StatusRecord> byPath = new TreeMap<>();
        for (Descriptor layer : manifest.layers()) {
            LayerCompression compression = LayerCompression.ofMediaType(layer.mediaType())
                    .orElseThrow(() -> new AssembleException("the layer " + layer.digest() + " is a " + layer.mediaType()
                            + ", expected a tar layer\n  fix: verify an image kiln built"));
            try (InputStream raw = new BufferedInputStream(Files.newInputStream(layout.blob(layer)), 1 << 16);
                 InputStream plain = compression.decompress(raw);
                 TarArchiveInputStream tar = new TarArchiveInputStream(plain, StandardCharsets.UTF_8.name())) {
                for (TarArchiveEntry e; (e = tar.getNextEntry()) != null; ) {
                    String path = e.getName().startsWith("./") ? e.getName().substring(2) : e.getName();
                    path = path.startsWith("/") ? path.substring(1) : path;
                    if (!path.startsWith(STATUS_DIR) || path.indexOf('/', STATUS_DIR.length()) >= 0) {
                        continue;
                    }
                    String file = path.substring(STATUS_DIR.length());
                    if (file.startsWith(WHITEOUT)) {
                        byPath.remove(STATUS_DIR + file.substring(WHITEOUT.length()));
                    } else if (file.endsWith(".md5sums") || file.isEmpty()) {
                        continue;
                    } else if (!e.isFile()) {
                        byPath.remove(path);
                    } else {
                        byPath.put(path, record(path, file, e.getSize() > MAX_RECORD ? null : tar.readAllBytes()));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // commons-compress reports some malformed headers as runtime exceptions
                throw new AssembleException("cannot read the dpkg records in the layer " + layer.digest() + ": " + e.getMessage(), e);
            }
        }
        return List.copyOf(byPath.values());
    }

    private static StatusRecord record(String path, String file, byte[] bytes) {
        if (bytes == null) {
            return new StatusRecord(path, file, "(unreadable: larger than " + MAX_RECORD + " bytes)", "?");
        }
        Map<String, String> fields;
        try {
            fields = ControlParagraph.parse(bytes);
        } catch (IllegalArgumentException e) {
            return new StatusRecord(path, file, "(unreadable: " + e.getMessage() + ")", "?");
        }
        return new StatusRecord(path, fields.getOrDefault("Package", file), fields.getOrDefault("Version", "(no Version)"),
                fields.getOrDefault("Architecture", "(no Architecture)"));
    }

    private static List<Descriptor> images(LayoutReader layout, Descriptor top) {
        if (MediaTypes.isManifest(top.mediaType())) {
            return List.of(top);
        }
        return layout.index(top).manifests().stream()
                .filter(d -> MediaTypes.isManifest(d.mediaType())).toList();
    }

    private static Platform platform(LayoutReader layout, Manifest manifest) {
        var config = OciJsonReader.tree(layout.bytes(manifest.config()), "config " + manifest.config().digest());
        String variant = config.path("variant").asText("");
        return new Platform(config.path("os").asText(""), config.path("architecture").asText(""),
                variant.isEmpty() ? Optional.empty() : Optional.of(variant));
    }
}
