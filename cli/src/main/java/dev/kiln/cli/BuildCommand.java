package dev.kiln.cli;

import dev.kiln.api.BuildCheckEvent;
import dev.kiln.api.BuildCheckResult;
import dev.kiln.api.BuildRequest;
import dev.kiln.api.BuildResult;
import dev.kiln.api.Epoch;
import dev.kiln.api.FetchEvent;
import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import dev.kiln.api.LockRequest;
import dev.kiln.api.RecipeBuildRequest;
import dev.kiln.api.Spec;
import dev.kiln.api.SystemDefaults;
import dev.kiln.api.Target;
import dev.kiln.store.KilnException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

@Command(name = "build", mixinStandardHelpOptions = true, description = {
    "Build SPEC's image into an OCI layout, a registry or a load archive.",
    "%nkiln locks SPEC (unless SPEC.lock.json was made from this spec), fetches and verifies every package,"
            + " unpacks them without running maintainer scripts, and writes deterministic layers per architecture:"
            + " the packages, the local sources, the spec and lock (several archs give an image index). The image"
            + " goes to an OCI image layout directory (-o), a registry (--push) and a docker/podman load archive"
            + " (--tarball), as asked.",
    "%nWith --recipes, the recipes whose packages the image takes are built first (those the store has are found by"
            + " their build key) and published into --recipe-repo, the file: repository the spec names, then the image."})
