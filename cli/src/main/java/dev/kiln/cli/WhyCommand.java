package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import dev.kiln.api.WhyRequest;
import dev.kiln.api.WhyResult;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "why", mixinStandardHelpOptions = true, description = {
    "Say which chains of dependencies pulled a package into an image.",
    "%nFor each architecture (those that answer alike together), the shortest chain from each package the spec asks"
            + " for, each step with the relation that made it; or why the package is not there. The dependencies are"
            + " read from the locked packages themselves (fetched into the store when it lacks them); nothing is resolved.",
    "%nWithout SPEC, the only *.yaml in the current directory with its lock beside it.",
    "%nExit 0 when the package is in the closure, 1 when it is not."})
final class WhyCommand implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "PKG", description = "The package (or virtual package) to explain.")
    String packageName;

    @Parameters(index = "1", arity = "0..1", paramLabel = "SPEC-or-LOCK",
            description = "The image spec (its lock beside it), or a lock (its spec beside it).")
    Path specOrLock;

    @Option(names = "--max-chains", paramLabel = "N", defaultValue = "" + WhyRequest.DEFAULT_MAX_CHAINS,
            description = "List at most N chains per answer, counting the rest (default: ${DEFAULT-VALUE}).")
    int maxChains;

    @Option(names = "--offline", description = "Never touch the network; fail naming the packages the store lacks.")
    boolean offline;

    @Mixin
    StoreOption store;

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        JsonLines lines = json.lines(out);
        WhyRequest request;
        try {
            Path target = specOrLock != null ? specOrLock : SpecArgument.onlyLockedSpec(Path.of(""));
            request = WhyRequest.of(packageName, target).withMaxChains(maxChains)
                    .withMode(offline ? LockMode.OFFLINE : LockMode.ONLINE);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        try (Kiln kiln = KilnSetup.builder(store.store, null, false, spec.commandLine().getErr(), lines).open()) {
            WhyResult r = kiln.why(request);
            if (lines != null) {
                lines.result(g -> JsonResults.why(g, r));
            } else {
                print(out, r);
            }
            return r.inClosure() ? 0 : Main.CHECK_FAILED;
        }
    }

    private static void print(PrintWriter out, WhyResult r) {
        if (!r.lockMatchesSpec()) {
            out.println("note: " + r.lockFile() + " was made from another version of " + r.spec()
                    + "; these are the lock's chains ('kiln lock " + r.spec() + "' pins the closure anew)");
        }
        for (WhyResult.Answer a : r.answers()) {
            out.println(headline(r, a));
            for (WhyResult.Chain c : a.chains()) {
                out.println("  " + String.join(" -> ", c.packages()));
                for (WhyResult.Link l : c.links()) {
                    out.println("      " + l.from() + " " + l.relation() + detail(l));
                }
            }
            if (a.moreChains() > 0) {
                out.println("  and " + a.moreChains() + (a.moreChains() == 1 ? " more chain" : " more chains")
                        + " from other requested packages (--max-chains N lists more)");
            }
        }
    }

    private static String headline(WhyResult r, WhyResult.Answer a) {
        String archs = " (" + String.join(", ", a.architectures()) + ")";
        String name = r.packageName();
        String pinned = a.providedBy().isEmpty() ? name + a.version().map(v -> " " + v).orElse("") + archs
                : name + archs + " is a virtual package provided by " + join(a.providedBy()) + ";";
        String alsoPulled = a.chains().isEmpty() ? "" : ", and pulled in by:";
        return switch (a.status()) {
            case REQUESTED -> a.providedBy().isEmpty() ? pinned + " is requested by the spec" + alsoPulled
                    : pinned + " the spec requests it" + alsoPulled;
            case PULLED_IN -> a.providedBy().isEmpty() ? pinned + " is pulled in by:" : pinned + " it is pulled in by:";
            case UNREACHABLE -> pinned + (a.providedBy().isEmpty() ? " is locked" : " it is locked") + ", but no package the spec"
                    + " requests leads to it: was " + r.lockFile() + " made from another spec? ('kiln lock " + r.spec()
                    + "' pins the closure anew)";
            case EXCLUDED -> name + archs + " is not in the closure of " + r.spec() + ": the spec excludes it (contents.exclude)";
            case SKIPPED -> name + archs + " is not in the closure of " + r.spec() + ": the spec skips it as a dependency of "
                    + join(a.skippedBy()) + " (contents.skip-dependencies)";
            case ABSENT -> name + archs + " is not in the closure of " + r.spec()
                    + ": the spec does not request it, and no package in the closure needs it";
        };
    }

    private static String detail(WhyResult.Link l) {
        if (l.alternative().isPresent() && l.provided().isPresent()) {
            return " (alternative " + l.alternative().get() + "; " + l.to() + " provides " + l.provided().get() + ")";
        }
        if (l.alternative().isPresent()) {
            return " (alternative " + l.alternative().get() + ")";
        }
        return l.provided().map(p -> " (" + l.to() + " provides " + p + ")").orElse("");
    }

    private static String join(List<String> names) {
        return String.join(", ", names);
    }
}
