package dev.kiln.builder.build;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.builder.RecipeException;
import dev.kiln.builder.deb.DebControl;
import dev.kiln.builder.deb.DebWriter;
import dev.kiln.builder.env.BuildEnvironment;
import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.RecipeLock;
import dev.kiln.builder.recipe.RecipeLockJson;
import dev.kiln.builder.recipe.Relations;
import dev.kiln.builder.recipe.StepMount;
import dev.kiln.builder.recipe.StepScripts;
import dev.kiln.builder.recipe.Subpackage;
import dev.kiln.builder.sandbox.Mount;
import dev.kiln.builder.sandbox.Sandbox;
import dev.kiln.builder.sandbox.SecretScan;
import dev.kiln.builder.sandbox.Step;
import dev.kiln.builder.source.SourcePin;
import dev.kiln.builder.source.Sources;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.ExitCleanup;
import dev.kiln.store.IoErrors;
import dev.kiln.store.MemoStep;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * Builds a locked recipe into its packages: the build key from the recipe's inputs, the memo that
 * makes an unchanged recipe a lookup, and otherwise the build itself — the environment's root
 * (written once per tree), the sources laid into a fresh workspace, each step of the pipeline and
 * then of each subpackage in a fresh sandbox, and one deterministic {@code .deb} per package,
 * carrying the recipe (its canonical form) and its lock. The packages go into the store by their
 * sha256; publishing them into a repository is the caller's.
 *
 * <p>The build key is the sha256 of {@code kiln-recipe-build-1} JSON holding the recipe's
 * canonical digest, every source's pin, the sha256 of every package of the environment for the
 * architecture, the versions of the built-ins used, the architecture, the epoch and the versions of
 * the sandbox and of the package format: never a host path, a user, a time or a CPU count.
 */
public final class RecipeBuilder {
    /** The format of the build key's JSON and of the memo record. */
    public static final String FORMAT = "kiln-recipe-build-1";
    /** The version of what a step runs in (bwrap's options, the fixed environment, the mounts): part of every build key. */
    public static final String SANDBOX_VERSION = "kiln-sandbox-1";
    /** The version of the .deb kiln writes (tar, compression, control fields): part of every build key. */
    public static final String PACKAGE_VERSION = "kiln-deb-1";
    /** The control member that carries the recipe's canonical form. */
    public static final String RECIPE_MEMBER = "kiln-recipe.json";
    /** The control member that carries the recipe's lock. */
    public static final String LOCK_MEMBER = "kiln-recipe.lock.json";
    /** The control field naming the build key. */
    public static final String BUILD_KEY_FIELD = "Kiln-Build-Key";
    /** The control field naming the build's epoch ({@code SOURCE_DATE_EPOCH}), so that a rebuild can take it. */
    public static final String EPOCH_FIELD = "Kiln-Source-Date-Epoch";
    /** Who a recipe package names as its maintainer. */
    public static final String MAINTAINER = "kiln recipe build <kiln@localhost>";

    private static final ObjectMapper JSON = new ObjectMapper();

    private final ContentStore store;
    private final Sources sources;
    private final Sandbox sandbox;

    public RecipeBuilder(ContentStore store, Sources sources, Sandbox sandbox) {
        this.store = Objects.requireNonNull(store, "store");
        this.sources = Objects.requireNonNull(sources, "sources");
        this.sandbox = Objects.requireNonNull(sandbox, "sandbox");
    }

    /** One package a build made, in the store by its sha256. */
    public record Package(String name, String version, String architecture, Digest sha256, long size, String fileName) {
        public Package {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(architecture, "architecture");
            Objects.requireNonNull(sha256, "sha256");
            Objects.requireNonNull(fileName, "fileName");
        }
    }

    /**
     * A recipe built.
     *
     * @param key the build key
     * @param epoch the build's epoch (every mtime in its packages)
     * @param packages the main package first, then the subpackages in the recipe's order
     * @param remembered true when the memo had it (nothing was built)
     */
    public record Built(Digest key, long epoch, List<Package> packages, boolean remembered) {
        public Built {
            packages = List.copyOf(packages);
        }
    }

