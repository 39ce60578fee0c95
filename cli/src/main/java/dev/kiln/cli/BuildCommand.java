package dev.kiln.cli;

import dev.kiln.assembler.Kiln;
import dev.kiln.assembler.verify.BuildCheck;
import dev.kiln.fetcher.Download;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "build", mixinStandardHelpOptions = true, description = {
    "Build SPEC's image into an OCI image layout directory: lock (unless SPEC.lock.json was made from",
    "this spec), fetch and verify every package, unpack without running maintainer scripts, and write",
    "one deterministic layer per architecture (several archs give an image index)."})
final class BuildCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SPEC", description = "The image spec (YAML).")
    Path spec;

    @Option(names = {"-o", "--output"}, paramLabel = "DIR", required = true,
            description = "Where to write the OCI image layout (replaced if it is one already).")
    Path output;

    @Option(names = "--lock", paramLabel = "FILE", description = "The lockfile (default: SPEC.lock.json beside the spec).")
    Path lockFile;

    @Option(names = "--frozen", description = "Fail instead of resolving when the lock is missing or was made from another spec.")
    boolean frozen;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors and the result.")
    boolean quiet;

    @Option(names = "--check", description = {
        "Build twice from scratch, each in a fresh temporary store (not --store), the second in another JVM (another",
        "JDK if one is installed, other time zone, locale and umask, one CPU); exit 1 with where the layouts differ."})
    boolean check;

    @Mixin
    StoreOption store;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        var out = commandSpec.commandLine().getOut();
        Path lock = lockFile != null ? lockFile : Kiln.defaultLockPath(spec);
        try (Kiln kiln = Kiln.builder().store(store.store).open()) {
            List<Download> all = java.nio.file.Files.exists(lock) ? kiln.downloads(lock) : List.of();
            long bytes = all.stream().mapToLong(Download::size).sum();
            FetchProgress.Mode mode = quiet ? FetchProgress.Mode.QUIET : FetchProgress.Mode.PLAIN;
            Kiln.Built built;
            try (FetchProgress progress = FetchProgress.of(mode, out, all.size(), bytes)) {
                if (check) {
                    return check(lock, progress);
                }
                built = kiln.build(spec, lock, output, frozen, progress);
            }
            out.println("built " + built.layout() + " (" + built.top().mediaType() + " " + built.top().digest() + ")");
            return 0;
        }
    }

    private int check(Path lock, FetchProgress progress) {
        var out = commandSpec.commandLine().getOut();
        BuildCheck.Result r = BuildCheck.run(spec, lock, output, frozen, progress, quiet ? line -> { } : out::println);
        if (!r.reproducible()) {
            var err = commandSpec.commandLine().getErr();
            err.print(r.diff().render());
            err.println("kiln: the two builds differ; the second is kept at " + r.second().orElseThrow());
            return Main.CHECK_FAILED;
        }
        out.println("reproducible " + r.first().layout() + " (" + r.first().top().mediaType() + " " + r.first().top().digest()
                + "): built again identically with " + r.variation().describe());
        return 0;
    }
}
