package dev.kiln.builder.recipe;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.builder.source.Source;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.Digest;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * A recipe ({@code packages/NAME.yaml}, read by {@link RecipeParser}): the package it builds, the
 * build environment (an image spec), the sources, the script steps and the subpackages. Immutable.
 */
public final class Recipe {
    /** The format of {@link #canonicalBytes()}: bumped when the canonical form changes. */
    public static final String CANONICAL_FORMAT = "kiln-recipe-1";

    private final Path file;
    private final Digest digest;
    private final String name;
    private final String version;
    private final long epoch;
    private final Optional<String> description;
    private final List<String> licenses;
    private final Relations dependencies;
    private final ImageSpec environment;
    private final List<Source> sources;
    private final List<Step> pipeline;
    private final List<Subpackage> subpackages;
    private final byte[] canonical;

    Recipe(Path file, Digest digest, String name, String version, long epoch, Optional<String> description,
           List<String> licenses, Relations dependencies, ImageSpec environment, List<Source> sources, List<Step> pipeline,
           List<Subpackage> subpackages, byte[] canonical) {
        this.file = Objects.requireNonNull(file, "file");
        this.digest = Objects.requireNonNull(digest, "digest");
        this.name = Objects.requireNonNull(name, "name");
        this.version = Objects.requireNonNull(version, "version");
        this.epoch = epoch;
        this.description = Objects.requireNonNull(description, "description");
        this.licenses = List.copyOf(licenses);
        this.dependencies = Objects.requireNonNull(dependencies, "dependencies");
        this.environment = Objects.requireNonNull(environment, "environment");
        this.sources = List.copyOf(sources);
        this.pipeline = List.copyOf(pipeline);
        this.subpackages = List.copyOf(subpackages);
        this.canonical = canonical.clone();
    }

    /** The recipe file as the caller named it. */
    public Path file() {
        return file;
    }

    /** The sha256 of the file's bytes (changes with a comment; {@link #canonicalDigest()} does not). */
    public Digest digest() {
        return digest;
    }

    /** {@code package.name}: the Debian package name. */
    public String name() {
        return name;
    }

    /** {@code package.version}: the upstream version. */
    public String version() {
        return version;
    }

    /** {@code package.epoch}: the build number of this version (0 unless given). */
    public long epoch() {
        return epoch;
    }

    /** {@code package.description}. */
    public Optional<String> description() {
        return description;
    }

    /** The {@code license} of each {@code package.copyright} entry, in order. */
    public List<String> licenses() {
        return licenses;
    }

    /** {@code package.dependencies}. */
    public Relations dependencies() {
        return dependencies;
    }

    /** {@code environment}: the build environment, an image spec resolved for the host's architecture. */
    public ImageSpec environment() {
        return environment;
    }

    /** {@link #environment()} for {@code arch}: the spec a build environment on that architecture is resolved from. */
    public ImageSpec environmentFor(String arch) {
        ImageSpec e = environment;
        return new ImageSpec(e.source(), e.digest(), e.contents(), List.of(arch), e.accounts(), e.entrypoint(), e.cmd(), e.workDir(),
                e.environment(), e.paths(), e.annotations(), e.stopSignal(), e.volumes(), e.ports(), e.layering(), e.alternatives(),
                e.lines());
    }

    /** The pipeline's sources, in the order written. */
    public List<Source> sources() {
        return sources;
    }

    /** The main pipeline's script steps (its sources left out), in the order written. */
    public List<Step> pipeline() {
        return pipeline;
    }

    public List<Subpackage> subpackages() {
        return subpackages;
    }

    /**
     * The Debian version of every package the recipe builds: {@code VERSION-EPOCHkiln1}, e.g.
     * {@code 2.10-0kiln1}. It sorts below Debian's own {@code 2.10-1}, and a new epoch above the last.
     */
    public String debianVersion() {
        return version + "-" + epoch + "kiln1";
    }

    /**
     * The recipe in a canonical form, for the build key: compact JSON
     * {@code {"format":"kiln-recipe-1","recipe":TREE}}, where TREE is the whole document with
     * mappings' keys sorted and every scalar as the text written. Formatting, comments, quoting and
     * key order do not change it; any value does. {@code ${..._MIRROR}} variables stay unexpanded,
     * so it names no host.
     */
    public byte[] canonicalBytes() {
        return canonical.clone();
    }

    /** The sha256 of {@link #canonicalBytes()}. */
    public Digest canonicalDigest() {
        return Digest.of(canonical);
    }

    @Override
    public String toString() {
        return name + " " + debianVersion() + " (" + file + ")";
    }

    static byte[] canonical(byte[] tree) {
        return ("{\"format\":\"" + CANONICAL_FORMAT + "\",\"recipe\":" + new String(tree, UTF_8) + "}").getBytes(UTF_8);
    }
}
