package dev.kiln.cli;

import static java.nio.charset.StandardCharsets.UTF_8;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.assembler.layer.GzipWriter;
import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.function.UnaryOperator;
import java.util.zip.GZIPInputStream;

/**
 * Changes a single-platform image in an OCI layout the way an attacker who wants it to stay
 * self-consistent would: a layer's tar edited and recompressed (with kiln's own gzip), then every
 * digest above it made to match again (the layer's descriptor, the config's diff_id, the config's
 * and the manifest's descriptors, index.json). Only the blobs and JSON named change.
 */
final class ImageSurgery {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int BLOCK = 512;

    private ImageSurgery() {
    }

    /** The image manifest that index.json names {@code latest}. */
    static ObjectNode manifest(Path layout) {
        return (ObjectNode) read(layout, latest(layout).get("digest").asText());
    }

    /** The uncompressed tar of layer {@code i}. */
    static byte[] layerTar(Path layout, int i) {
        String digest = manifest(layout).get("layers").get(i).get("digest").asText();
        try (InputStream in = new GZIPInputStream(Files.newInputStream(blob(layout, digest)))) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static int layerCount(Path layout) {
        return manifest(layout).get("layers").size();
    }

    /**
     * Replaces layer {@code i} by {@code tar}, gzipped, and re-points everything above it. Returns
     * the new layer's digest.
     */
    static String replaceLayer(Path layout, int i, byte[] tar) {
        byte[] gz = gzip(tar);
        String layerDigest = write(layout, gz);
        ObjectNode manifest = manifest(layout);
        String oldManifest = latest(layout).get("digest").asText();
        ObjectNode layer = (ObjectNode) manifest.get("layers").get(i);
        layer.put("digest", layerDigest).put("size", gz.length);
        ObjectNode config = (ObjectNode) read(layout, manifest.get("config").get("digest").asText());
        ((ArrayNode) config.get("rootfs").get("diff_ids")).set(i, Digest.of(tar).toString());
        byte[] configBytes = bytes(config);
        ((ObjectNode) manifest.get("config")).put("digest", write(layout, configBytes)).put("size", configBytes.length);
        byte[] manifestBytes = bytes(manifest);
        String newManifest = write(layout, manifestBytes);
        editIndex(layout, entries -> {
            for (JsonNode e : entries) {
                if (e.get("digest").asText().equals(oldManifest)) {
                    ((ObjectNode) e).put("digest", newManifest).put("size", manifestBytes.length);
                }
            }
            return entries;
        });
        return layerDigest;
    }

    /** Removes every referrer (an entry with an artifactType, such as a signature) from index.json. */
    static void dropReferrers(Path layout) {
        editIndex(layout, entries -> {
            for (Iterator<JsonNode> it = entries.elements(); it.hasNext(); ) {
                if (it.next().has("artifactType")) {
                    it.remove();
                }
            }
            return entries;
        });
    }

    /**
     * Rewrites the ustar entry {@code name} of {@code tar}: its header through {@code header} (the
     * 512 bytes, checksum recomputed after) and its data through {@code data} (size and padding
     * follow). Every other byte stays as it was.
     */
    static byte[] editEntry(byte[] tar, String name, UnaryOperator<byte[]> header, UnaryOperator<byte[]> data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(tar.length);
        boolean found = false;
        int at = 0;
        while (at + BLOCK <= tar.length) {
            byte[] h = Arrays.copyOfRange(tar, at, at + BLOCK);
            if (Arrays.equals(h, new byte[BLOCK])) {
                break;
            }
            int size = (int) octal(h, 124, 12);
            int padded = (size + BLOCK - 1) / BLOCK * BLOCK;
            byte[] content = Arrays.copyOfRange(tar, at + BLOCK, at + BLOCK + size);
            if (entryName(h).equals(name)) {
                found = true;
                h = header.apply(h);
                content = data.apply(content);
                putOctal(h, 124, 12, content.length);
                putChecksum(h);
                padded = (content.length + BLOCK - 1) / BLOCK * BLOCK;
            }
            out.writeBytes(h);
            out.writeBytes(content);
            out.writeBytes(new byte[padded - content.length]);
            at += BLOCK + (size + BLOCK - 1) / BLOCK * BLOCK;
        }
        if (!found) {
            throw new IllegalArgumentException("no tar entry " + name);
        }
        out.write(tar, at, tar.length - at);
        return out.toByteArray();
    }

    /** A header operator that sets the mode field. */
    static UnaryOperator<byte[]> mode(int mode) {
        return h -> {
            putOctal(h, 100, 8, mode);
            return h;
        };
    }

    private static String entryName(byte[] h) {
        String name = field(h, 0, 100);
        String prefix = field(h, 345, 155);
        return prefix.isEmpty() ? name : prefix + "/" + name;
    }

    private static String field(byte[] h, int off, int len) {
        int end = off;
        while (end < off + len && h[end] != 0) {
            end++;
        }
        return new String(h, off, end - off, UTF_8);
    }

    private static long octal(byte[] h, int off, int len) {
        String s = field(h, off, len).strip();
        return s.isEmpty() ? 0 : Long.parseLong(s, 8);
    }

    /** Zero-padded octal, NUL-terminated, as GNU tar (and kiln) write fields. */
    private static void putOctal(byte[] h, int off, int len, long value) {
        String s = String.format("%0" + (len - 1) + "o", value);
        System.arraycopy(s.getBytes(UTF_8), 0, h, off, len - 1);
        h[off + len - 1] = 0;
    }

    private static void putChecksum(byte[] h) {
        Arrays.fill(h, 148, 156, (byte) ' ');
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        String s = String.format("%06o", sum);
        System.arraycopy(s.getBytes(UTF_8), 0, h, 148, 6);
        h[154] = 0;
        h[155] = ' ';
    }

    private static JsonNode latest(Path layout) {
        for (JsonNode e : read(layout.resolve("index.json")).get("manifests")) {
            if ("latest".equals(e.path("annotations").path("org.opencontainers.image.ref.name").asText())) {
                return e;
            }
        }
        throw new IllegalArgumentException(layout + " names no image 'latest'");
    }

    private static void editIndex(Path layout, UnaryOperator<ArrayNode> edit) {
        ObjectNode index = (ObjectNode) read(layout.resolve("index.json"));
        index.set("manifests", edit.apply((ArrayNode) index.get("manifests")));
        try {
            Files.write(layout.resolve("index.json"), bytes(index));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Path blob(Path layout, String digest) {
        return layout.resolve("blobs/sha256/" + digest.substring("sha256:".length()));
    }

    private static JsonNode read(Path layout, String digest) {
        return read(blob(layout, digest));
    }

    private static JsonNode read(Path file) {
        try {
            return JSON.readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static byte[] bytes(JsonNode node) {
        try {
            return JSON.writeValueAsBytes(node);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Writes a blob; returns its digest. */
    static String write(Path layout, byte[] bytes) {
        Digest d = Digest.of(bytes);
        try {
            if (!Files.exists(blob(layout, d.toString()))) {
                Files.write(blob(layout, d.toString()), bytes);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return d.toString();
    }

    /** Compressed as kiln compresses, so that the layer differs from kiln's in the change alone. */
    private static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GzipWriter gz = new GzipWriter(out, 1)) {
            gz.write(data);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** The entries of a tar, for checking what a change did: name, mode, sha256 of the data. */
    static java.util.List<String> listing(byte[] tar) {
        java.util.List<String> out = new java.util.ArrayList<>();
        try (var in = new org.apache.commons.compress.archivers.tar.TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.add(e.getName() + " " + Integer.toOctalString(e.getMode()) + " " + Digest.of(in.readAllBytes()));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out;
    }
}
