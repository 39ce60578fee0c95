package dev.kiln.resolver.spec;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.resolver.spec.ImageSpec.PathEntry;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * An image spec built in code. It renders the spec as canonical YAML, because a spec is known by
 * the sha256 of its bytes (the lock names it, and the image carries it): {@link #yaml()} is that
 * text, and {@link #build} parses it as a file would be parsed, so a YAML file holding the same
 * text has the same digest. Values are checked by the parser, with messages naming the key.
 *
 * <p>The canonical form: the keys in the order {@link ImageSpecParser} documents, two spaces of
 * indentation, every list in block style, every string double-quoted with JSON's escapes, numbers
 * in decimal (modes in octal as {@code 0o755}), booleans as {@code true}; keys at their default
 * (an empty list, {@code recommends: false}, {@code uid: 0}, ...) are left out, except {@code archs},
 * always written; a final newline.
 *
 * <pre>{@code
 * ImageSpec spec = ImageSpec.builder()
 *         .repository("deb ${DEBIAN_MIRROR} bookworm main")
 *         .packages("base-files", "libc6")
 *         .archs("amd64")
 *         .entrypoint("/usr/bin/openssl")
 *         .build("base (in code)");
 * }</pre>
 */
public final class SpecBuilder {
    private final List<String> repositories = new ArrayList<>();
    private final List<String> packages = new ArrayList<>();
    private final List<String> exclude = new ArrayList<>();
    private final Map<String, List<String>> skipDependencies = new LinkedHashMap<>();
    private boolean recommends;
    private final List<ImageSpec.PathRule> pathFilter = new ArrayList<>();
    private final List<String> archs = new ArrayList<>();
    private final List<ImageSpec.Group> groups = new ArrayList<>();
    private final List<ImageSpec.User> users = new ArrayList<>();
    private String runAs;
    private String entrypoint;
    private String cmd;
    private String workDir;
    private final Map<String, String> environment = new LinkedHashMap<>();
    private final List<PathEntry> paths = new ArrayList<>();
    private final Map<String, String> annotations = new LinkedHashMap<>();
    private String stopSignal;
    private final List<String> volumes = new ArrayList<>();
    private final List<String> ports = new ArrayList<>();
    private ImageSpec.Layering layering = ImageSpec.Layering.NONE;
    private final List<ImageSpec.Alternative> alternatives = new ArrayList<>();

    SpecBuilder() {
    }

    /** A repository as an apt source line, e.g. {@code deb ${DEBIAN_MIRROR} bookworm main}. */
    public SpecBuilder repository(String sourceLine) {
        repositories.add(Objects.requireNonNull(sourceLine, "sourceLine"));
        return this;
    }

    /** Packages to install, each as a spec writes it: {@code libc6}, {@code libc6 (>= 2.36)}, {@code libc6=2.36-9}. */
    public SpecBuilder packages(String... requests) {
        packages.addAll(List.of(requests));
        return this;
    }

    public SpecBuilder exclude(String... names) {
        exclude.addAll(List.of(names));
        return this;
    }

    /** Dependencies of {@code pkg} not to follow. */
    public SpecBuilder skipDependencies(String pkg, String... dependencies) {
        skipDependencies.computeIfAbsent(Objects.requireNonNull(pkg, "pkg"), k -> new ArrayList<>()).addAll(List.of(dependencies));
        return this;
    }

    public SpecBuilder recommends(boolean follow) {
        this.recommends = follow;
        return this;
    }

    /** A path filter rule: dpkg's path-exclude ({@code include} false) or path-include. */
    public SpecBuilder pathFilter(boolean include, String pattern) {
        pathFilter.add(new ImageSpec.PathRule(include, PathGlob.parse(pattern)));
        return this;
    }

    /** Architectures (Debian's or OCI's names); amd64 when none is given. */
    public SpecBuilder archs(String... names) {
        archs.addAll(List.of(names));
        return this;
    }

    public SpecBuilder group(String name, long gid, String... members) {
        groups.add(new ImageSpec.Group(name, gid, List.of(members)));
        return this;
    }

    public SpecBuilder user(String name, long uid, long gid, Optional<String> homedir, Optional<String> shell) {
        users.add(new ImageSpec.User(name, uid, gid, homedir, shell));
        return this;
    }

    /** The user the image runs as: a name, a uid, or {@code user:group}. */
    public SpecBuilder runAs(String user) {
        this.runAs = user;
        return this;
    }

    public SpecBuilder entrypoint(String command) {
        this.entrypoint = command;
        return this;
    }

    public SpecBuilder cmd(String cmd) {
        this.cmd = cmd;
        return this;
    }

    public SpecBuilder workDir(String dir) {
        this.workDir = dir;
        return this;
    }

    public SpecBuilder environment(String name, String value) {
        environment.put(Objects.requireNonNull(name, "name"), Objects.requireNonNull(value, "value"));
        return this;
    }

    /** A change to the image's file tree (see {@link PathEntry}). */
    public SpecBuilder path(PathEntry entry) {
        paths.add(Objects.requireNonNull(entry, "entry"));
        return this;
    }

    public SpecBuilder annotation(String key, String value) {
        annotations.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
        return this;
    }

    public SpecBuilder stopSignal(String signal) {
        this.stopSignal = signal;
        return this;
    }

    public SpecBuilder volume(String path) {
        volumes.add(Objects.requireNonNull(path, "path"));
        return this;
    }

    /** A port like {@code 8080/tcp} or {@code 53/udp}. */
    public SpecBuilder port(String port) {
        ports.add(Objects.requireNonNull(port, "port"));
        return this;
    }

    public SpecBuilder layering(ImageSpec.Layering layering) {
        this.layering = Objects.requireNonNull(layering, "layering");
        return this;
    }

    /** An entry of {@code alternatives}: {@code path} chosen for {@code name} (see {@link ImageSpec.Alternative}). */
    public SpecBuilder alternative(ImageSpec.Alternative alternative) {
        alternatives.add(Objects.requireNonNull(alternative, "alternative"));
        return this;
    }

    /** The spec as canonical YAML (see the class comment). */
    public byte[] yaml() {
        Yaml y = new Yaml();
        y.line(0, "contents:");
        y.list(1, "repositories", repositories);
        y.list(1, "packages", packages);
        y.list(1, "exclude", exclude);
        if (!skipDependencies.isEmpty()) {
            y.line(1, "skip-dependencies:");
            skipDependencies.forEach((pkg, deps) -> y.list(2, quote(pkg), deps));
        }
        if (recommends) {
            y.line(1, "recommends: true");
        }
        if (!pathFilter.isEmpty()) {
            y.line(1, "path-filter:");
            for (ImageSpec.PathRule r : pathFilter) {
                y.line(2, "- " + (r.include() ? "include: " : "exclude: ") + quote(r.pattern().text()));
            }
        }
        y.list(0, "archs", archs.isEmpty() ? List.of("amd64") : archs);
        if (!groups.isEmpty() || !users.isEmpty() || runAs != null) {
            y.line(0, "accounts:");
            if (!groups.isEmpty()) {
                y.line(1, "groups:");
                for (ImageSpec.Group g : groups) {
                    y.line(2, "- groupname: " + quote(g.groupname()));
                    y.line(3, "gid: " + g.gid());
                    y.list(3, "members", g.members());
                }
            }
            if (!users.isEmpty()) {
                y.line(1, "users:");
                for (ImageSpec.User u : users) {
                    y.line(2, "- username: " + quote(u.username()));
                    y.line(3, "uid: " + u.uid());
                    y.line(3, "gid: " + u.gid());
                    u.homedir().ifPresent(h -> y.line(3, "homedir: " + quote(h)));
                    u.shell().ifPresent(s -> y.line(3, "shell: " + quote(s)));
                }
            }
            if (runAs != null) {
                y.line(1, "run-as: " + quote(runAs));
            }
        }
        if (entrypoint != null) {
            y.line(0, "entrypoint:");
            y.line(1, "command: " + quote(entrypoint));
        }
        y.scalar(0, "cmd", cmd);
        y.scalar(0, "work-dir", workDir);
        y.map(0, "environment", environment);
        if (!paths.isEmpty()) {
            y.line(0, "paths:");
            for (PathEntry p : paths) {
                y.line(1, "- path: " + quote(p.path()));
                y.line(2, "type: " + quote(p.type().yamlName()));
                p.permissions().ifPresent(m -> y.line(2, "permissions: 0o" + Integer.toOctalString(m)));
                if (p.uid() != 0) {
                    y.line(2, "uid: " + p.uid());
                }
                if (p.gid() != 0) {
                    y.line(2, "gid: " + p.gid());
                }
                p.source().ifPresent(s -> y.line(2, "source: " + quote(s)));
                if (p.recursive()) {
                    y.line(2, "recursive: true");
                }
            }
        }
        y.map(0, "annotations", annotations);
        y.scalar(0, "stop-signal", stopSignal);
        y.list(0, "volumes", volumes);
        y.list(0, "ports", ports);
        if (layering.strategy() == ImageSpec.Layering.Strategy.ORIGIN) {
            y.line(0, "layering:");
            y.line(1, "strategy: \"origin\"");
            y.line(1, "budget: " + layering.budget());
        }
        if (!alternatives.isEmpty()) {
            y.line(0, "alternatives:");
            for (ImageSpec.Alternative a : alternatives) {
                y.line(1, "- name: " + quote(a.name()));
                y.line(2, "path: " + quote(a.path()));
                a.link().ifPresent(l -> y.line(2, "link: " + quote(l)));
            }
        }
        return y.text().getBytes(UTF_8);
    }

    /**
     * The spec, parsed from {@link #yaml()} as a file of that text would be; {@code name} stands
     * for the file in messages and is the spec's {@link ImageSpec#source()}.
     *
     * @throws SpecException naming the key, as for a file, when a value is not one kiln can use
     */
    public ImageSpec build(String name) {
        return ImageSpecParser.parse(yaml(), name);
    }

    /** A string in double quotes with JSON's escapes, which YAML reads back as the same string. */
    static String quote(String s) {
        StringBuilder b = new StringBuilder(s.length() + 2).append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\t' -> b.append("\\t");
                case '\r' -> b.append("\\r");
                default -> {
                    if (c < 0x20 || c == 0x7f) {
                        b.append(String.format("\\u%04x", (int) c));
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.append('"').toString();
    }

    /** Block-style YAML, two spaces a level. */
    private static final class Yaml {
        private final StringBuilder out = new StringBuilder();

        void line(int level, String text) {
            out.append("  ".repeat(level)).append(text).append('\n');
        }

        void list(int level, String key, List<String> items) {
            if (items.isEmpty()) {
                return;
            }
            line(level, key + ":");
            items.forEach(i -> line(level + 1, "- " + quote(i)));
        }

        void map(int level, String key, Map<String, String> entries) {
            if (entries.isEmpty()) {
                return;
            }
            line(level, key + ":");
            entries.forEach((k, v) -> line(level + 1, quote(k) + ": " + quote(v)));
        }

        void scalar(int level, String key, String value) {
            if (value != null) {
                line(level, key + ": " + quote(value));
            }
        }

        String text() {
            return out.toString();
        }
    }

    // PathEntry factories for code that builds specs

    /** A directory, made with {@code mode} if given. */
    public static PathEntry directory(String path, OptionalInt mode) {
        return new PathEntry(path, PathType.DIRECTORY, mode, 0, 0, Optional.empty(), false);
    }

    /** A symlink at {@code path} leading to {@code target}. */
    public static PathEntry symlink(String path, String target) {
        return new PathEntry(path, PathType.SYMLINK, OptionalInt.empty(), 0, 0, Optional.of(target), false);
    }

    /** A local directory or file (a copy) laid in at {@code path}, relative to the build context's spec directory. */
    public static PathEntry copy(String path, PathType type, String source) {
        return new PathEntry(path, type, OptionalInt.empty(), 0, 0, Optional.of(source), false);
    }
}
