package dev.kiln.resolver.spec;

import dev.kiln.resolver.spec.ImageSpec.Accounts;
import dev.kiln.resolver.spec.ImageSpec.Contents;
import dev.kiln.resolver.spec.ImageSpec.Group;
import dev.kiln.resolver.spec.ImageSpec.Layering;
import dev.kiln.resolver.spec.ImageSpec.PathEntry;
import dev.kiln.resolver.spec.ImageSpec.PathRule;
import dev.kiln.resolver.spec.ImageSpec.PathType;
import dev.kiln.resolver.spec.ImageSpec.Port;
import dev.kiln.resolver.spec.ImageSpec.User;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Reads an image spec from YAML. Every problem is a {@link SpecException} naming the file, the
 * line and the key, e.g. {@code base.yaml:7: contents.pakages: unknown key; did you mean 'packages'?}.
 *
 * <pre>
 * contents:
 *   repositories: [deb ${DEBIAN_MIRROR} bookworm main]
 *   packages: [base-files, libc6 (>= 2.36), tzdata=2025b-0+deb12u1]
 *   exclude: [debconf]
 *   skip-dependencies: {libc6: [libgcc-s1]}
 *   recommends: false
 *   path-filter: [{exclude: /usr/share/doc/*}, {include: /usr/share/doc/*&#47;copyright}]
 * archs: [amd64, arm64]
 * accounts: {groups: [...], users: [...], run-as: nonroot}
 * entrypoint: {command: /usr/bin/openssl}
 * cmd: version
 * work-dir: /home/nonroot
 * environment: {K: V}
 * paths: [{path: /tmp, type: directory, permissions: 0o1777}, {path: /app, type: directory, source: ./app}]
 * annotations: {K: V}
 * stop-signal: SIGTERM
 * volumes: [/data]
 * ports: [8080/tcp]
 * layering: {strategy: origin, budget: 10}
 * alternatives: [{name: java, path: /usr/lib/jvm/java-17-openjdk-amd64/bin/java}]
 * </pre>
 */
public final class ImageSpecParser {
    private static final String[] TOP = {
        "contents", "archs", "accounts", "entrypoint", "cmd", "work-dir", "environment", "paths",
        "annotations", "stop-signal", "volumes", "ports", "layering", "alternatives"
    };
    /** What update-alternatives accepts as a name: no slash, no blank (it keeps one name a line). */
    private static final Pattern ALTERNATIVE_NAME = Pattern.compile("[A-Za-z0-9_.+@-][A-Za-z0-9_.+@:-]*");
    private static final long MAX_ID = 4_294_967_294L; // (uid_t) -1 means "no id"
    private static final Pattern ACCOUNT_NAME = Pattern.compile("[a-z_][a-z0-9_-]*\\$?");
    private static final Pattern RUN_AS = Pattern.compile("([a-z_][a-z0-9_-]*\\$?|[0-9]+)(:([a-z_][a-z0-9_-]*\\$?|[0-9]+))?");
    private static final Pattern OCTAL = Pattern.compile("0o?([0-7]+)|0");
    private static final Pattern DECIMAL = Pattern.compile("0|[1-9][0-9]*");
    private static final Pattern SIGNAL = Pattern.compile("SIG[A-Z0-9]+([+-][0-9]+)?|[0-9]+");
    private static final Pattern PORT = Pattern.compile("([0-9]+)(?:/(tcp|udp|sctp))?");

    private ImageSpecParser() {}

    /** Parses the spec in {@code file}; errors name the file as given. */
    public static ImageSpec parse(Path file) {
        return parse(read(file), file);
    }

    /** The bytes of the spec in {@code file}; errors name the file as given. */
    public static byte[] read(Path file) {
        try {
            return Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new SpecException(SpecException.Kind.NOT_FOUND, file.toString(), 0, "", "no such file",
                    "check the path to the image spec");
        } catch (IOException e) {
            throw new SpecException(file.toString(), 0, "", "cannot read: " + dev.kiln.store.IoErrors.why(e), null);
        }
    }

    /** Parses spec bytes read from {@code file} (see {@link #read}); errors name the file, which becomes {@link ImageSpec#source()}. */
    public static ImageSpec parse(byte[] bytes, Path file) {
        return parse(bytes, file.toString(), file);
    }

    /** Parses spec bytes; {@code displayName} names them in errors and becomes {@link ImageSpec#source()}. */
    public static ImageSpec parse(byte[] bytes, String displayName) {
        return parse(bytes, displayName, Path.of(displayName));
    }

    private static ImageSpec parse(byte[] bytes, String file, Path source) {
        return parse(new SpecNode(file, YamlNode.read(bytes, file)), source, Digest.of(bytes));
    }

    /**
     * Parses an image spec from a node of a larger document (a recipe's {@code environment}): errors
     * name that document's file, the line and the key path under the node ({@code
     * environment.contents.packages[1]}), and {@link ImageSpec#lines()} is keyed by those paths.
     *
     * @param source what {@link ImageSpec#source()} becomes: relative {@code signed-by=} paths are resolved against its directory
     * @param digest what {@link ImageSpec#digest()} becomes: the digest the caller knows the spec by
     */
    public static ImageSpec parse(SpecNode root, Path source, Digest digest) {
        SpecNode.Fields top = root.fields("a mapping of keys like contents, archs and entrypoint", TOP);
        return new ImageSpec(
                source,
                digest,
                contents(top.required("contents", "declare contents.repositories and contents.packages")),
                top.optional("archs").map(ImageSpecParser::archs).orElse(List.of("amd64")),
                top.optional("accounts").map(ImageSpecParser::accounts).orElse(Accounts.NONE),
                top.optional("entrypoint").map(ImageSpecParser::entrypoint),
                top.optional("cmd").map(n -> n.string("a command line string like 'version'")),
                top.optional("work-dir").map(n -> absolutePath(n, "an absolute directory like /home/nonroot")),
                top.optional("environment").map(ImageSpecParser::environment).orElse(Map.of()),
                top.optional("paths").map(ImageSpecParser::paths).orElse(List.of()),
                top.optional("annotations").map(ImageSpecParser::annotations).orElse(Map.of()),
                top.optional("stop-signal").map(ImageSpecParser::stopSignal),
                top.optional("volumes").map(ImageSpecParser::volumes).orElse(List.of()),
                top.optional("ports").map(ImageSpecParser::ports).orElse(List.of()),
                top.optional("layering").map(ImageSpecParser::layering).orElse(Layering.NONE),
                top.optional("alternatives").map(ImageSpecParser::alternatives).orElse(List.of()),
                root.lines()); // last: every node above has been read by then
    }

    private static Contents contents(SpecNode node) {
        SpecNode.Fields f = node.fields("a mapping with repositories and packages",
                "repositories", "packages", "exclude", "skip-dependencies", "recommends", "path-filter");

        SpecNode repositoriesNode = f.required("repositories", "list the Debian repositories, e.g. '- deb ${DEBIAN_MIRROR} bookworm main'");
        List<SourceLine> repositories = nonEmpty(repositoriesNode, "a list of source lines like 'deb ${DEBIAN_MIRROR} bookworm main'",
                "list at least one repository, e.g. '- deb ${DEBIAN_MIRROR} bookworm main'",
                item -> parseValue(item, "a source line like 'deb ${DEBIAN_MIRROR} bookworm main'", SourceLine::parse),
                SourceLine::written);

        SpecNode packagesNode = f.required("packages", "list the packages to install, e.g. '- base-files'");
        List<PackageRequest> packages = nonEmpty(packagesNode, "a list of package names",
                "list at least one package, e.g. '- base-files'",
                item -> parseValue(item, "a package name like " + PackageRequest.FORMS, PackageRequest::parse),
                PackageRequest::name);

        List<String> requested = packages.stream().map(PackageRequest::name).toList();
        List<String> exclude = f.optional("exclude").map(n -> unique(n, "a list of package names", item -> {
            String name = packageName(item);
            if (requested.contains(name)) {
                throw item.error("'" + name + "' is also in contents.packages", "a package cannot be both requested and excluded");
            }
            return name;
        }, Function.identity())).orElse(List.of());

        Map<String, List<String>> skips = new LinkedHashMap<>();
        f.optional("skip-dependencies").ifPresent(n -> {
            for (SpecNode.Member m : n.members("a mapping from package name to a list of its dependencies not to follow")) {
                if (!PackageRequest.isName(m.name())) {
                    throw m.value().error(m.line(), "expected a package name as the key, found '" + m.name() + "'", null);
                }
                skips.put(m.name(), unique(m.value(), "a list of package names", ImageSpecParser::packageName, Function.identity()));
            }
        });

        boolean recommends = f.optional("recommends").map(SpecNode::bool).orElse(false);
        List<PathRule> pathFilter = f.optional("path-filter").map(ImageSpecParser::pathFilter).orElse(List.of());
        return new Contents(repositories, packages, exclude, skips, recommends, pathFilter);
    }

    private static List<PathRule> pathFilter(SpecNode node) {
        List<PathRule> rules = new ArrayList<>();
        for (SpecNode item : node.list("a list of rules like {exclude: /usr/share/doc/*}")) {
            SpecNode.Fields f = item.fields("a rule like {exclude: /usr/share/doc/*} or {include: /usr/share/doc/*/copyright}",
                    "exclude", "include");
            Optional<SpecNode> exclude = f.optional("exclude");
            Optional<SpecNode> include = f.optional("include");
            if (exclude.isPresent() == include.isPresent()) {
                throw item.error("a rule needs exactly one of exclude or include",
                        "write one rule per item: - exclude: /usr/share/doc/*  then  - include: /usr/share/doc/*/copyright");
            }
            SpecNode pattern = exclude.orElseGet(include::get);
            String text = pattern.string("a path pattern like /usr/share/doc/*");
            try {
                rules.add(new PathRule(include.isPresent(), PathGlob.parse(text)));
            } catch (IllegalArgumentException e) {
                throw pattern.error("bad pattern '" + text + "': " + e.getMessage(),
                        "patterns are dpkg's: * and ? match any character including '/', [a-z] one of a set");
            }
        }
        return rules;
    }

    private static List<String> archs(SpecNode node) {
        List<String> archs = unique(node, "a list of architectures like [amd64, arm64]", item -> {
            String name = item.string("an architecture name");
            return Architectures.toDebian(name).orElseThrow(() -> item.error(
                    "unknown architecture '" + name + "'", "use one of " + Architectures.known()));
        }, Function.identity());
        if (archs.isEmpty()) {
            throw node.error("expected at least one architecture", "write e.g. [amd64], or leave archs out for amd64");
        }
        return archs;
    }

    private static Accounts accounts(SpecNode node) {
        SpecNode.Fields f = node.fields("a mapping with groups, users and run-as", "groups", "users", "run-as");
        List<Group> groups = f.optional("groups").map(n -> unique(n, "a list of groups", item -> {
            SpecNode.Fields g = item.fields("a group like {groupname: nonroot, gid: 65532}", "groupname", "gid", "members");
            return new Group(
                    accountName(g.required("groupname", "name the group, e.g. groupname: nonroot")),
                    id(g.required("gid", "give the group id, e.g. gid: 65532")),
                    g.optional("members").map(m -> unique(m, "a list of user names", ImageSpecParser::accountName, Function.identity()))
                            .orElse(List.of()));
        }, Group::groupname)).orElse(List.of());
        List<User> users = f.optional("users").map(n -> unique(n, "a list of users", item -> {
            SpecNode.Fields u = item.fields("a user like {username: nonroot, uid: 65532, gid: 65532}",
                    "username", "uid", "gid", "homedir", "shell");
            return new User(
                    accountName(u.required("username", "name the user, e.g. username: nonroot")),
                    id(u.required("uid", "give the user id, e.g. uid: 65532")),
                    id(u.required("gid", "give the user's primary group id, e.g. gid: 65532")),
                    u.optional("homedir").map(h -> absolutePath(h, "an absolute directory like /home/nonroot")),
                    u.optional("shell").map(s -> absolutePath(s, "an absolute path like /sbin/nologin")));
        }, User::username)).orElse(List.of());
        Optional<String> runAs = f.optional("run-as").map(n -> {
            String text = n.string("a user name or uid, optionally with ':group'");
            if (!RUN_AS.matcher(text).matches()) {
                throw n.expected("a user name or uid, optionally with ':group' (e.g. nonroot, 65532 or 65532:65532)", null);
            }
            return text;
        });
        return new Accounts(groups, users, runAs);
    }

    private static String entrypoint(SpecNode node) {
        SpecNode.Fields f = node.fields("a mapping like {command: /usr/bin/openssl}", "command");
        return f.required("command", "give the program to run, e.g. command: /usr/bin/openssl")
                .string("a command line like '/usr/bin/openssl'");
    }

    private static Map<String, String> environment(SpecNode node) {
        Map<String, String> env = new LinkedHashMap<>();
        for (SpecNode.Member m : node.members("a mapping from variable name to value")) {
            if (m.name().isEmpty() || m.name().indexOf('=') >= 0 || m.name().indexOf('\0') >= 0) {
                throw m.value().error("'" + m.name() + "' is not a variable name", "a name cannot be empty or hold '='");
            }
            env.put(m.name(), stringValue(m.value(), "a string value"));
        }
        return env;
    }

    private static Map<String, String> annotations(SpecNode node) {
        Map<String, String> annotations = new LinkedHashMap<>();
        for (SpecNode.Member m : node.members("a mapping from annotation key to value")) {
            annotations.put(m.name(), stringValue(m.value(), "a string value"));
        }
        return annotations;
    }

    private static final String PATH_TYPES = "one of directory, file, empty-file, symlink, hardlink, permissions";

    private static List<PathEntry> paths(SpecNode node) {
        Map<String, Integer> copiedTo = new HashMap<>();
        return unique(node, "a list of path changes", item -> {
            SpecNode.Fields f = item.fields("a path change like {path: /tmp, type: directory, permissions: 0o1777}",
                    "path", "type", "permissions", "uid", "gid", "source", "recursive");
            String path = absolutePath(f.required("path", "give an absolute path, e.g. path: /tmp"), "an absolute path like /tmp");
            SpecNode typeNode = f.required("type", "give " + PATH_TYPES);
            String typeName = typeNode.string("a path type");
            PathType type = null;
            for (PathType t : PathType.values()) {
                if (t.yamlName().equals(typeName)) {
                    type = t;
                }
            }
            if (type == null) {
                throw typeNode.expected(PATH_TYPES, null);
            }
            OptionalInt permissions = f.optional("permissions").map(ImageSpecParser::permissions)
                    .map(OptionalInt::of).orElse(OptionalInt.empty());
            long uid = f.optional("uid").map(ImageSpecParser::id).orElse(0L);
            long gid = f.optional("gid").map(ImageSpecParser::id).orElse(0L);
            boolean link = type == PathType.SYMLINK || type == PathType.HARDLINK;
            Optional<SpecNode> sourceNode = f.optional("source");
            Optional<String> source = sourceNode.map(s -> link ? linkTarget(s) : localSource(s));
            if (link && source.isEmpty()) {
                throw f.missing("source", "give the " + (type == PathType.SYMLINK ? "symlink's target" : "existing file to link to") + ", e.g. source: /usr/bin/foo");
            }
            if (type == PathType.FILE && source.isEmpty()) {
                throw f.missing("source", "give the local file to copy, e.g. source: ./app.conf (relative to the spec's directory),"
                        + " or use type: empty-file");
            }
            if (source.isPresent() && (type == PathType.EMPTY_FILE || type == PathType.PERMISSIONS)) {
                throw sourceNode.get().error("type " + type.yamlName() + " takes no source",
                        type == PathType.EMPTY_FILE ? "to copy a local file, write type: file" : "remove it, or change the type");
            }
            if (source.isPresent() && !link) {
                Integer first = copiedTo.putIfAbsent(path, item.line());
                if (first != null) {
                    throw item.error("'" + path + "' is copied to twice (first at line " + first + ")", "copy each path once");
                }
            }
            if (type == PathType.PERMISSIONS && permissions.isEmpty()) {
                throw f.missing("permissions", "give the mode to set, e.g. permissions: 0o755");
            }
            Optional<SpecNode> recursiveNode = f.optional("recursive");
            boolean recursive = recursiveNode.map(SpecNode::bool).orElse(false);
            if (recursive && type != PathType.DIRECTORY && type != PathType.PERMISSIONS) {
                throw recursiveNode.get().error("only a directory or permissions change can be recursive", null);
            }
            return new PathEntry(path, type, permissions, uid, gid, source, recursive);
        }, p -> p.type().yamlName() + " " + p.path());
    }

    /**
     * A local file or directory to copy: a path on this machine, relative to the spec's directory.
     * Whether it stays inside the build context and exists is checked when it is read (by {@code
     * kiln lock} and {@code kiln build}), not here: the context is the caller's, and parsing reads
     * nothing but the spec.
     */
    private static String localSource(SpecNode node) {
        String text = node.string("a local path like ./app (relative to the spec's directory)");
        checkPathText(node, text);
        for (int i = 0; i < text.length(); i++) {
            if (Character.isISOControl(text.charAt(i))) {
                throw node.expected("a local path without control characters", null);
            }
        }
        if (text.startsWith("~")) {
            throw node.error("'" + text + "': kiln does not expand '~'", "write the path relative to the spec's directory");
        }
        if (text.startsWith("/")) {
            // always refused: a lock keeps the source as written, and an image would name this host's path
            throw node.locate(new SpecException(SpecException.Kind.COPY_OUTSIDE_CONTEXT, "'" + text + "' is an absolute path,"
                    + " and local sources come only from inside the build context", "copy what you need beside the spec and"
                    + " name it from there, e.g. source: ./" + text.substring(text.lastIndexOf('/') + 1)));
        }
        return text;
    }

    /** A symlink's target or a hardlink's existing path: anything a link can hold. */
    private static String linkTarget(SpecNode node) {
        String text = node.string("the link's target");
        checkPathText(node, text);
        return text;
    }

    private static String stopSignal(SpecNode node) {
        String text = node.string("a signal like SIGTERM");
        if (!SIGNAL.matcher(text).matches()) {
            throw node.expected("a signal like SIGTERM, SIGRTMIN+3 or 15", null);
        }
        return text;
    }

    private static List<String> volumes(SpecNode node) {
        return unique(node, "a list of absolute paths", item -> absolutePath(item, "an absolute path like /data"), Function.identity());
    }

    private static List<Port> ports(SpecNode node) {
        return unique(node, "a list of ports like 8080/tcp", item -> {
            var m = PORT.matcher(item.scalarText("a port like 8080/tcp"));
            if (!m.matches() || !DECIMAL.matcher(m.group(1)).matches()) {
                throw item.expected("a port like 8080, 8080/tcp or 53/udp", null);
            }
            int number = m.group(1).length() > 5 ? 0 : Integer.parseInt(m.group(1));
            if (number < 1 || number > 65535) {
                throw item.error("port " + m.group(1) + " is outside 1 to 65535", null);
            }
            return new Port(number, m.group(2) == null ? "tcp" : m.group(2));
        }, Port::toString);
    }

    private static Layering layering(SpecNode node) {
        SpecNode.Fields f = node.fields("a mapping like {strategy: origin, budget: 10}", "strategy", "budget");
        SpecNode strategyNode = f.required("strategy", "give none or origin");
        String name = strategyNode.string("none or origin");
        Layering.Strategy strategy;
        if (name.equals("none")) {
            strategy = Layering.Strategy.NONE;
        } else if (name.equals("origin")) {
            strategy = Layering.Strategy.ORIGIN;
        } else {
            throw strategyNode.expected("none or origin", null);
        }
        Optional<SpecNode> budgetNode = f.optional("budget");
        if (strategy == Layering.Strategy.NONE) {
            if (budgetNode.isPresent()) {
                throw budgetNode.get().error("a budget only applies to strategy: origin", "remove it, or set strategy: origin");
            }
            return Layering.NONE;
        }
        int budget = budgetNode.map(n -> (int) n.integer("a number of layers", 1, 127)).orElse(Layering.DEFAULT_BUDGET);
        return new Layering(strategy, budget);
    }

    private static List<ImageSpec.Alternative> alternatives(SpecNode node) {
        return unique(node, "a list of alternatives", item -> {
            SpecNode.Fields f = item.fields("an alternative like {name: java, path: /usr/lib/jvm/java-17-openjdk-amd64/bin/java}",
                    "name", "path", "link");
            SpecNode nameNode = f.required("name", "name the alternative, e.g. name: java");
            String name = nameNode.string("an alternative's name like java");
            if (!ALTERNATIVE_NAME.matcher(name).matches()) {
                throw nameNode.expected("an alternative's name like java or editor.1.gz (no '/', no blank)", null);
            }
            String path = absolutePath(f.required("path", "give the chosen file, e.g. path: /usr/bin/mawk"), "an absolute path like /usr/bin/mawk");
            Optional<String> link = f.optional("link").map(l -> absolutePath(l, "an absolute path like /usr/bin/awk"));
            return new ImageSpec.Alternative(name, path, link);
        }, ImageSpec.Alternative::name);
    }

    // ---- values

    private static <T> T parseValue(SpecNode item, String what, Function<String, T> parser) {
        String text = item.string(what);
        try {
            return parser.apply(text);
        } catch (SpecException e) {
            throw item.locate(e);
        }
    }

    private static String packageName(SpecNode item) {
        String name = item.string("a package name like 'libgcc-s1'");
        if (!PackageRequest.isName(name)) {
            throw item.expected("a package name like 'libgcc-s1' (lowercase letters, digits, '+', '-', '.')", null);
        }
        return name;
    }

    private static String accountName(SpecNode node) {
        String name = node.string("a name like 'nonroot'");
        if (!ACCOUNT_NAME.matcher(name).matches() || name.length() > 32) {
            throw node.expected("a name like 'nonroot' (lowercase letters, digits, '_' and '-', at most 32)", null);
        }
        return name;
    }

    private static long id(SpecNode node) {
        return node.integer("an id", 0, MAX_ID);
    }

    /**
     * A mode in octal, as YAML 1.2 ({@code 0o755}) or YAML 1.1 ({@code 0755}) writes it. A decimal
     * number is refused: {@code 755} would silently be 0o1363.
     */
    private static int permissions(SpecNode node) {
        String text = node.scalarText("a mode like 0o755");
        var octal = OCTAL.matcher(text);
        if (!octal.matches()) {
            String hint = "write modes in octal with a leading 0o, e.g. 0o755";
            if (node.isInteger() && DECIMAL.matcher(text).matches() && text.length() < 8) {
                hint += "; decimal " + text + " would be 0o" + Integer.toOctalString(Integer.parseInt(text));
            }
            throw node.expected("a mode in octal like 0o755 or 0755", hint);
        }
        String digits = octal.group(1) == null ? "0" : octal.group(1);
        int mode = digits.length() > 5 ? Integer.MAX_VALUE : Integer.parseInt(digits, 8);
        if (mode > 07777) {
            throw node.error("mode " + text + " is more than 0o7777", "write the permission bits only, e.g. 0o755");
        }
        return mode;
    }

    private static String absolutePath(SpecNode node, String what) {
        String path = node.string(what);
        checkPathText(node, path);
        if (!path.startsWith("/") || List.of(path.split("/")).contains("..")) {
            throw node.expected(what, null);
        }
        return path;
    }

    /** Linux's limits on a name (NAME_MAX) and a path (PATH_MAX, less its NUL). */
    static final int MAX_NAME_BYTES = 255;
    static final int MAX_PATH_BYTES = 4095;

    /**
     * A path no Linux file system could hold is refused here, where the spec can be named, rather
     * than when the image is laid out: one holding a NUL, a name over {@link #MAX_NAME_BYTES} bytes
     * or a whole over {@link #MAX_PATH_BYTES} (in UTF-8).
     */
    private static void checkPathText(SpecNode node, String path) {
        int nul = path.indexOf('\0');
        if (nul >= 0) {
            throw node.error("the path holds a NUL character (after '" + shorten(path.substring(0, nul)) + "')",
                    "a path cannot hold NUL (written \\0 in a double-quoted YAML string); remove it");
        }
        int bytes = path.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (bytes > MAX_PATH_BYTES) {
            throw node.error("the path is " + bytes + " bytes long ('" + shorten(path) + "'), over Linux's limit of "
                    + MAX_PATH_BYTES, "shorten it");
        }
        for (String name : path.split("/")) {
            int n = name.getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
            if (n > MAX_NAME_BYTES) {
                throw node.error("the name '" + shorten(name) + "' in the path is " + n + " bytes long, over Linux's limit of "
                        + MAX_NAME_BYTES + " for one name", "shorten it");
            }
        }
    }

    /** Long text cut for a message: its first 40 characters and how many more. */
    private static String shorten(String text) {
        return text.length() <= 60 ? text : text.substring(0, 40) + "... (" + (text.length() - 40) + " more characters)";
    }

    private static String stringValue(SpecNode node, String what) {
        if (node.isNull()) {
            throw node.expected(what, "write '' for an empty string");
        }
        return node.scalarText(what);
    }

    /** Each item parsed; two items with the same identity are an error naming both lines. */
    private static <T> List<T> unique(SpecNode node, String what, Function<SpecNode, T> parse, Function<T, String> identity) {
        List<T> values = new ArrayList<>();
        Map<String, Integer> seen = new HashMap<>();
        for (SpecNode item : node.list(what)) {
            T value = parse.apply(item);
            Integer first = seen.putIfAbsent(identity.apply(value), item.line());
            if (first != null) {
                throw item.error("'" + identity.apply(value) + "' is listed twice (first at line " + first + ")", "remove one");
            }
            values.add(value);
        }
        return values;
    }

    private static <T> List<T> nonEmpty(SpecNode node, String what, String hint, Function<SpecNode, T> parse, Function<T, String> identity) {
        if (node.isNull()) {
            throw node.error("is empty", hint);
        }
        List<T> values = unique(node, what, parse, identity);
        if (values.isEmpty()) {
            throw node.error("is empty", hint);
        }
        return values;
    }
}