    /** Hears a build: a step starting, each line it prints. */
    public interface Listener {
        void step(String recipe, String step);

        void line(String recipe, String step, String line);
    }

    /** The epoch of a lock when none is given: its newest Release date, as an image build takes it (never the clock). */
    public static long epochOf(RecipeLock lock) {
        return lock.environment().newestRelease();
    }

    /** The build key of {@code recipe} built from {@code lock} at {@code epoch}. */
    public static Digest key(Recipe recipe, RecipeLock lock, long epoch) {
        return Digest.of(keyJson(recipe, lock, epoch).toString().getBytes(StandardCharsets.UTF_8));
    }

    static ObjectNode keyJson(Recipe recipe, RecipeLock lock, long epoch) {
        ObjectNode k = JSON.createObjectNode();
        k.put("format", FORMAT);
        k.put("recipe", recipe.canonicalDigest().toString());
        ArrayNode pins = k.putArray("sources");
        for (SourcePin p : lock.sources()) {
            if (p instanceof SourcePin.Fetch f) {
                pins.add("fetch " + f.sha256() + f.sha512().map(s -> " sha512:" + s).orElse(""));
            } else if (p instanceof SourcePin.Git g) {
                pins.add("git " + g.commit() + " " + g.tree());
            } else {
                pins.add("local " + ((SourcePin.Local) p).listing());
            }
        }
        TreeSet<String> env = new TreeSet<>();
        for (Lock.Package p : installed(lock)) {
            env.add(p.sha256().toString()); // a package from a recipe by the digest it was built to: not by its recipe
        }
        ArrayNode e = k.putArray("environment");
        env.forEach(e::add);
        ObjectNode builtins = k.putObject("builtins");
        StepScripts.builtinVersions(recipe).forEach(builtins::put);
        k.put("architecture", lock.architecture());
        k.put("epoch", epoch);
        k.put("sandbox", SANDBOX_VERSION);
        k.put("package", PACKAGE_VERSION);
        return k;
    }

    /**
     * What the lock's environment installs: its pinned packages and the packages from recipes,
     * which must be built (filled by {@link RecipeLocking#withBuilt}).
     */
    static List<Lock.Package> installed(RecipeLock lock) {
        try {
            return lock.environment().installed(lock.architecture());
        } catch (IllegalStateException e) {
            throw new RecipeException(RecipeException.Kind.LOCK, "the lock of recipe " + lock.recipePath()
                    + " takes packages other recipes make, and " + e.getMessage()
                    + "\n  fix: build the recipes together (name their directory), so that what it needs is built first");
        }
    }

    /** What the memo remembers for {@code key}, when every package it names is still in the store, whole. */
    public Optional<Built> remembered(Digest key) {
        Optional<Digest> record = store.memo(MemoStep.RECIPE_BUILD, key);
        if (record.isEmpty()) {
            return Optional.empty();
        }
        Optional<byte[]> bytes = store.readChecked(record.get());
        if (bytes.isEmpty()) {
            return Optional.empty();
        }
        try {
            JsonNode r = JSON.readTree(bytes.get());
            if (!FORMAT.equals(r.path("format").asText()) || !key.toString().equals(r.path("key").asText())) {
                return Optional.empty();
            }
            List<Package> out = new ArrayList<>();
            for (JsonNode p : r.path("packages")) {
                Package pkg = new Package(p.path("name").asText(), p.path("version").asText(), p.path("architecture").asText(),
                        Digest.parse(p.path("sha256").asText()), p.path("size").asLong(), p.path("file").asText());
                // a package changed in the store since is removed by the re-check (absent: gone): the memo then misses
                if (store.recheck(pkg.sha256()).isPresent() || !store.contains(pkg.sha256())) {
                    return Optional.empty();
                }
                out.add(pkg);
            }
            return Optional.of(new Built(key, r.path("epoch").asLong(), out, true));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // a record that does not read is a miss: the build is made again
        }
    }

