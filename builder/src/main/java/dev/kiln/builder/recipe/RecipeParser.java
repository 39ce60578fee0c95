package dev.kiln.builder.recipe;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.sandbox.Mount;
import dev.kiln.builder.source.Source;
import dev.kiln.builder.source.SourceUri;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.resolver.spec.SpecNode;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a recipe ({@code packages/NAME.yaml}) with melange's keys. Every problem is a
 * {@link RecipeException} of kind {@code recipe.spec} naming the file, the line and the key, as
 * image specs' errors do: {@code hello.yaml:4: package.verison: unknown key; did you mean 'version'?}.
 *
 * <pre>
 * package:
 *   name: hello                       # a Debian package name
 *   version: 2.10                     # the upstream version
 *   epoch: 0                          # the build number: Debian version 2.10-0kiln1
 *   description: GNU hello
 *   copyright: [{license: GPL-3.0-or-later}]
 *   dependencies: {runtime: ["libc6 (>= 2.34)"], provides: [...], replaces: [...]}
 * environment:                        # an image spec's keys (archs aside: the host's)
 *   contents: {repositories: [deb ${DEBIAN_MIRROR} bookworm main], packages: [build-essential]}
 * pipeline:
 *   - uses: fetch                     # a source: fetched and checked by kiln before any step
 *     with: {uri: ..., expected-sha256: ..., strip-components: 1, extract: true}
 *   - uses: git-checkout              # a source: {repository, tag or branch, expected-commit, destination}
 *   - source: ./patches               # a local source under the recipe's directory; destination: DIR
 *   - uses: autoconf/configure        # a built-in: with: {opts: ...}
 *   - runs: make check                # a shell step; name, working-directory, environment
 * subpackages:
 *   - {name: hello-doc, description: ..., dependencies: ..., pipeline: [...]}
 * </pre>
 */
public final class RecipeParser {
    private static final String[] TOP = {"package", "environment", "pipeline", "subpackages"};
    private static final String[] PACKAGE = {"name", "version", "epoch", "description", "copyright", "dependencies"};
    private static final String[] SUBPACKAGE = {"name", "description", "dependencies", "pipeline"};
    private static final String[] DEPENDENCIES = {"runtime", "provides", "replaces"};
    private static final String[] STEP = {"uses", "with", "runs", "name", "working-directory", "environment", "mounts", "source",
        "destination"};
    private static final String[] MOUNT = {"type", "id", "target", "sharing", "required", "size", "source"};
    private static final String[] FETCH = {"uri", "expected-sha256", "expected-sha512", "strip-components", "extract"};
    private static final String[] GIT = {"repository", "tag", "branch", "expected-commit", "destination"};

    /** Debian policy 5.6.1: lowercase letters, digits, '+', '-', '.'; at least two, starting alphanumeric. */
    private static final Pattern PACKAGE_NAME = Pattern.compile("[a-z0-9][a-z0-9+.-]+");
    /** An upstream version without a Debian epoch or revision (kiln appends the revision). */
    private static final Pattern VERSION = Pattern.compile("[0-9][A-Za-z0-9.+~]*");
    private static final Pattern RELATION = Pattern.compile(
            "[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(\\s*\\(\\s*(<<|<=|=|>=|>>)\\s*([0-9]+:)?[A-Za-z0-9.+~-]+\\s*\\))?");
    private static final Pattern PROVIDES = Pattern.compile("[a-z0-9][a-z0-9+.-]+(\\s*\\(\\s*=\\s*([0-9]+:)?[A-Za-z0-9.+~-]+\\s*\\))?");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern SHA512 = Pattern.compile("[0-9a-f]{128}");
    private static final Pattern COMMIT = Pattern.compile("[0-9a-f]{40}|[0-9a-f]{64}");
    private static final Pattern GIT_REF_NAME = Pattern.compile("[A-Za-z0-9._/+-]+");
    private static final long MAX_EPOCH = Integer.MAX_VALUE;

