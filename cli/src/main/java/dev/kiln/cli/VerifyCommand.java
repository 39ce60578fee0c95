package dev.kiln.cli;

import dev.kiln.api.CheckFailedException;
import dev.kiln.api.ImageRef;
import dev.kiln.api.Kiln;
import dev.kiln.api.RebuildEvent;
import dev.kiln.api.SystemDefaults;
import dev.kiln.api.VerifyRequest;
import dev.kiln.api.VerifyResult;
import dev.kiln.store.IoErrors;
import dev.kiln.store.KilnException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "verify", mixinStandardHelpOptions = true, description = {
    "Rebuild IMAGE from its spec and lock and compare the two.",
    "%nThe rebuild uses the spec and lock IMAGE carries (or --spec and --lock), runs in a fresh temporary"
            + " store (the store with --use-store) at the image's own epoch, and fetches every package by its pinned sha256. It is compared"
            + " with IMAGE blob by blob, and the image's dpkg records with the lock's packages. Exit 0 printing"
            + " the digest when identical; exit 1 saying where they part (or which package, or why the signature"
            + " fails with --key).",
    "%nIMAGE: an OCI layout directory (DIR, or DIR:NAME for the image it names NAME), a docker archive"
            + " (kiln build --tarball), or HOST/REPO[:TAG][@sha256:...]."})
final class VerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "The image to verify.")
    String image;

    @Option(names = "--spec", paramLabel = "FILE", description = "Verify against this spec instead of the image's own (with --lock).")
    Path spec;

    @Option(names = "--lock", paramLabel = "FILE", description = "Verify against this lock instead of the image's own (with --spec).")
    Path lock;

    @Option(names = "--key", paramLabel = "PUB", description = "Also require a signature by this public key (PEM), as kiln sign makes;"
            + " the attestations it signed (provenance, SBOMs) are listed.")
    Path key;

    @Option(names = "--use-store", description = "Rebuild with the store (--store or the default) instead of a fresh temporary one.")
    boolean useStore;

    @Option(names = "--insecure", description = "Speak plain HTTP to the registry (always so for loopback registries).")
    boolean insecure;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors and the result.")
    boolean quiet;

    @picocli.CommandLine.Mixin
    StoreOption store;

    @picocli.CommandLine.Mixin
    RegistryTimeoutOption registry;

    /**
     * A rebuild takes local sources from the image or the store, never from disk; the context
     * names the directory the image's own spec was in, which its relative {@code file:}
     * repositories are relative to (with {@code --spec}, that file's directory is).
     */
    @picocli.CommandLine.Mixin
    ContextOption context;

    @picocli.CommandLine.Mixin
    JsonOption json;

    @picocli.CommandLine.Mixin
    CacheOption cache;

    @Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        var out = commandSpec.commandLine().getOut();
        var err = commandSpec.commandLine().getErr();
        if ((spec == null) != (lock == null)) {
            throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                    "give both --spec and --lock, or neither (then the image's own are used)");
        }
        if (context.context != null) {
            if (!Files.isDirectory(context.context)) {
                throw new picocli.CommandLine.ParameterException(commandSpec.commandLine(),
                        "--context " + context.context + ": not a directory");
            }
            if (spec != null) {
                checkHoldsSpec(context.context, spec); // as for build
            }
        }
        ImageRef checked = ImageArgument.forVerify(image);
        VerifyRequest request = VerifyRequest.of(checked).withFreshStore(!useStore);
        if (spec != null) {
            request = request.withInputs(spec, lock);
        }
        if (key != null) {
            request = request.withPublicKey(key);
        }
        JsonLines lines = json.lines(out);
        Kiln.Builder builder = useStore ? KilnSetup.builder(store.store, context.context, quiet, err, lines)
                : KilnSetup.withoutStore(context.context, quiet, err, lines);
        builder.registries(registry.apply(SystemDefaults.registries().withInsecure(insecure)));
        cache.apply(builder);
        if (!quiet && lines == null) {
            builder.addEventHandler(RebuildEvent.class, e -> out.println("rebuilding " + e.image() + " (" + e.digest() + ") in "
                    + (useStore ? "the store" : "a fresh store")));
        }
        VerifyResult v;
        try (Kiln kiln = builder.open()) {
            v = kiln.verify(request);
        } catch (CheckFailedException e) {
            // the image is not what its inputs build: a failed check, not an error
            Main.printError(commandSpec.commandLine(), e);
            return Main.CHECK_FAILED;
        }
        if (lines != null) {
            lines.result(g -> JsonResults.verify(g, v));
            return v.verified() ? 0 : Main.CHECK_FAILED;
        }
        v.signature().ifPresent(s -> out.println("signature: good, by key " + s.keyFingerprint()
                + " (identity " + s.identity() + ")"));
        for (VerifyResult.Attestation a : v.attestations()) {
            out.println("attestation: good, " + a.predicateType() + " about " + a.subject()
                    + ", by key " + a.keyFingerprint() + " (" + a.digest() + ")");
        }
        for (String why : v.unverifiedAttestations()) {
            err.println("kiln: note, attestations: " + why);
        }
        if (v.verified()) {
            out.println("verified " + v.image() + " " + v.digest() + ": rebuilt identically from its spec and lock");
            return 0;
        }
        if (!v.identical()) {
            err.print(v.report());
        }
        if (!v.packages().isEmpty()) {
            err.println("packages: the image's dpkg records against the lock");
            v.packages().forEach(m -> err.println("  " + m.description()));
            err.println("kiln: " + v.image() + " does not hold the packages its lock pins ("
                    + v.packages().size() + (v.packages().size() == 1 ? " differs)" : " differ)"));
        }
        if (!v.identical()) {
            err.println("kiln: " + v.image() + " does not match its rebuild (" + v.rebuilt() + ")");
        }
        return Main.CHECK_FAILED;
    }

    /** The build context must hold the spec (every symlink followed), as a build requires. */
    private static void checkHoldsSpec(Path context, Path spec) {
        Path specDir = spec.toAbsolutePath().normalize().getParent();
        try {
            Path realContext = context.toRealPath();
            Path realSpecDir = specDir.toRealPath();
            if (!realSpecDir.startsWith(realContext)) {
                throw new KilnException(spec + ": the build context " + context + " (" + realContext
                        + ") does not contain the spec (in " + realSpecDir + ")"
                        + "\n  fix: give a context directory that holds the spec and its sources, e.g. the repository's root");
            }
        } catch (java.io.IOException e) {
            throw new KilnException("cannot read the spec's directory " + specDir + ": " + IoErrors.why(e));
        }
    }
}
