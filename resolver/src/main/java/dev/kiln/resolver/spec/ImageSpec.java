package dev.kiln.resolver.spec;

import dev.kiln.store.Digest;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * What an image holds, as its YAML spec declares it (see {@link ImageSpecParser}). Keys follow
 * apko's where apko has them. The spec's digest is part of every result derived from it.
 *
 * @param source the spec file as the user named it; relative {@code signed-by=} paths are resolved
 *     against its directory
 * @param digest the sha256 of the spec's bytes
 * @param archs Debian architecture names, in the order written; {@code [amd64]} if not given
 * @param entrypoint {@code entrypoint.command}, not yet split into words
 * @param environment in the order written
 * @param annotations in the order written
 * @param alternatives the spec's {@code alternatives}: choices made over (or added to) what the
 *     packages' scripts register, in the order written
 * @param lines the line each key path was written on ({@code paths[2].source}), for checks made
 *     after parsing that must point at the spec
 */
public record ImageSpec(
        Path source,
        Digest digest,
        Contents contents,
        List<String> archs,
        Accounts accounts,
        Optional<String> entrypoint,
        Optional<String> cmd,
        Optional<String> workDir,
        Map<String, String> environment,
        List<PathEntry> paths,
        Map<String, String> annotations,
        Optional<String> stopSignal,
        List<String> volumes,
        List<Port> ports,
        Layering layering,
        List<Alternative> alternatives,
        Map<String, Integer> lines) {

    public ImageSpec {
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(digest, "digest");
        Objects.requireNonNull(contents, "contents");
        archs = List.copyOf(archs);
        Objects.requireNonNull(accounts, "accounts");
        Objects.requireNonNull(entrypoint, "entrypoint");
        Objects.requireNonNull(cmd, "cmd");
        Objects.requireNonNull(workDir, "workDir");
        environment = orderedCopy(environment);
        paths = List.copyOf(paths);
        annotations = orderedCopy(annotations);
        Objects.requireNonNull(stopSignal, "stopSignal");
        volumes = List.copyOf(volumes);
        ports = List.copyOf(ports);
        Objects.requireNonNull(layering, "layering");
        alternatives = List.copyOf(alternatives);
        lines = Map.copyOf(lines);
    }

    /** A spec built in code, rendered as canonical YAML (see {@link SpecBuilder}). */
    public static SpecBuilder builder() {
        return new SpecBuilder();
    }

    /** The line {@code key} (a key path like {@code paths[2].source}) was written on, or 0 if it was not. */
    public int line(String key) {
        return lines.getOrDefault(key, 0);
    }

    /**
     * One entry of {@code alternatives}: {@code update-alternatives --set NAME PATH}, the group
     * then in manual mode. A path no package registers is added as a choice of priority 0; a name
     * no package registers needs {@code link}, the master link to make.
     */
    public record Alternative(String name, String path, Optional<String> link) {
        public Alternative {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(link, "link");
        }
    }

    /**
     * What to install.
     *
     * @param exclude packages never to install; a dependency on one counts as satisfied
     * @param skipDependencies package name to the dependencies not to follow from it (as distroless
     *     leaves out libgcc-s1 under libc6), in the order written
     * @param recommends whether to follow Recommends as well as Depends and Pre-Depends
     * @param pathFilter which of the packages' files go into the image, as dpkg's path filters:
     *     the last rule that matches a path decides; no rule, every file
     */
    public record Contents(
            List<SourceLine> repositories,
            List<PackageRequest> packages,
            List<String> exclude,
            Map<String, List<String>> skipDependencies,
            boolean recommends,
            List<PathRule> pathFilter) {
        public Contents {
            repositories = List.copyOf(repositories);
            pathFilter = List.copyOf(pathFilter);
            packages = List.copyOf(packages);
            exclude = List.copyOf(exclude);
            Map<String, List<String>> skips = new LinkedHashMap<>();
            skipDependencies.forEach((k, v) -> skips.put(Objects.requireNonNull(k), List.copyOf(v)));
            skipDependencies = Collections.unmodifiableMap(skips);
        }
    }

    /**
     * One rule of {@code contents.path-filter}: dpkg's {@code path-exclude} ({@code include}
     * false) or {@code path-include}.
     */
    public record PathRule(boolean include, PathGlob pattern) {
        public PathRule {
            Objects.requireNonNull(pattern, "pattern");
        }

        /** The rule as a line of dpkg's configuration, e.g. {@code path-exclude=/usr/share/doc/*}. */
        public String dpkgOption() {
            return (include ? "path-include=" : "path-exclude=") + pattern.text();
        }
    }

    /**
     * Accounts written into {@code /etc/passwd} and {@code /etc/group}.
     *
     * @param runAs the user the image runs as: a name, a uid, or {@code user:group}
     */
    public record Accounts(List<Group> groups, List<User> users, Optional<String> runAs) {
        public static final Accounts NONE = new Accounts(List.of(), List.of(), Optional.empty());

        public Accounts {
            groups = List.copyOf(groups);
            users = List.copyOf(users);
            Objects.requireNonNull(runAs, "runAs");
        }
    }

    public record Group(String groupname, long gid, List<String> members) {
        public Group {
            Objects.requireNonNull(groupname, "groupname");
            members = List.copyOf(members);
        }
    }

    public record User(String username, long uid, long gid, Optional<String> homedir, Optional<String> shell) {
        public User {
            Objects.requireNonNull(username, "username");
            Objects.requireNonNull(homedir, "homedir");
            Objects.requireNonNull(shell, "shell");
        }
    }

    /** What a {@link PathEntry} does to its path. */
    public enum PathType {
        DIRECTORY("directory"),
        /** A regular file copied from a local {@code source} (kiln's; apko has no such type). */
        FILE("file"),
        EMPTY_FILE("empty-file"),
        SYMLINK("symlink"),
        HARDLINK("hardlink"),
        PERMISSIONS("permissions");

        private final String yamlName;

        PathType(String yamlName) {
            this.yamlName = yamlName;
        }

        /** The name a spec writes, e.g. {@code empty-file}. */
        public String yamlName() {
            return yamlName;
        }
    }

    /**
     * A change to the image's file tree after the packages are installed.
     *
     * @param permissions the mode bits (at most 07777), if given
     * @param source for a symlink, its target; for a hardlink, the existing path; for a file or a
     *     directory, the local file or directory copied into the image, as written (a relative
     *     path is taken from the spec's directory)
     * @param recursive for a directory or permissions change, whether it applies to what is below
     */
    public record PathEntry(
            String path, PathType type, OptionalInt permissions, long uid, long gid,
            Optional<String> source, boolean recursive) {
        public PathEntry {
            Objects.requireNonNull(path, "path");
            Objects.requireNonNull(type, "type");
            Objects.requireNonNull(permissions, "permissions");
            Objects.requireNonNull(source, "source");
        }

        /** Whether this entry copies a local file or directory into the image. */
        public boolean copiesSource() {
            return (type == PathType.FILE || type == PathType.DIRECTORY) && source.isPresent();
        }
    }

    /** The entries that copy a local file or directory into the image, in the order written. */
    public List<PathEntry> copies() {
        return paths.stream().filter(PathEntry::copiesSource).toList();
    }

    /** A port the image exposes, e.g. {@code 8080/tcp}. */
    public record Port(int number, String protocol) {
        public Port {
            Objects.requireNonNull(protocol, "protocol");
        }

        @Override
        public String toString() {
            return number + "/" + protocol;
        }
    }

    /** How packages are split into layers. */
    public record Layering(Strategy strategy, int budget) {
        /** Everything in one layer. */
        public static final Layering NONE = new Layering(Strategy.NONE, 0);

        /** apko's default budget for the origin strategy. */
        public static final int DEFAULT_BUDGET = 10;

        public enum Strategy {
            NONE,
            /** One layer per origin (source package), up to the budget. */
            ORIGIN
        }

        public Layering {
            Objects.requireNonNull(strategy, "strategy");
        }
    }

    private static <K, V> Map<K, V> orderedCopy(Map<K, V> map) {
        Map<K, V> copy = new LinkedHashMap<>();
        map.forEach((k, v) -> copy.put(Objects.requireNonNull(k), Objects.requireNonNull(v)));
        return Collections.unmodifiableMap(copy);
    }
}