    private RecipeParser() {
    }

    /**
     * Reads and checks the recipe in {@code file}.
     *
     * @param mirrors the {@code *_MIRROR} variables: each URL a source names must expand with them
     * @throws RecipeException of kind {@code recipe.spec} naming the file, line and key of what is wrong
     */
    public static Recipe parse(Path file, Map<String, String> mirrors) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new RecipeException(RecipeException.Kind.SPEC, file + ": no such file\n  fix: check the path to the recipe");
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.SPEC, file + ": cannot read: " + IoErrors.why(e), e);
        }
        return parse(bytes, file, mirrors);
    }

    /** Parses recipe bytes; {@code file} names them in errors and becomes {@link Recipe#file()}. */
    public static Recipe parse(byte[] bytes, Path file, Map<String, String> mirrors) {
        String name = file.toString();
        if (new String(bytes, java.nio.charset.StandardCharsets.UTF_8).isBlank()) {
            throw new RecipeException(RecipeException.Kind.SPEC, name + ":1: the file is empty"
                    + "\n  fix: a recipe is a mapping with package, environment and pipeline");
        }
        try {
            return new Reading(file, mirrors).recipe(SpecNode.read(bytes, name), Digest.of(bytes));
        } catch (SpecException e) {
            throw new RecipeException(RecipeException.Kind.SPEC, e.description() + e.fix().map(f -> "\n  fix: " + f).orElse(""), e);
        }
    }

    /** One parse: the file and mirrors every check needs. */
    private record Reading(Path file, Map<String, String> mirrors) {
        Recipe recipe(SpecNode root, Digest digest) {
            SpecNode.Fields top = root.fields("a mapping with package, environment and pipeline", TOP);
            SpecNode pkg = top.required("package", "give the package's name and version, e.g. package: {name: hello, version: 2.10}");
            SpecNode.Fields p = pkg.fields("a mapping with name, version and epoch", PACKAGE);
            String name = packageName(p.required("name", "name the package, e.g. name: hello"));
            String version = version(p.required("version", "give the upstream version, e.g. version: 2.10"));
            long epoch = p.optional("epoch").map(n -> n.integer("a build number", 0, MAX_EPOCH)).orElse(0L);
            Optional<String> description = p.optional("description").map(n -> n.string("a one-line description"));
            List<String> licenses = p.optional("copyright").map(this::licenses).orElse(List.of());
            Relations dependencies = p.optional("dependencies").map(this::relations).orElse(Relations.NONE);

            SpecNode envNode = top.required("environment", "declare the build environment's contents.repositories and contents.packages");
            ImageSpec environment = environment(envNode);

            SpecNode pipelineNode = top.required("pipeline", "list the sources and steps, e.g. - uses: fetch");
            List<Source> sources = new ArrayList<>();
            List<Step> steps = pipeline(pipelineNode, sources, false);
            if (sources.isEmpty() && steps.isEmpty()) {
                throw pipelineNode.error("is empty", "list the sources and steps, e.g. - uses: fetch");
            }

            List<Subpackage> subpackages = new ArrayList<>();
            Map<String, Integer> names = new HashMap<>();
            names.put(name, pkg.line());
            top.optional("subpackages").ifPresent(n -> {
                for (SpecNode item : n.list("a list of subpackages like {name: hello-doc, pipeline: [...]}")) {
                    SpecNode.Fields s = item.fields("a subpackage like {name: hello-doc, pipeline: [...]}", SUBPACKAGE);
                    SpecNode nameNode = s.required("name", "name the subpackage, e.g. name: " + name + "-doc");
                    String sub = packageName(nameNode);
                    Integer first = names.putIfAbsent(sub, nameNode.line());
                    if (first != null) {
                        throw nameNode.error("'" + sub + "' is the name of another package of this recipe (line " + first + ")",
                                "give each package its own name");
                    }
                    List<Step> subSteps = s.optional("pipeline").map(pl -> pipeline(pl, sources, true)).orElse(List.of());
                    subpackages.add(new Subpackage(sub, s.optional("description").map(d -> d.string("a one-line description")),
                            s.optional("dependencies").map(this::relations).orElse(Relations.NONE), subSteps));
                }
            });
            return new Recipe(file, digest, name, version, epoch, description, licenses, dependencies, environment, sources, steps,
                    subpackages, Recipe.canonical(root.canonicalJson()));
        }

        private ImageSpec environment(SpecNode node) {
            ImageSpec env = ImageSpecParser.parse(node, file, Digest.of(node.canonicalJson()));
            int archs = env.line(node.key() + ".archs");
            if (archs > 0) {
                throw new SpecException(file.toString(), archs, node.key() + ".archs",
                        "a recipe builds for the host's architecture, and its environment is resolved for it",
                        "remove archs (kiln does not cross-build)");
            }
            if (!env.copies().isEmpty()) {
                ImageSpec.PathEntry copy = env.copies().get(0);
                int i = env.paths().indexOf(copy);
                String key = node.key() + ".paths[" + i + "].source";
                throw new SpecException(file.toString(), env.line(key), key, "a build environment copies no local files",
                        "give them to the build as a pipeline source: - source: " + copy.source().orElseThrow());
            }
            return env;
        }

        private List<String> licenses(SpecNode node) {
            List<String> out = new ArrayList<>();
            for (SpecNode item : node.list("a list like [{license: GPL-3.0-or-later}]")) {
                SpecNode.Fields f = item.fields("an entry like {license: GPL-3.0-or-later}", "license");
                out.add(f.required("license", "give an SPDX license expression, e.g. license: GPL-3.0-or-later")
                        .string("an SPDX license expression like GPL-3.0-or-later"));
            }
            return out;
        }

        private Relations relations(SpecNode node) {
            SpecNode.Fields f = node.fields("a mapping with runtime, provides and replaces", DEPENDENCIES);
            return new Relations(
                    f.optional("runtime").map(n -> relationList(n, true)).orElse(List.of()),
                    f.optional("provides").map(n -> {
                        List<String> out = new ArrayList<>();
                        for (SpecNode item : n.list("a list of package names")) {
                            String text = item.string("a package name, optionally with (= VERSION)");
                            if (!PROVIDES.matcher(text).matches()) {
                                throw item.expected("a package name, optionally with (= VERSION), like 'hello-impl (= 1.0)'", null);
                            }
                            out.add(text);
                        }
                        return out;
                    }).orElse(List.of()),
                    f.optional("replaces").map(n -> relationList(n, false)).orElse(List.of()));
        }

        private List<String> relationList(SpecNode node, boolean alternatives) {
            List<String> out = new ArrayList<>();
            for (SpecNode item : node.list("a list of relations like 'libc6 (>= 2.34)'")) {
                String text = item.string("a relation like 'libc6 (>= 2.34)'").strip();
                for (String alt : text.split("\\|", -1)) {
                    if (!RELATION.matcher(alt.strip()).matches() || (!alternatives && text.contains("|"))) {
                        throw item.expected("a relation in Debian's syntax like 'libc6 (>= 2.34)'"
                                + (alternatives ? " or 'mawk | gawk'" : ""), null);
                    }
                }
                out.add(text);
            }
            return out;
        }

        private List<Step> pipeline(SpecNode node, List<Source> sources, boolean subpackage) {
            List<Step> steps = new ArrayList<>();
            for (SpecNode item : node.list("a list of steps like - uses: autoconf/make, or - runs: make check")) {
                SpecNode.Fields f = item.fields("a step like {uses: autoconf/make} or {runs: make check}", STEP);
                Optional<SpecNode> uses = f.optional("uses");
                Optional<SpecNode> runs = f.optional("runs");
                Optional<SpecNode> source = f.optional("source");
                int kinds = (uses.isPresent() ? 1 : 0) + (runs.isPresent() ? 1 : 0) + (source.isPresent() ? 1 : 0);
                if (kinds != 1) {
                    throw item.error("a step needs exactly one of uses, runs and source",
                            "write one per step: - uses: autoconf/make, - runs: make check, or - source: ./patches");
                }
                f.optional("destination").filter(d -> source.isEmpty()).ifPresent(d -> {
                    throw d.error("destination belongs to a local source (source:)",
                            uses.isPresent() ? "give a git-checkout's destination under with:" : "remove it");
                });
                if (source.isPresent()) {
                    onlySource(item, subpackage);
                    for (String k : List.of("with", "working-directory", "environment", "name", "mounts")) {
                        f.optional(k).ifPresent(n -> {
                            throw n.error("a local source takes only destination", "remove it");
                        });
                    }
                    sources.add(local(item, source.get(), f.optional("destination")));
                    continue;
                }
                if (uses.isPresent()) {
                    String id = uses.get().string("a built-in pipeline's name like autoconf/make");
                    if (id.equals("fetch") || id.equals("git-checkout")) {
                        onlySource(item, subpackage);
                        for (String k : List.of("working-directory", "environment", "name", "mounts")) {
                            f.optional(k).ifPresent(n -> {
                                throw n.error(id + " is a source, fetched by kiln before any step runs: it takes no " + k, "remove it");
                            });
                        }
                        SpecNode with = f.required("with", id.equals("fetch")
                                ? "give with: {uri: ..., expected-sha256: ...}" : "give with: {repository: ..., tag: ..., expected-commit: ...}");
                        sources.add(id.equals("fetch") ? fetch(item, with) : git(item, with));
                        continue;
                    }
                    BuiltinPipeline builtin = BuiltinPipeline.named(id).orElseThrow(() -> uses.get().error("unknown pipeline '" + id + "'",
                            SpecNode.closest(id, BuiltinPipeline.names()).map(c -> "did you mean '" + c + "'?")
                                    .orElse("the built-ins are " + String.join(", ", BuiltinPipeline.names()) + "; or write runs: SCRIPT")));
                    Map<String, String> with = new LinkedHashMap<>();
                    f.optional("with").ifPresent(w -> {
                        String[] known = builtin.inputs().keySet().toArray(String[]::new);
                        SpecNode.Fields inputs = w.fields("a mapping of " + id + "'s inputs (" + String.join(", ", known) + ")", known);
                        for (String k : known) {
                            inputs.optional(k).ifPresent(v -> with.put(k, text(v, subpackage)));
                        }
                    });
                    steps.add(step(item, f, Optional.of(id), with, Optional.empty(), subpackage, sources));
                } else {
                    f.optional("with").ifPresent(w -> {
                        throw w.error("with gives a built-in pipeline's inputs; a runs step has none",
                                "write the values into the script, or set them in environment:");
                    });
                    String script = text(runs.get(), subpackage);
                    if (script.isBlank()) {
                        throw runs.get().expected("a shell script", null);
                    }
                    steps.add(step(item, f, Optional.empty(), Map.of(), Optional.of(script), subpackage, sources));
                }
            }
            return steps;
        }

        private static void onlySource(SpecNode item, boolean subpackage) {
            if (subpackage) {
                throw item.error("a subpackage's pipeline takes no sources", "fetch sources in the recipe's main pipeline");
            }
        }

        private Step step(SpecNode item, SpecNode.Fields f, Optional<String> uses, Map<String, String> with, Optional<String> runs,
                          boolean subpackage, List<Source> sources) {
            Optional<String> name = f.optional("name").map(n -> n.string("a step name"));
            Optional<String> wd = f.optional("working-directory").map(n -> {
                String dir = text(n, subpackage);
                boolean inside = dir.equals(StepScripts.WORKSPACE) || dir.startsWith(StepScripts.WORKSPACE + "/")
                        || dir.startsWith("${{targets.") || !dir.startsWith("/");
                if (dir.isBlank() || !inside || List.of(dir.split("/")).contains("..")) {
                    throw n.expected("a directory relative to the workspace (" + StepScripts.WORKSPACE + "), like src, without '..'", null);
                }
                return dir;
            });
            Map<String, String> env = new LinkedHashMap<>();
            f.optional("environment").ifPresent(e -> {
                for (SpecNode.Member m : e.members("a mapping from variable name to value")) {
                    if (!ENV_NAME.matcher(m.name()).matches()) {
                        throw m.value().error(m.line(), "'" + m.name() + "' is not a variable name", "use letters, digits and '_'");
                    }
                    env.put(m.name(), m.value().isNull() ? "" : text(m.value(), subpackage));
                }
            });
            List<StepMount> mounts = f.optional("mounts").map(m -> mounts(m, sources)).orElse(List.of());
            return new Step(item.key(), item.line(), uses, with, runs, name, wd, env, mounts);
        }

        /** A scalar that scripts see: every {@code ${{...}}} in it must be one kiln substitutes. */
        private static String text(SpecNode node, boolean subpackage) {
            String text = node.scalarText("a string");
            StepScripts.unknownVariable(text, StepScripts.knownNames(subpackage)).ifPresent(v -> {
                throw node.error("unknown variable " + v, "kiln substitutes " + String.join(", ",
                        StepScripts.knownNames(subpackage).stream().map(k -> "${{" + k + "}}").toList())
                        + (subpackage ? "" : " (${{targets.subpkgdir}} only in a subpackage)"));
            });
            return text;
        }

        private Source.Fetch fetch(SpecNode item, SpecNode with) {
            SpecNode.Fields f = with.fields("fetch's inputs (" + String.join(", ", FETCH) + ")", FETCH);
            SpecNode uriNode = f.required("uri", "give the URL, e.g. uri: ${DEBIAN_MIRROR}/pool/main/h/hello/hello_2.10.orig.tar.gz");
            String uri = uriNode.string("a URL");
            try {
                SourceUri.expand(uri, mirrors, List.of("http", "https"));
            } catch (IllegalArgumentException e) {
                throw uriNode.error(e.getMessage(), "write an http(s) URL, with ${NAME_MIRROR} variables set");
            }
            Optional<Digest> sha256 = f.optional("expected-sha256").map(n -> Digest.parse("sha256:" + hex(n, SHA256, "sha256", 64)));
            Optional<String> sha512 = f.optional("expected-sha512").map(n -> hex(n, SHA512, "sha512", 128));
            if (sha256.isEmpty() && sha512.isEmpty()) {
                throw f.missing("expected-sha256", "pin the file: give expected-sha256 (or expected-sha512)");
            }
            int strip = f.optional("strip-components").map(n -> (int) n.integer("a number of path components", 0, 64)).orElse(0);
            boolean extract = f.optional("extract").map(SpecNode::bool).orElse(true);
            if (!extract && strip > 0) {
                throw f.optional("strip-components").get().error("strip-components applies to an extracted archive", "remove it, or extract");
            }
            return new Source.Fetch(item.key(), item.line(), uri, sha256, sha512, strip, extract);
        }

        private static String hex(SpecNode node, Pattern pattern, String what, int digits) {
            String text = node.scalarText("a " + what + " digest");
            if (!pattern.matcher(text).matches()) {
                throw node.expected("a " + what + " digest: " + digits + " lowercase hex digits", null);
            }
            return text;
        }

        private Source.Git git(SpecNode item, SpecNode with) {
            SpecNode.Fields f = with.fields("git-checkout's inputs (" + String.join(", ", GIT) + ")", GIT);
            SpecNode repoNode = f.required("repository", "give the repository's URL, e.g. repository: https://git.example/hello.git");
            String repository = repoNode.string("a repository URL");
            try {
                SourceUri.expand(repository, mirrors, List.of("http", "https", "file"));
            } catch (IllegalArgumentException e) {
                throw repoNode.error(e.getMessage(), "write an http(s) or file: URL");
            }
            Optional<SpecNode> tag = f.optional("tag");
            Optional<SpecNode> branch = f.optional("branch");
            if (tag.isPresent() == branch.isPresent()) {
                throw with.error("give exactly one of tag and branch", "e.g. tag: v1.2.0");
            }
            SpecNode refNode = tag.orElseGet(branch::get);
            String refName = refNode.scalarText("a tag or branch name");
            if (!GIT_REF_NAME.matcher(refName).matches() || refName.contains("..") || refName.startsWith("-")) {
                throw refNode.expected("a tag or branch name like v1.2.0", null);
            }
            String ref = (tag.isPresent() ? "refs/tags/" : "refs/heads/") + refName;
            String commit = hex(f.required("expected-commit", "pin the commit the " + (tag.isPresent() ? "tag" : "branch")
                    + " must resolve to: expected-commit: FULL-COMMIT-ID"), COMMIT, "full commit id", 40);
            String destination = f.optional("destination").map(RecipeParser::relativePath).orElse(".");
            return new Source.Git(item.key(), item.line(), repository, ref, commit, destination);
        }

        private Source.Local local(SpecNode item, SpecNode source, Optional<SpecNode> destination) {
            String path = source.string("a path relative to the recipe's directory, like ./patches");
            if (path.startsWith("/") || path.startsWith("~")) {
                throw source.error("'" + path + "' is not relative to the recipe's directory",
                        "local sources come only from under the recipe's directory; write e.g. ./" + Path.of(path).getFileName());
            }
            Path normal = Path.of(path).normalize();
            String dest = destination.map(RecipeParser::relativePath)
                    .orElse(normal.getFileName() == null || normal.toString().isEmpty() ? "." : normal.getFileName().toString());
            return new Source.Local(item.key(), item.line(), path, dest);
        }
    }

    /**
     * A step's mounts. A bind mount's source is also a local source of the recipe (key
     * {@code ...mounts[N]}, pinned in the lock like any), laid out under {@link StepMount#STAGED} and
     * moved out of the workspace before the steps run.
     */
    private static List<StepMount> mounts(SpecNode node, List<Source> sources) {
        List<StepMount> out = new ArrayList<>();
        Set<String> targets = new HashSet<>();
        for (SpecNode item : node.list("a list of mounts like {type: cache, id: ccache, target: /home/build/.ccache}")) {
            SpecNode.Fields f = item.fields("a mount like {type: cache, id: NAME, target: PATH}", MOUNT);
            SpecNode typeNode = f.required("type", "give type: cache, secret, tmpfs or bind");
            String type = typeNode.string("a mount type");
            String[] allowed = switch (type) {
                case "cache" -> new String[] {"type", "id", "target", "sharing"};
                case "secret" -> new String[] {"type", "id", "target", "required"};
                case "tmpfs" -> new String[] {"type", "target", "size"};
                case "bind" -> new String[] {"type", "source", "target"};
                default -> throw typeNode.error("unknown mount type '" + type + "'",
                        SpecNode.closest(type, "cache", "secret", "tmpfs", "bind").map(c -> "did you mean '" + c + "'?")
                                .orElse("the types are cache, secret, tmpfs and bind"));
            };
            for (String k : MOUNT) {
                if (!List.of(allowed).contains(k)) {
                    f.optional(k).ifPresent(n -> {
                        throw n.error("a " + type + " mount takes no " + k, "its keys are " + String.join(", ", allowed));
                    });
                }
            }
            Optional<String> id = type.equals("cache") || type.equals("secret")
                    ? Optional.of(id(f.required("id", "give id: NAME (letters, digits, '.', '_', '-')"))) : Optional.empty();
            SpecNode targetNode = type.equals("secret") ? f.optional("target").orElse(null)
                    : f.required("target", "give target: an absolute path inside the sandbox");
            String target = targetNode == null ? StepMount.SECRETS + "/" + id.orElseThrow() : target(targetNode);
            if (!targets.add(target)) {
                throw (targetNode == null ? item : targetNode).error("two mounts of one step at " + target, "give each its own target");
            }
            out.add(switch (type) {
                case "cache" -> new StepMount.Cache(id.orElseThrow(), target, f.optional("sharing").map(s -> {
                    String w = s.string("shared, private or locked");
                    return Arrays.stream(StepMount.Sharing.values()).filter(v -> v.word().equals(w)).findFirst()
                            .orElseThrow(() -> s.expected("shared, private or locked", null));
                }).orElse(StepMount.Sharing.SHARED));
                case "secret" -> new StepMount.Secret(id.orElseThrow(), target, f.optional("required").map(SpecNode::bool).orElse(false));
                case "tmpfs" -> new StepMount.Tmpfs(target, f.optional("size").map(s -> s.integer("a size in bytes", 4096, 1L << 40))
                        .orElse(64L << 20));
                default -> {
                    SpecNode src = f.required("source", "give source: a path relative to the recipe's directory");
                    String path = src.string("a path relative to the recipe's directory");
                    if (path.startsWith("/") || path.startsWith("~") || List.of(path.split("/")).contains("..")) {
                        throw src.expected("a path under the recipe's directory, relative, without '..', like ./data", null);
                    }
                    String staged = StepMount.STAGED + "/" + sources.size();
                    sources.add(new Source.Local(item.key(), item.line(), path, staged));
                    yield new StepMount.Bind(path, target, staged);
                }
            });
        }
        return out;
    }

    private static String id(SpecNode node) {
        String id = node.string("an id");
        if (!StepMount.ID.matcher(id).matches()) {
            throw node.expected("an id of letters, digits, '.', '_' and '-', like go-build", null);
        }
        return id;
    }

    private static String target(SpecNode node) {
        String t = node.string("an absolute path inside the sandbox");
        List<String> parts = List.of(t.split("/"));
        if (!Mount.TARGET.matcher(t).matches() || parts.contains("..") || parts.contains(".")) {
            throw node.expected("an absolute path like /home/build/.cache/go-build (letters, digits, '.', '_', '-', '+', '@'; no '..')",
                    null);
        }
        for (String taken : List.of("/home/build", "/out", "/tmp", "/run", "/dev", "/proc", "/sys", "/")) {
            if (t.equals(taken)) {
                throw node.error("the sandbox makes " + t + " itself", "mount below it, e.g. " + t + "/cache");
            }
        }
        return t;
    }

    /** A path under the workspace: relative, no '..'. */
    private static String relativePath(SpecNode node) {
        String text = node.string("a path relative to the workspace");
        if (text.startsWith("/") || List.of(text.split("/")).contains("..") || text.indexOf('\0') >= 0) {
            throw node.expected("a path relative to the workspace, without '..'", null);
        }
        return text;
    }

    private static String packageName(SpecNode node) {
        String name = node.string("a Debian package name like hello");
        if (!PACKAGE_NAME.matcher(name).matches()) {
            throw node.expected("a Debian package name: lowercase letters, digits, '+', '-' and '.', at least two, starting with a"
                    + " letter or digit", null);
        }
        return name;
    }

    private static String version(SpecNode node) {
        String version = node.string("an upstream version like 2.10");
        if (!VERSION.matcher(version).matches()) {
            throw node.expected("an upstream version: starting with a digit, then letters, digits, '.', '+' and '~'"
                    + " (kiln adds the Debian revision, -EPOCHkiln1)", null);
        }
        return version;
    }
}
