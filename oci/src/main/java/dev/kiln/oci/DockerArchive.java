package dev.kiln.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StagingLock;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Writes one image of an OCI layout as an archive that {@code docker load} and {@code podman load}
 * read: {@code manifest.json} ({@code Config}, {@code RepoTags}, {@code Layers}) beside the blobs,
 * plus {@code oci-layout} and an {@code index.json} naming the same manifest, as {@code docker save}
 * writes since Docker 25. Layers stay as they are in the layout (gzip); loaders decompress them and
 * check them against the config's {@code diff_ids}.
 *
 * <p>A docker archive holds one platform: of an index, the requested architecture's manifest is
 * taken, else the host's; when the index has neither, the archive is refused. The bytes depend only
 * on the image and the tag: entries in path order with kiln's normalized tar headers (mode 0644 or
 * 0755, owner 0:0, mtime 0). The file is staged beside the target and renamed into place.
 */
public final class DockerArchive {
    private static final ObjectMapper JSON = new ObjectMapper();

    private DockerArchive() {}

    /**
     * Fails now if an archive could not later be written at {@code tarball}: a directory there, or
     * no permission to create files in the directory that would hold it (or its nearest existing
     * ancestor, as the missing ones are created).
     */
    public static void checkTarget(Path tarball) {
        Path target = tarball.toAbsolutePath().normalize();
        if (Files.isDirectory(target)) {
            throw new OciException(OciException.Kind.TARGET_REFUSED,
                    "cannot write the docker archive " + target + ": it is a directory"
                    + "\n  fix: name a file for the archive, e.g. " + target.resolve("image.tar"));
        }
        Optional<String> why = StagingLock.whyUnwritable(target);
        if (why.isPresent()) {
            throw new OciException(OciException.Kind.TARGET_REFUSED,
                    "cannot write the docker archive " + target + ": " + why.get()
                    + "\n  fix: write the archive into a directory this user can write");
        }
    }

    /**
     * Writes the image of {@code layoutDir} for {@code arch} (a Debian or OCI architecture name; empty
     * for {@code hostArch}, the host's in OCI's names, when the layout has several) to {@code tarball},
     * named {@code repoTag} ({@code HOST/REPO:TAG}). Returns the descriptor of the manifest written,
     * with its platform.
     */
    public static Descriptor write(Path layoutDir, Path tarball, String repoTag, Optional<String> arch, String hostArch) {
        LayoutReader layout = LayoutReader.open(layoutDir);
        Path target = tarball.toAbsolutePath().normalize();
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new OciException(OciException.Kind.TARGET_REFUSED, "refusing to write a docker archive at " + target
                    + ": expected a file name, found a directory\n  fix: name a file, e.g. " + target.resolve("image.tar"));
        }
        Descriptor image = choose(layout, arch, hostArch);
        Manifest manifest = layout.manifest(image);
        byte[] manifestBytes = layout.bytes(image);
        byte[] configBytes = layout.bytes(manifest.config());

