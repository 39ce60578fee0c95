package dev.kiln.assembler.oci;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import dev.kiln.resolver.spec.Architectures;
import dev.kiln.store.AtomicFile;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StagingLock;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
            throw new AssembleException("cannot write the docker archive " + target + ": it is a directory"
                    + "\n  fix: give --tarball a file name, e.g. " + target.resolve("image.tar"));
        }
        Optional<String> why = StagingLock.whyUnwritable(target);
        if (why.isPresent()) {
            throw new AssembleException("cannot write the docker archive " + target + ": " + why.get()
                    + "\n  fix: give --tarball a path in a directory this user can write");
        }
    }

    /**
     * Writes the image of {@code layoutDir} for {@code arch} (a Debian or OCI architecture name; empty
     * for the host's) to {@code tarball}, named {@code repoTag} ({@code HOST/REPO:TAG}). Returns the
     * descriptor of the manifest written, with its platform.
     */
    public static Descriptor write(Path layoutDir, Path tarball, String repoTag, Optional<String> arch) {
        LayoutReader layout = LayoutReader.open(layoutDir);
        Path target = tarball.toAbsolutePath().normalize();
        if (Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
            throw new AssembleException("refusing to write a docker archive at " + target
                    + ": expected a file name, found a directory\n  fix: name a file, e.g. " + target.resolve("image.tar"));
        }
        Descriptor image = choose(layout, arch, hostArchitecture());
        Manifest manifest = layout.manifest(image);
        byte[] manifestBytes = layout.bytes(image);
        byte[] configBytes = layout.bytes(manifest.config());

        FileTree.Builder tree = FileTree.builder("docker archive of " + layoutDir)
                .add(Entry.dir("/", 0755, 0, 0, 0))
                .add(Entry.file("/oci-layout", 0644, 0, 0, 0, Content.of(OciJson.LAYOUT_MARKER)))
                .add(Entry.file("/index.json", 0644, 0, 0, 0, Content.of(index(image, repoTag))))
                .add(Entry.file("/manifest.json", 0644, 0, 0, 0, Content.of(dockerManifest(manifest, repoTag))));
        Set<Digest> added = new LinkedHashSet<>();
        tree.add(blobEntry(image.digest(), Content.of(manifestBytes)));
        added.add(image.digest());
        if (added.add(manifest.config().digest())) {
            tree.add(blobEntry(manifest.config().digest(), Content.of(configBytes)));
        }
        for (Descriptor layer : manifest.layers()) {
            if (added.add(layer.digest())) {
                tree.add(blobEntry(layer.digest(), new FileContent(layout.blob(layer), layer)));
            }
        }
        writeAtomically(tree.build(), target);
        return image;
    }

    /** The image for {@code arch} (else the host's architecture) among the layout's images. */
    static Descriptor choose(LayoutReader layout, Optional<String> arch, String hostArch) {
        List<Descriptor> images = layout.images();
        if (images.isEmpty()) {
            throw new AssembleException(layout.dir() + " names no image manifest");
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
     * Fails now if {@link #choose} will find no image for {@code arch} (else this host's) among
     * those built for {@code specArchs} (Debian names), so that the build is not wasted.
     */
    public static void checkArchitecture(List<String> specArchs, Optional<String> arch) {
        checkArchitecture(specArchs, arch, hostArchitecture());
    }

    static void checkArchitecture(List<String> specArchs, Optional<String> arch, String hostArch) {
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

    private static AssembleException noneWanted(String has, List<String> offered, Optional<String> arch, String hostArch) {
        String asked = arch.map(a -> "the architecture " + a).orElse("this host's architecture (" + hostArch + ")");
        return new AssembleException("a docker archive holds one platform, and " + has + " " + String.join(", ", offered)
                + " but not " + asked + "\n  fix: choose one with --arch, e.g. --arch " + offered.get(0).split("/")[1]);
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
        return Architectures.toDebian(lower).map(d -> Platform.ofDebian(d).architecture()).orElse(lower);
    }

    private static Optional<String> variant(String name) {
        return Architectures.toDebian(name.toLowerCase(Locale.ROOT)).flatMap(d -> Platform.ofDebian(d).variant());
    }

    /** The JVM's architecture in OCI's names ({@code amd64}, {@code arm64}, ...). */
    public static String hostArchitecture() {
        String os = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
        return switch (os) {
            case "x86_64", "amd64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            case "x86", "i386", "i486", "i586", "i686" -> "386";
            case "ppc64le" -> "ppc64le";
            default -> os;
        };
    }

    private static Entry blobEntry(Digest digest, Content content) {
        return Entry.file("/blobs/sha256/" + digest.hex(), 0644, 0, 0, 0, content);
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

    private static void writeAtomically(FileTree tree, Path target) {
        try {
            AtomicFile.createDirectories(target.getParent());
            AtomicFile.write(target, AtomicFile.PUBLIC, out -> new TarLayerWriter(0).writeTar(tree, out));
        } catch (IOException | UncheckedIOException e) {
            throw new AssembleException("cannot write the docker archive " + target + ": "
                    + IoErrors.why(e instanceof UncheckedIOException u ? u.getCause() : (IOException) e)
                    + "\n  fix: give --tarball a path in a directory this user can write", e);
        }
    }

    /** A layout blob read from its file when the tar is written (layers need not fit in memory). */
    private record FileContent(Path file, Descriptor descriptor) implements Content {
        @Override
        public long size() {
            return descriptor.size();
        }

        @Override
        public Digest digest() {
            return descriptor.digest();
        }

        @Override
        public InputStream open() {
            try {
                return Files.newInputStream(file);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof Content c && c.size() == size() && c.digest().equals(digest());
        }

        @Override
        public int hashCode() {
            return digest().hashCode();
        }
    }
}
