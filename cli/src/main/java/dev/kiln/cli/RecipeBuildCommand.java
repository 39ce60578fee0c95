package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.RecipeBuildRequest;
import dev.kiln.api.RecipeBuildResult;
import dev.kiln.api.SystemDefaults;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "build", mixinStandardHelpOptions = true,
        description = {
            "Build locked recipes into .deb packages (--repo: into a repository).",
            "%nWith --repo DIR --signing-key FILE the packages are added to a signed Debian repository. Each step runs under bubblewrap: no network, no host files, uid 0 inside whoever runs kiln, the"
                    + " environment read-only, the workspace /home/build and the outputs /out/NAME the only writable places."
                    + " The packages are deterministic: the same recipe and lock give the same bytes on any host. A recipe"
                    + " whose inputs did not change (its build key) is found in the store and not built again."
                    + " Recipes build for this host's architecture."})
final class RecipeBuildCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE", arity = "1..*", description = "The recipes (packages/NAME.yaml, or a directory of them), each"
            + " locked (NAME.lock.json). A recipe builds after the recipes that make a package of its environment;"
            + " independent ones at the same time.")
    List<Path> recipes;

    @Option(names = "--repo", paramLabel = "DIR", description = "Add the packages to the Debian repository in DIR (made if"
            + " missing): pool/, dists/SUITE/, an InRelease signed with --signing-key.")
    Path repo;

    @Option(names = "--signing-key", paramLabel = "FILE", description = "The OpenPGP secret key (NAME.secret.asc, from"
            + " 'kiln keys generate NAME --openpgp') that signs the repository.")
    Path signingKey;

    @Option(names = "--suite", paramLabel = "NAME", defaultValue = RecipeBuildRequest.DEFAULT_SUITE,
            description = "The repository's suite (default: ${DEFAULT-VALUE}).")
    String suite;

    @Option(names = "--rebuild", description = "Build even when the store has the build; the packages must come out the"
            + " same bytes the repository holds.")
    boolean rebuild;

    @Option(names = {"-j", "--jobs"}, paramLabel = "N", defaultValue = "0", description = "Build at most N recipes at the"
            + " same time (default: as many as this host has cores; 1: one after the other).")
    int jobs;

    @Mixin
    SecretOption secrets;

    @Option(names = {"-v", "--verbose"}, description = "Print every line the steps print (otherwise only a failing step's last lines).")
    boolean verbose;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors and the result.")
    boolean quiet;

    @Mixin
    StoreOption store;

    @Mixin
    JsonOption json;

    @Mixin
    CacheOption cache;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        var out = commandSpec.commandLine().getOut();
        var err = commandSpec.commandLine().getErr();
        if (jobs < 0) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--jobs takes 1 or more (0: this host's cores), not " + jobs);
        }
        if (repo != null && signingKey == null) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--repo needs --signing-key: the repository is signed");
        }
        if (signingKey != null && repo == null) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "--signing-key signs a repository: name it with --repo");
        }
        JsonLines lines = json.lines(out);
        RecipeBuildRequest request = RecipeBuildRequest.of(recipes, SystemDefaults.architecture()).withSuite(suite)
                .withEpoch(SystemDefaults.epoch()).withRebuild(rebuild).withJobs(jobs);
        if (repo != null) {
            request = request.withRepository(repo, signingKey);
        }
        for (Map.Entry<String, byte[]> secret : secrets.values(commandSpec.commandLine()).entrySet()) {
            byte[] value = secret.getValue();
            request = request.withSecret(secret.getKey(), () -> value.clone());
        }
        Kiln.Builder b = cache.apply(KilnSetup.builder(store.store, null, quiet, err, lines));
        if (lines == null && !quiet) {
            RecipeProgress.register(b, err, RecipeProgress.terminal(), verbose);
        }
        RecipeBuildResult result;
        try (Kiln kiln = b.open()) {
            result = kiln.recipeBuild(request);
        }
        if (lines != null) {
            lines.result(g -> JsonResults.recipeBuild(g, result));
            return 0;
        }
        for (RecipeBuildResult.Built built : result.recipes()) {
            out.println((built.remembered() ? "found " : "built ") + built.name() + " " + built.version() + " (build key "
                    + built.buildKey() + (built.remembered() ? ", in the store" : "") + ")");
            for (RecipeBuildResult.PackageFile p : built.packages()) {
                out.println("  " + p.file() + "  " + p.sha256() + "  " + p.size() + " bytes");
            }
        }
        result.repository().ifPresent(r -> out.println(r.changed()
                ? "published " + r.directory() + " (suite " + r.suite() + ", " + r.added().size() + " added, Date " + r.date() + ")"
                : r.directory() + " already holds these packages: nothing written"));
        return 0;
    }
}
