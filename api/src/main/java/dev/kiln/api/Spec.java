package dev.kiln.api;

import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.resolver.spec.SpecBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An image spec: what an image holds, as YAML. A spec is known by the sha256 of its bytes (the
 * lock names it, and the image carries it), so a spec is its bytes: {@link #load} reads a file,
 * {@link #builder()} renders one built in code as canonical YAML (see the README), so that a file
 * holding the same text has the same {@link #digest()}. Immutable; the bytes are checked as a file
 * would be when the spec is made.
 *
 * <p>A spec built in code has no directory of its own: a lock request for it names the lock file,
 * and a spec that copies local files needs an explicit build context ({@link Kiln.Builder#context}),
 * from which its relative sources are taken.
 */
public final class Spec {
    private final ImageSpec parsed;
    private final byte[] yaml;
    private final Path file;

    private Spec(ImageSpec parsed, byte[] yaml, Path file) {
        this.parsed = parsed;
        this.yaml = yaml;
        this.file = file;
    }

    /**
     * Reads and checks the spec in {@code file}.
     *
     * @throws dev.kiln.store.KilnException naming the file, line and key of what is wrong
     */
    public static Spec load(Path file) {
        byte[] bytes = ImageSpecParser.read(file);
        return new Spec(ImageSpecParser.parse(bytes, file), bytes, file);
    }

    /** A spec from YAML text; {@code name} stands for a file in messages (e.g. {@code base.yaml}). */
    public static Spec of(byte[] yaml, String name) {
        byte[] bytes = yaml.clone();
        return new Spec(ImageSpecParser.parse(bytes, name), bytes, null);
    }

    /**
     * A spec embedded in another document and already parsed (a recipe's {@code environment}):
     * {@code file} is that document, {@code bytes} the spec's canonical form.
     */
    static Spec embedded(ImageSpec parsed, byte[] bytes, Path file) {
        return new Spec(parsed, bytes.clone(), file);
    }

    /** A spec built in code, rendered as canonical YAML. */
    public static Builder builder() {
        return new Builder();
    }

    /** The {@code sha256:...} digest of the spec's bytes, as its lock names it. */
    public String digest() {
        return parsed.digest().toString();
    }

    /** The spec's bytes: what the image carries. */
    public byte[] yaml() {
        return yaml.clone();
    }

    /** The file it was loaded from; empty for a spec made in code. */
    public Optional<Path> file() {
        return Optional.ofNullable(file);
    }

    /** How messages name it: the file as given, or the name a spec made in code was given. */
    public String name() {
        return parsed.source().toString();
    }

    /** The architectures it builds (Debian names), in the order written. */
    public List<String> architectures() {
        return parsed.archs();
    }

    /** The checked model, for the build. */
    ImageSpec parsed() {
        return parsed;
    }

    /** The model of this spec as if it were the file {@code path} (a spec made in code, placed in its build context). */
    ImageSpec parsedAs(Path path) {
        return ImageSpecParser.parse(yaml, path);
    }

    @Override
    public String toString() {
        return "Spec[" + name() + ", " + digest() + "]";
    }

    /**
     * Builds a spec in code. Each method adds to what a YAML spec would say under the key it
     * names; {@link #build(String)} renders canonical YAML and checks it as a file would be checked.
     *
     * <pre>{@code
     * Spec spec = Spec.builder()
     *         .repository("deb ${DEBIAN_MIRROR} bookworm main")
     *         .packages("base-files", "libc6")
     *         .archs("amd64")
     *         .entrypoint("/usr/bin/openssl")
     *         .build("base.yaml");
     * }</pre>
     */
    public static final class Builder {
        private final SpecBuilder yaml = ImageSpec.builder();

        private Builder() {
        }

        /** {@code contents.repositories}: an apt source line, e.g. {@code deb ${DEBIAN_MIRROR} bookworm main}. */
        public Builder repository(String sourceLine) {
            yaml.repository(sourceLine);
            return this;
        }

        /** {@code contents.packages}, each as a spec writes it: {@code libc6}, {@code libc6 (>= 2.36)}, {@code libc6=2.36-9}. */
        public Builder packages(String... requests) {
            yaml.packages(requests);
            return this;
        }

        /** {@code contents.exclude}: packages never installed. */
        public Builder exclude(String... names) {
            yaml.exclude(names);
            return this;
        }

        /** {@code contents.skip-dependencies}: dependencies of {@code pkg} not to follow. */
        public Builder skipDependencies(String pkg, String... dependencies) {
            yaml.skipDependencies(pkg, dependencies);
            return this;
        }

        /** {@code contents.recommends: true}: follow Recommends as apt does by default. */
        public Builder followRecommends() {
            yaml.recommends(true);
            return this;
        }

        /** {@code contents.path-filter}: an {@code exclude} rule (dpkg's path-exclude). */
        public Builder excludePaths(String pattern) {
            yaml.pathFilter(false, pattern);
            return this;
        }

        /** {@code contents.path-filter}: an {@code include} rule (dpkg's path-include). */
        public Builder includePaths(String pattern) {
            yaml.pathFilter(true, pattern);
            return this;
        }

        /** {@code archs}: Debian or OCI names ({@code amd64} when none is given). */
        public Builder archs(String... names) {
            yaml.archs(names);
            return this;
        }

        /** {@code accounts.groups}. */
        public Builder group(String name, long gid, String... members) {
            yaml.group(name, gid, members);
            return this;
        }

        /** {@code accounts.users}, with the default home and shell. */
        public Builder user(String name, long uid, long gid) {
            yaml.user(name, uid, gid, Optional.empty(), Optional.empty());
            return this;
        }

        /** {@code accounts.users}. */
        public Builder user(String name, long uid, long gid, String homedir, String shell) {
            yaml.user(name, uid, gid, Optional.of(homedir), Optional.of(shell));
            return this;
        }

        /** {@code accounts.run-as}: a name, a uid, or {@code user:group}. */
        public Builder runAs(String user) {
            yaml.runAs(user);
            return this;
        }

        /** {@code entrypoint.command}. */
        public Builder entrypoint(String command) {
            yaml.entrypoint(command);
            return this;
        }

        /** {@code cmd}. */
        public Builder cmd(String cmd) {
            yaml.cmd(cmd);
            return this;
        }

        /** {@code work-dir}. */
        public Builder workDir(String dir) {
            yaml.workDir(dir);
            return this;
        }

        /** {@code environment}. */
        public Builder environment(String name, String value) {
            yaml.environment(name, value);
            return this;
        }

        /** {@code paths}: a directory. */
        public Builder directory(String path) {
            yaml.path(SpecBuilder.directory(path, OptionalInt.empty()));
            return this;
        }

        /** {@code paths}: a directory with mode {@code permissions} (e.g. {@code 01777}). */
        public Builder directory(String path, int permissions) {
            yaml.path(SpecBuilder.directory(path, OptionalInt.of(permissions)));
            return this;
        }

        /** {@code paths}: a symlink at {@code path} leading to {@code target}. */
        public Builder symlink(String path, String target) {
            yaml.path(SpecBuilder.symlink(path, target));
            return this;
        }

        /** {@code paths}: the local directory {@code source} (relative to the build context) copied in at {@code path}. */
        public Builder copyDirectory(String path, String source) {
            yaml.path(SpecBuilder.copy(path, ImageSpec.PathType.DIRECTORY, source));
            return this;
        }

        /** {@code paths}: the local file {@code source} (relative to the build context) copied in at {@code path}. */
        public Builder copyFile(String path, String source) {
            yaml.path(SpecBuilder.copy(path, ImageSpec.PathType.FILE, source));
            return this;
        }

        /** {@code annotations}. */
        public Builder annotation(String key, String value) {
            yaml.annotation(key, value);
            return this;
        }

        /** {@code stop-signal}. */
        public Builder stopSignal(String signal) {
            yaml.stopSignal(signal);
            return this;
        }

        /** {@code volumes}. */
        public Builder volume(String path) {
            yaml.volume(path);
            return this;
        }

        /** {@code ports}: e.g. {@code 8080/tcp}. */
        public Builder port(String port) {
            yaml.port(port);
            return this;
        }

        /** {@code layering}: one layer per origin (source package), up to {@code budget} layers. */
        public Builder originLayering(int budget) {
            yaml.layering(new ImageSpec.Layering(ImageSpec.Layering.Strategy.ORIGIN, budget));
            return this;
        }

        /**
         * {@code alternatives}: {@code path} as the choice for the alternative {@code name}
         * (manual mode), over what the packages' scripts register.
         */
        public Builder alternative(String name, String path) {
            yaml.alternative(new ImageSpec.Alternative(name, path, Optional.empty()));
            return this;
        }

        /** {@code alternatives}: a group no package registers, its master {@code link} leading to {@code path}. */
        public Builder alternative(String name, String path, String link) {
            yaml.alternative(new ImageSpec.Alternative(name, path, Optional.of(link)));
            return this;
        }

        /** The canonical YAML so far. */
        public byte[] yaml() {
            return yaml.yaml();
        }

        /**
         * The spec; {@code name} stands for a file in messages and is its path in the lock.
         *
         * @throws dev.kiln.store.KilnException naming the key, as for a file, when a value is not one kiln can use
         */
        public Spec build(String name) {
            Objects.requireNonNull(name, "name");
            byte[] bytes = yaml.yaml();
            return new Spec(ImageSpecParser.parse(bytes, name), bytes, null);
        }
    }
}