        Map<String, Member> files = new TreeMap<>();
        files.put("/oci-layout", Member.of(OciJson.LAYOUT_MARKER));
        files.put("/index.json", Member.of(index(image, repoTag)));
        files.put("/manifest.json", Member.of(dockerManifest(manifest, repoTag)));
        files.put(blobPath(image.digest()), Member.of(manifestBytes));
        files.putIfAbsent(blobPath(manifest.config().digest()), Member.of(configBytes));
        for (Descriptor layer : manifest.layers()) {
            files.putIfAbsent(blobPath(layer.digest()), new Member(null, layout.blob(layer), layer.size()));
        }
        writeAtomically(files, target);
        return image;
    }

    /** The image for {@code arch} (else the host's architecture) among the layout's images. */
    static Descriptor choose(LayoutReader layout, Optional<String> arch, String hostArch) {
        List<Descriptor> images = layout.images();
        if (images.isEmpty()) {
            throw new OciException(layout.dir() + " names no image manifest");
        }
        if (images.size() == 1 && arch.isEmpty()) {
            return withPlatform(layout, images.get(0));
        }
        List<String> offered = new ArrayList<>();
        for (Descriptor d : images) {
            Descriptor withPlatform = withPlatform(layout, d);
            Platform p = withPlatform.platform().orElseThrow();
            offered.add(p.toString());
            if (isWanted(p, arch, hostArch)) {
                return withPlatform;
            }
        }
        throw noneWanted("the image has", offered, arch, hostArch);
    }

    /**
     * Fails now if {@link #choose} will find no image for {@code arch} (else {@code hostArch}, the
     * host's) among those built for {@code specArchs} (Debian names), so that the build is not wasted.
     */
    public static void checkArchitecture(List<String> specArchs, Optional<String> arch, String hostArch) {
        if (specArchs.size() == 1 && arch.isEmpty()) {
            return; // the one image, whatever the host
        }
        List<String> offered = new ArrayList<>();
        for (String a : specArchs) {
            Platform p = Platform.ofDebian(a);
            offered.add(p.toString());
            if (isWanted(p, arch, hostArch)) {
                return;
            }
        }
        throw noneWanted("the spec builds", offered, arch, hostArch);
    }

    /** Whether {@code p} is the platform asked for ({@code arch}, with its variant if it names one), else the host's. */
    private static boolean isWanted(Platform p, Optional<String> arch, String hostArch) {
        String wanted = arch.map(DockerArchive::ociArchitecture).orElse(hostArch);
        boolean variantOk = arch.isEmpty() || variant(arch.get()).isEmpty() || p.variant().isEmpty()
                || p.variant().equals(variant(arch.get()));
        return p.architecture().equals(wanted) && variantOk;
    }

    private static OciException noneWanted(String has, List<String> offered, Optional<String> arch, String hostArch) {
        String asked = arch.map(a -> "the architecture " + a).orElse("this host's architecture (" + hostArch + ")");
        return new OciException(OciException.Kind.PLATFORM,
                "a docker archive holds one platform, and " + has + " " + String.join(", ", offered)
                + " but not " + asked + "\n  fix: choose one of them for the archive, e.g. " + offered.get(0).split("/")[1]);
    }

    /** The descriptor with its platform, from the config when the descriptor does not say. */
    private static Descriptor withPlatform(LayoutReader layout, Descriptor d) {
        if (d.platform().isPresent()) {
            return d;
        }
        JsonNode config = OciJsonReader.tree(layout.bytes(layout.manifest(d).config()), layout.dir() + " config of " + d.digest());
        String variant = config.path("variant").asText("");
        return d.withPlatform(new Platform(config.path("os").asText("linux"), config.path("architecture").asText("unknown"),
                variant.isEmpty() ? Optional.empty() : Optional.of(variant)));
    }

    /** OCI's (Go's) name for a Debian architecture name or alias; other names are taken as OCI's. */
    static String ociArchitecture(String name) {
        String lower = name.toLowerCase(Locale.ROOT);
        return Platform.debianName(lower).map(d -> Platform.ofDebian(d).architecture()).orElse(lower);
    }

    private static Optional<String> variant(String name) {
        return Platform.debianName(name.toLowerCase(Locale.ROOT)).flatMap(d -> Platform.ofDebian(d).variant());
    }

    private static String blobPath(Digest digest) {
        return "/blobs/sha256/" + digest.hex();
    }

    private static byte[] dockerManifest(Manifest manifest, String repoTag) {
        Map<String, Object> image = new LinkedHashMap<>();
        image.put("Config", "blobs/sha256/" + manifest.config().digest().hex());
        image.put("RepoTags", List.of(repoTag));
        image.put("Layers", manifest.layers().stream().map(l -> "blobs/sha256/" + l.digest().hex()).toList());
        try {
            return JSON.writeValueAsBytes(List.of(image));
        } catch (IOException e) {
            throw new IllegalStateException("lists and strings always serialize", e);
        }
    }

    /** An index naming the manifest as docker save does: the full name for containerd, the tag for OCI tools. */
    private static byte[] index(Descriptor image, String repoTag) {
        Map<String, String> annotations = new LinkedHashMap<>(image.annotations());
        annotations.put("io.containerd.image.name", repoTag);
        annotations.put(ImageLayout.REF_NAME, repoTag.substring(repoTag.lastIndexOf(':') + 1));
        return OciJson.index(new Index(List.of(image.withAnnotations(annotations)), Map.of()));
    }

    private static void writeAtomically(Map<String, Member> files, Path target) {
        try {
            AtomicFile.createDirectories(target.getParent());
            AtomicFile.write(target, AtomicFile.PUBLIC, out -> writeTar(files, out));
        } catch (IOException | UncheckedIOException e) {
            throw new OciException("cannot write the docker archive " + target + ": "
                    + IoErrors.why(e instanceof UncheckedIOException u ? u.getCause() : (IOException) e)
                    + "\n  fix: write the archive into a directory this user can write", e);
        }
    }

    /**
     * The archive as a layer's tar is written: entries in path order, each missing parent directory
     * before them ({@code 0755}), files {@code 0644}, owner 0:0, mtime 0.
     */
    private static void writeTar(Map<String, Member> files, OutputStream out) throws IOException {
        Map<String, Member> all = new TreeMap<>(files);
        for (String path : files.keySet()) {
            for (int slash = path.lastIndexOf('/'); slash > 0; slash = path.lastIndexOf('/', slash - 1)) {
                all.putIfAbsent(path.substring(0, slash), Member.DIRECTORY);
            }
        }
        for (Map.Entry<String, Member> e : all.entrySet()) {
            String name = e.getKey().substring(1);
            Member m = e.getValue();
            if (m == Member.DIRECTORY) {
                TarWriter.writeHeader(out, TarWriter.Header.of(name + "/", TarWriter.Type.DIRECTORY, null, 0755, 0, 0, 0, 0));
                continue;
            }
            TarWriter.writeHeader(out, TarWriter.Header.of(name, TarWriter.Type.FILE, null, 0644, 0, 0, m.size(), 0));
            long copied;
            try (InputStream in = m.open()) {
                copied = in.transferTo(out);
            }
            if (copied != m.size()) {
                throw new IOException(e.getKey() + ": content gave " + copied + " bytes, expected " + m.size());
            }
            TarWriter.pad(out, m.size());
        }
        TarWriter.finish(out);
        out.flush();
    }

    /** A file of the archive: bytes in hand, or a layout blob read when the tar is written (layers need not fit in memory). */
    private record Member(byte[] bytes, Path file, long size) {
        static final Member DIRECTORY = new Member(new byte[0], null, 0);

        static Member of(byte[] bytes) {
            return new Member(bytes, null, bytes.length);
        }

        InputStream open() throws IOException {
            return bytes != null ? new ByteArrayInputStream(bytes) : Files.newInputStream(file);
        }
    }
}