final class BuildCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SPEC", description = "The image spec (YAML).")
    Path spec;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR",
            description = "Where to write the OCI image layout (replaced if it is one already); optional with --push or --tarball.")
    Path output;

    @Option(names = "--push", paramLabel = "REF",
            description = "Push the image to HOST[:PORT]/REPO[:TAG] (logins from the podman/docker auth files).")
    String push;

    @Option(names = "--tarball", paramLabel = "FILE",
            description = "Write a docker load / podman load archive of one platform (the host's, or --arch).")
    Path tarball;

    @Option(names = "--tag", paramLabel = "REF",
            description = "The name in the tarball (default: the --push reference, else localhost/SPEC-NAME:latest).")
    String tag;

    @Option(names = "--arch", paramLabel = "ARCH", description = "The architecture for --tarball when the image has several.")
    String arch;

    @Option(names = "--insecure", description = "Speak plain HTTP to the --push registry (always so for loopback registries).")
    boolean insecure;

    @Option(names = "--lock", paramLabel = "FILE", description = "The lockfile (default: SPEC.lock.json beside the spec).")
    Path lockFile;

    @Option(names = "--frozen", description = "Fail instead of resolving when the lock is missing or was made from another spec.")
    boolean frozen;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors and the result.")
    boolean quiet;

    @Option(names = "--check", description = "Build twice from scratch, each in a fresh temporary store (not --store), the"
            + " second in another JVM (another JDK if one is installed, other time zone, locale and umask, one CPU);"
            + " exit 1 with where the layouts differ.")
    boolean check;

    @Option(names = "--recipes", paramLabel = "PATH", description = "Build these recipes first (a directory of NAME.yaml, or"
            + " recipe files; each locked) into --recipe-repo, signed with --signing-key.")
    List<Path> recipes;

    @Option(names = "--recipe-repo", paramLabel = "DIR", description = "The repository --recipes are published into: the spec's"
            + " file: repository line names it.")
    Path recipeRepo;

    @Option(names = "--signing-key", paramLabel = "FILE", description = "The OpenPGP secret key that signs --recipe-repo.")
    Path signingKey;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "0", description = "Build at most N --recipes at the same"
            + " time (default: as many as this host has cores).")
    int jobs;

    @Mixin
    StoreOption store;

    @Mixin
    ContextOption context;

    @Mixin
    RegistryTimeoutOption registry;

    @Mixin
    JsonOption json;

    @Mixin
    CacheOption cache;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws IOException {
        var out = commandSpec.commandLine().getOut();
        var err = commandSpec.commandLine().getErr();
        if (output == null && push == null && tarball == null) {
            throw new ParameterException(commandSpec.commandLine(), "say where the image goes: -o DIR, --push REF or --tarball FILE");
        }
        if (tarball == null && (tag != null || arch != null) || push == null && (insecure || registry.given())) {
            throw new ParameterException(commandSpec.commandLine(),
                    "--tag and --arch go with --tarball, --insecure and --registry-timeout with --push");
        }
        boolean withRecipes = recipes != null && !recipes.isEmpty();
        if (withRecipes != (recipeRepo != null) || (recipeRepo != null) != (signingKey != null)) {
            throw new ParameterException(commandSpec.commandLine(),
                    "--recipes, --recipe-repo and --signing-key go together: the recipes are published into a signed repository");
        }
        if (jobs < 0) {
            throw new ParameterException(commandSpec.commandLine(), "--jobs takes 1 or more (0: this host's cores), not " + jobs);
        }
        String tarballTag = tag != null ? tag : push != null ? push : "localhost/" + specName() + ":latest";
        List<Target> goes = new ArrayList<>();
        try {
            // bad references fail before the build, not after it
            if (tarball != null) {
                Target.Archive a = Target.archive(tarball, tarballTag);
                goes.add(arch != null ? a.withArchitecture(arch) : a.withHostArchitecture(SystemDefaults.architecture()));
            }
            if (push != null) {
                goes.add(Target.registry(push));
            }
        } catch (KilnException e) {
            throw new ParameterException(commandSpec.commandLine(), e.getMessage());
        }
        Epoch epoch = SystemDefaults.epoch(); // a bad SOURCE_DATE_EPOCH fails before anything is done
        Path scratch = check && output == null ? Files.createTempDirectory("kiln-build-") : null;
        Timing.mark("cli parsed");
        JsonLines lines = json.lines(out);
        try {
            FetchProgress progress = FetchProgress.of(quiet || lines != null ? FetchProgress.Mode.QUIET : FetchProgress.Mode.PLAIN, out);
            Kiln.Builder builder = KilnSetup.builder(store.store, context.context, quiet, err, lines)
                    .registries(registry.apply(SystemDefaults.registries().withInsecure(insecure)))
                    .addEventHandler(FetchEvent.class, progress);
            cache.apply(builder);
            if (!quiet && lines == null) {
                RecipeProgress.register(builder, err, RecipeProgress.terminal(), false);
                builder.addEventHandler(BuildCheckEvent.class,
                        e -> out.println("first build " + e.digest() + "; building again from scratch in another JVM"));
            }
            try (Kiln kiln = builder.open()) {
                Timing.mark("kiln open");
                BuildRequest request = BuildRequest.of(Spec.load(spec))
                        .withLockFile(lockFile != null ? lockFile : LockRequest.besideSpec(spec))
                        .withMode(frozen ? LockMode.FROZEN : LockMode.ONLINE).withEpoch(epoch);
                if (withRecipes) {
                    RecipeBuildRequest r = RecipeBuildRequest.of(recipes, SystemDefaults.architecture()).withJobs(jobs)
                            .withEpoch(epoch).withRepository(recipeRepo, signingKey);
                    if (check) {
                        kiln.recipeBuild(r); // the check's two builds take the packages from the repository
                    } else {
                        request = request.withRecipes(r);
                    }
                }
                if (check) {
                    try (progress) {
                        return check(kiln, request.to(Target.layout(output != null ? output : scratch.resolve("oci"))), lines);
                    }
                }
                if (output != null) {
                    request = request.to(Target.layout(output));
                }
                for (Target t : goes) {
                    request = request.to(t);
                }
                BuildResult built;
                try (progress) {
                    built = kiln.build(request);
                }
                if (lines != null) {
                    lines.result(g -> JsonResults.build(g, built));
                    return 0;
                }
                for (BuildResult.Output o : built.outputs()) {
                    if (o instanceof BuildResult.LayoutOutput l) {
                        out.println("built " + l.dir() + " (" + built.mediaType() + " " + built.digest() + ")");
                    } else if (o instanceof BuildResult.ArchiveOutput a) {
                        out.println("wrote " + a.file() + " (docker archive of " + a.platform().orElse("one image") + ", " + tarballTag + ")");
                    } else if (o instanceof BuildResult.RegistryOutput r) {
                        out.println("pushed " + r.reference());
                    }
                }
                return 0;
            }
        } finally {
            if (scratch != null) {
                TempDirs.delete(scratch);
            }
        }
    }

    /** The spec's file name without its extension, as a repository name ({@code My Base.yaml} → {@code my-base}). */
    private String specName() {
        String name = spec.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String repo = (dot > 0 ? name.substring(0, dot) : name).toLowerCase(Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return repo.isEmpty() ? "image" : repo;
    }

    private int check(Kiln kiln, BuildRequest request, JsonLines lines) {
        var out = commandSpec.commandLine().getOut();
        BuildCheckResult r = kiln.checkBuild(request);
        BuildResult first = r.first();
        if (lines != null) {
            lines.result(g -> JsonResults.buildCheck(g, r));
            return r.reproducible() ? 0 : Main.CHECK_FAILED;
        }
        if (!r.reproducible()) {
            var err = commandSpec.commandLine().getErr();
            err.print(r.report());
            err.println("kiln: the two builds differ; the second is kept at " + r.second().orElseThrow());
            return Main.CHECK_FAILED;
        }
        out.println("reproducible " + first.layout().orElseThrow() + " (" + first.mediaType() + " " + first.digest()
                + "): built again identically with " + r.variation());
        return 0;
    }
}
