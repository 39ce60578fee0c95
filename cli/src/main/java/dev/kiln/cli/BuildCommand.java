package dev.kiln.cli;

import dev.kiln.api.BuildCheck;
import dev.kiln.api.Kiln;
import dev.kiln.fetcher.Download;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "build", mixinStandardHelpOptions = true, description = {
    "Build SPEC's image into an OCI layout, a registry or a load archive.",
    "%nkiln locks SPEC (unless SPEC.lock.json was made from this spec), fetches and verifies every package,"
            + " unpacks them without running maintainer scripts, and writes deterministic layers per architecture:"
            + " the packages, the local sources, the spec and lock (several archs give an image index). The image"
            + " goes to an OCI image layout directory (-o), a registry (--push) and a docker/podman load archive"
            + " (--tarball), as asked."})
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

    @Mixin
    StoreOption store;

    @Mixin
    ContextOption context;

    @Mixin
    RegistryTimeoutOption registry;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws java.io.IOException {
        var out = commandSpec.commandLine().getOut();
        if (output == null && push == null && tarball == null) {
            throw new ParameterException(commandSpec.commandLine(), "say where the image goes: -o DIR, --push REF or --tarball FILE");
        }
        if (tarball == null && (tag != null || arch != null) || push == null && (insecure || registry.given())) {
            throw new ParameterException(commandSpec.commandLine(),
                    "--tag and --arch go with --tarball, --insecure and --registry-timeout with --push");
        }
        String tarballTag = tag != null ? tag : push != null ? push : "localhost/" + specName() + ":latest";
        try {
            // bad references fail before the build, not after it
            for (String ref : new String[] {push, tarball != null ? tarballTag : null}) {
                if (ref != null) {
                    dev.kiln.oci.registry.ImageReference.parse(ref);
                }
            }
        } catch (dev.kiln.oci.registry.RegistryException e) {
            throw new ParameterException(commandSpec.commandLine(), e.getMessage());
        }
        if (tarball != null) {
            Kiln.checkTarball(tarball, spec, java.util.Optional.ofNullable(arch)); // before the build, not after it
        }
        Path lock = lockFile != null ? lockFile : Kiln.defaultLockPath(spec);
        Path scratch = output == null ? java.nio.file.Files.createTempDirectory("kiln-build-") : null;
        Timing.mark("cli parsed");
        try (Kiln kiln = Kiln.builder().phases(Timing.LISTENER).store(store.store).context(context.context).open()) {
            Timing.mark("kiln open");
            List<Download> all = java.nio.file.Files.exists(lock) ? kiln.downloads(lock) : List.of();
            long bytes = all.stream().mapToLong(Download::size).sum();
            FetchProgress.Mode mode = quiet ? FetchProgress.Mode.QUIET : FetchProgress.Mode.PLAIN;
            Kiln.Built built;
            try (FetchProgress progress = FetchProgress.of(mode, out, all.size(), bytes)) {
                if (check) {
                    return check(lock, output != null ? output : scratch.resolve("oci"), progress);
                }
                built = kiln.build(spec, lock, output != null ? output : scratch.resolve("oci"), frozen, progress);
            }
            if (output != null) {
                out.println("built " + built.layout() + " (" + built.top().mediaType() + " " + built.top().digest() + ")");
            }
            if (tarball != null) {
                var image = Kiln.writeTarball(built.layout(), tarball, tarballTag, java.util.Optional.ofNullable(arch));
                out.println("wrote " + tarball + " (docker archive of " + image.platform().map(Object::toString).orElse("one image")
                        + ", " + tarballTag + ")");
            }
            if (push != null) {
                var options = registry.options(insecure, quiet, commandSpec.commandLine().getErr());
                out.println("pushed " + Kiln.push(built.layout(), push, options).reference());
            }
            return 0;
        } finally {
            if (scratch != null) {
                dev.kiln.oci.ImageLayout.deleteRecursively(scratch);
            }
        }
    }

    /** The spec's file name without its extension, as a repository name ({@code My Base.yaml} → {@code my-base}). */
    private String specName() {
        String name = spec.getFileName().toString();
        int dot = name.lastIndexOf('.');
        String repo = (dot > 0 ? name.substring(0, dot) : name).toLowerCase(java.util.Locale.ROOT)
                .replaceAll("[^a-z0-9]+", "-").replaceAll("^-+|-+$", "");
        return repo.isEmpty() ? "image" : repo;
    }

    private int check(Path lock, Path into, FetchProgress progress) {
        var out = commandSpec.commandLine().getOut();
        BuildCheck.Result r = BuildCheck.run(spec, Optional.ofNullable(context.context), lock, into, frozen, progress,
                quiet ? line -> { } : out::println);
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
