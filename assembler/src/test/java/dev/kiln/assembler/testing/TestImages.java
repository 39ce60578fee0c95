package dev.kiln.assembler.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.layer.LayerDigests;
import dev.kiln.assembler.layer.TarLayerWriter;
import dev.kiln.assembler.oci.Descriptor;
import dev.kiln.assembler.oci.ImageConfig;
import dev.kiln.assembler.oci.ImageConfigFile;
import dev.kiln.assembler.oci.ImageLayout;
import dev.kiln.assembler.oci.Index;
import dev.kiln.assembler.oci.Platform;
import dev.kiln.assembler.tree.Content;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.assembler.tree.FileTree;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;

/** Small images built from hand-made trees, for tests that move images around (registries, archives). */
public final class TestImages {
    public static final long EPOCH = 1_700_000_000L;

    private TestImages() {}

    /**
     * A tree with real mtimes, an odd mode, a symlink and {@code noise} bytes of incompressible data (so
     * a test can make a layer larger than a chunk); the content differs per {@code arch}.
     */
    public static FileTree tree(String arch, int noise) {
        byte[] random = new byte[noise];
        new Random(arch.hashCode()).nextBytes(random);
        return FileTree.builder("test image " + arch)
                .add(Entry.dir("/", 0755, 0, 0, 1_699_999_999L))
                .add(Entry.dir("/etc", 0755, 0, 0, 1_712_345_678L))
                .add(Entry.file("/etc/hello.txt", 0644, 0, 0, 1_694_201_234L, Content.of(("hello from " + arch + "\n").getBytes(UTF_8))))
                .add(Entry.symlink("/etc/greeting", "hello.txt", 0777, 0, 0, 1_712_345_600L))
                .add(Entry.dir("/srv", 0710, 65532, 65532, 1_734_567_890L))
                .add(Entry.file("/srv/noise.bin", 0600, 65532, 65532, 1_734_567_891L, Content.of(random)))
                .build();
    }

    /** A layer shared by every architecture. */
    public static FileTree shared() {
        return FileTree.builder("shared")
                .add(Entry.dir("/", 0755, 0, 0, 0))
                .add(Entry.dir("/usr", 0755, 0, 0, 0))
                .add(Entry.file("/usr/common.txt", 0644, 0, 0, 1_650_000_000L, Content.of("same\n".getBytes(UTF_8))))
                .build();
    }

    /** One amd64 image at {@code dir}; its top is a manifest. */
    public static Descriptor single(Path dir, int noise) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            Descriptor image = image(layout, "amd64", noise);
            layout.commit(image, "latest");
            return image;
        }
    }

    /** An amd64 and an arm64 image sharing their base layer, under an index at {@code dir}. */
    public static Descriptor twoArch(Path dir, int noise) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            List<Descriptor> images = new ArrayList<>();
            for (String arch : List.of("amd64", "arm64")) {
                images.add(image(layout, arch, noise));
            }
            Descriptor index = layout.writeIndex(new Index(images, Map.of("org.opencontainers.image.title", "two")));
            layout.commit(index, "latest");
            return index;
        }
    }

    /** One amd64 image at {@code dir} with these layers, bottom first; its top is a manifest named {@code latest}. */
    public static Descriptor ofLayers(Path dir, List<FileTree> trees) {
        try (ImageLayout layout = ImageLayout.stage(dir)) {
            TarLayerWriter writer = new TarLayerWriter(EPOCH);
            List<LayerDigests> layers = trees.stream().map(t -> layout.writeLayer(t, writer)).toList();
            ImageConfigFile config = new ImageConfigFile(Platform.ofDebian("amd64"), Optional.of(Instant.ofEpochSecond(EPOCH)),
                    runtime(), layers.stream().map(LayerDigests::uncompressed).toList(), List.of());
            Descriptor image = layout.writeImage(config, layers, Map.of());
            layout.commit(image, "latest");
            return image;
        }
    }

    private static ImageConfig runtime() {
        return new ImageConfig(Optional.of("65532"), List.of("PATH=/usr/bin:/bin"), List.of("/bin/false"),
                List.of(), Optional.of("/"), Map.of(), Optional.empty(), Set.of(), Set.of());
    }

    private static Descriptor image(ImageLayout layout, String arch, int noise) {
        TarLayerWriter writer = new TarLayerWriter(EPOCH);
        LayerDigests base = layout.writeLayer(shared(), writer);
        LayerDigests own = layout.writeLayer(tree(arch, noise), writer);
        ImageConfigFile config = new ImageConfigFile(Platform.ofDebian(arch), Optional.of(Instant.ofEpochSecond(EPOCH)), runtime(),
                List.of(base.uncompressed(), own.uncompressed()), List.of());
        return layout.writeImage(config, List.of(base, own), Map.of());
    }
}