    /**
     * The recipe's build environment: its lock's root filesystem with the environment spec's
     * settings, at {@code epoch}, written into the store or found there. Its packages must be in
     * the store (fetched).
     */
    public BuildEnvironment.Root environment(Recipe recipe, RecipeLock lock, long epoch) {
        String arch = lock.architecture();
        return new BuildEnvironment(store).root(
                BuildEnvironment.Request.of(lock.environment(), arch).withSpec(recipe.environmentFor(arch)).withEpoch(epoch));
    }

    /**
     * Builds {@code recipe} from {@code lock} (which must be the recipe's, for the host's
     * architecture) at {@code epoch} in {@code root} (its {@link #environment}, made by the
     * caller), never from the memo (the caller looks there first: {@link #remembered}), with the
     * values of the recipe's secrets by id: each supplier is asked once. The values enter no key,
     * lock, log or message; after the steps every output and every writable cache is scanned for
     * them.
     *
     * @throws RecipeException {@code recipe.step-failed} with the failing step's last lines,
     *     {@code recipe.sandbox} when the sandbox cannot run, {@code recipe.package} when an output
     *     cannot be packaged; {@code recipe.secret} before the sandbox starts when a
     *     {@code required} secret is not given, {@code recipe.secret-leaked} naming the file that
     *     holds a secret's value (a cache holding it is emptied); nothing is remembered or kept then
     */
    public Built build(Recipe recipe, RecipeLock lock, long epoch, BuildEnvironment.Root root, Listener listener,
                       Map<String, Supplier<byte[]>> secrets) {
        Digest key = key(recipe, lock, epoch);
        Map<String, byte[]> values = secretValues(recipe, secrets);
        sandbox.check();
        String arch = lock.architecture();
        Path work = store.stageDirectory();
        BuildLog log = new BuildLog(store, recipe.name(), key);
        try (CacheMounts caches = new CacheMounts(store)) {
            Path workspace = Files.createDirectory(work.resolve("workspace"));
            Path outs = Files.createDirectory(work.resolve("out"));
            Map<String, Path> outputs = new TreeMap<>();
            outputs.put(recipe.name(), Files.createDirectory(outs.resolve(recipe.name())));
            for (Subpackage s : recipe.subpackages()) {
                outputs.put(s.name(), Files.createDirectory(outs.resolve(s.name())));
            }
            sources.materialize(recipe.file(), recipe.sources(), lock.sources(), workspace);
            Path binds = work.resolve("binds");
            if (Files.exists(workspace.resolve(StepMount.STAGED))) {
                Files.move(workspace.resolve(StepMount.STAGED), binds); // out of the workspace: only the mounts see them
            }
            Map<String, String> imageEnvironment = recipe.environmentFor(arch).environment();
            Steps steps = new Steps(recipe, root.directory(), workspace, binds, outputs, imageEnvironment, epoch, listener, values, caches, log);
            steps.run(StepScripts.of(recipe, arch));
            for (Subpackage s : recipe.subpackages()) {
                steps.run(StepScripts.of(recipe, s, arch));
            }
            log.finish();
            scanForSecrets(values, outputs, caches);
            SortedMap<String, byte[]> members = new TreeMap<>();
            members.put(RECIPE_MEMBER, recipe.canonicalBytes());
            members.put(LOCK_MEMBER, RecipeLockJson.write(lock));
            List<Package> packages = new ArrayList<>();
            packages.add(pack(recipe.name(), recipe.description().orElse(recipe.name() + ", built by kiln from a recipe"),
                    recipe.dependencies(), recipe, arch, key, epoch, members, outputs.get(recipe.name()), work));
            for (Subpackage s : recipe.subpackages()) {
                packages.add(pack(s.name(), s.description().orElse(s.name() + ", part of " + recipe.name() + ", built by kiln"),
                        s.dependencies(), recipe, arch, key, epoch, members, outputs.get(s.name()), work));
            }
            remember(key, epoch, packages);
            return new Built(key, epoch, packages, false);
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.OTHER, "cannot build " + recipe.name() + " in " + work + ": "
                    + IoErrors.why(e), e);
        } catch (RecipeException e) {
            log.finish();
            throw log.naming(e);
        } finally {
            try {
                ExitCleanup.discard(work);
            } catch (IOException e) {
                // left for gc, which removes what a finished process staged
            }
        }
    }

    /** The secrets' values for a build of {@code recipe}: each {@code required} one must be given. */
    private static Map<String, byte[]> secretValues(Recipe recipe, Map<String, Supplier<byte[]>> secrets) {
        Map<String, byte[]> values = new TreeMap<>();
        for (StepMount m : StepScripts.mounts(recipe)) {
            if (m instanceof StepMount.Secret s && !values.containsKey(s.id())) {
                Supplier<byte[]> supplier = secrets.get(s.id());
                if (supplier != null) {
                    values.put(s.id(), Objects.requireNonNull(supplier.get(), s.id()).clone());
                } else if (s.required()) {
                    throw new RecipeException(RecipeException.Kind.SECRET, recipe.name() + ": the secret '" + s.id()
                            + "' is required by a step (required: true) and was not given; nothing was run"
                            + "\n  expected: a value for '" + s.id() + "' from the caller\n  fix: give the secret's value to the build");
                }
            }
        }
        return values;
    }

    /** Refuses the build when a secret's value is in an output or a writable cache, naming the file. */
    private static void scanForSecrets(Map<String, byte[]> values, Map<String, Path> outputs, CacheMounts caches) throws IOException {
        if (values.isEmpty()) {
            return;
        }
        SecretScan scan = SecretScan.of(List.copyOf(values.values()));
        RecipeException first = null;
        for (Map.Entry<String, Path> o : outputs.entrySet()) {
            Optional<Path> found = scan.firstIn(o.getValue());
            if (found.isPresent() && first == null) {
                first = leaked("the package " + o.getKey() + "'s file /" + found.get(), "remove the secret from what the steps install");
            }
        }
        // every cache is scanned, even after a leaking package: none may keep a value
        for (Map.Entry<String, Path> c : new TreeMap<>(caches.directories()).entrySet()) {
            Optional<Path> found = scan.firstIn(c.getValue());
            if (found.isPresent()) {
                caches.drop(c.getKey());
                if (first == null) {
                    first = leaked("the cache '" + c.getKey() + "''s file " + found.get() + " (the cache was emptied)",
                            "make the steps leave the secret out of the cache");
                }
            }
        }
        if (first != null) {
            throw first;
        }
    }

    private static RecipeException leaked(String where, String fix) {
        return new RecipeException(RecipeException.Kind.SECRET_LEAKED, "a secret's value is in " + where
                + ": nothing of this build was kept\n  expected: no secret value (raw, hex or base64) in any output or cache"
                + "\n  fix: " + fix + ", then build again");
    }

    /** Runs steps in fresh sandboxes, with their mounts, into the build's log. */
    private final class Steps {
        private final Recipe recipe;
        private final Path root;
        private final Path workspace;
        private final Path binds;
        private final Map<String, Path> outputs;
        private final Map<String, String> imageEnvironment;
        private final long epoch;
        private final Listener listener;
        private final Map<String, byte[]> secrets;
        private final CacheMounts caches;
        private final BuildLog log;

        Steps(Recipe recipe, Path root, Path workspace, Path binds, Map<String, Path> outputs, Map<String, String> imageEnvironment, long epoch,
              Listener listener, Map<String, byte[]> secrets, CacheMounts caches, BuildLog log) {
            this.recipe = recipe;
            this.root = root;
            this.workspace = workspace;
            this.binds = binds;
            this.outputs = outputs;
            this.imageEnvironment = imageEnvironment;
            this.epoch = epoch;
            this.listener = listener;
            this.secrets = secrets;
            this.caches = caches;
            this.log = log;
        }

        void run(List<StepScripts.StepScript> steps) {
            for (StepScripts.StepScript s : steps) {
                listener.step(recipe.name(), s.name());
                log.step(s.name());
                Map<String, String> env = new LinkedHashMap<>(imageEnvironment);
                env.putAll(s.environment());
                sandbox.run(Step.of(s.name(), s.script(), root, workspace).withOutputs(outputs)
                        .withWorkingDirectory(s.workingDirectory()).withEnvironment(env).withEpoch(epoch).withMounts(mounts(s))
                        .withOutput(line -> {
                            log.line(line);
                            listener.line(recipe.name(), s.name(), line);
                        }));
            }
        }

        private List<Mount> mounts(StepScripts.StepScript s) {
            List<Mount> out = new ArrayList<>();
            for (StepMount m : s.mounts()) {
                if (m instanceof StepMount.Cache c) {
                    out.add(new Mount.Directory(caches.directory(c), c.target(), true));
                } else if (m instanceof StepMount.Tmpfs t) {
                    out.add(new Mount.Tmpfs(t.target(), t.size()));
                } else if (m instanceof StepMount.Bind b) {
                    out.add(new Mount.Directory(bindSource(b), b.target(), false));
                } else {
                    StepMount.Secret sec = (StepMount.Secret) m;
                    byte[] value = secrets.get(sec.id());
                    if (value != null) {
                        out.add(new Mount.Secret(sec.id(), sec.target(), value));
                    }
                }
            }
            return out;
        }

        /** The pinned copy of a bind mount's source, laid out from the lock like every local source. */
        private Path bindSource(StepMount.Bind b) {
            return binds.resolve(b.staged().substring(StepMount.STAGED.length() + 1));
        }
    }

    private Package pack(String name, String description, Relations relations, Recipe recipe, String arch,
                         Digest key, long epoch, SortedMap<String, byte[]> members, Path tree, Path work) {
        DebControl control = DebControl.of(name, recipe.debianVersion(), arch, MAINTAINER, description)
                .withDepends(relations.runtime()).withProvides(relations.provides()).withReplaces(relations.replaces()).withField(BUILD_KEY_FIELD, key.toString())
                .withField(EPOCH_FIELD, Long.toString(epoch));
        String fileName = name + "_" + recipe.debianVersion() + "_" + arch + ".deb";
        DebWriter.Written w = DebWriter.write(tree, control, epoch, members, work.resolve(fileName));
        try (InputStream in = Files.newInputStream(w.file())) {
            store.put(in, w.sha256(), w.size());
        } catch (IOException e) {
            throw new RecipeException(RecipeException.Kind.OTHER, "cannot keep " + fileName + " in the store: " + IoErrors.why(e), e);
        }
        return new Package(name, recipe.debianVersion(), arch, w.sha256(), w.size(), fileName);
    }

    private void remember(Digest key, long epoch, List<Package> packages) {
        ObjectNode r = JSON.createObjectNode();
        r.put("format", FORMAT);
        r.put("key", key.toString());
        r.put("epoch", epoch);
        ArrayNode ps = r.putArray("packages");
        for (Package p : packages) {
            ObjectNode o = ps.addObject();
            o.put("name", p.name());
            o.put("version", p.version());
            o.put("architecture", p.architecture());
            o.put("sha256", p.sha256().toString());
            o.put("size", p.size());
            o.put("file", p.fileName());
        }
        Digest record = store.put(r.toString().getBytes(StandardCharsets.UTF_8));
        store.putMemo(MemoStep.RECIPE_BUILD, key, record, packages.stream().map(Package::sha256).toList());
    }

    /** Where a built package's bytes are in the store. */
    public Path file(Package p) {
        return store.blobPath(p.sha256());
    }
}
