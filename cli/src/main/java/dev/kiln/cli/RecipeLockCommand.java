package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import dev.kiln.api.RecipeLockRequest;
import dev.kiln.api.RecipeLockResult;
import dev.kiln.api.SystemDefaults;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "lock", mixinStandardHelpOptions = true,
        description = {
            "Pin each RECIPE's build environment and sources in NAME.lock.json.",
            "%nThe lock goes beside the recipe (packages/NAME.yaml). The environment is resolved as 'kiln lock' resolves an image spec, for this host's architecture,"
                    + " keeping the pins of the lock already there where they still hold. Every source is fetched and"
                    + " checked here: a fetch by its expected sha256 (and sha512) while it streams, a git-checkout's"
                    + " tag or branch held to its expected-commit and its tree exported and pinned, a local source"
                    + " read as an image's copies are. A source that is not what the recipe pins fails before any"
                    + " lock is written."})
final class RecipeLockCommand implements Callable<Integer> {
    @Parameters(paramLabel = "RECIPE", arity = "1..*", description = "The recipes (packages/NAME.yaml, or a directory of them).")
    List<Path> recipes;

    @Option(names = "--check", description = "Do not write; exit 1 with a diff when locking would change a lock"
            + " (the recipe changed, a pin moved) or a lock is missing.")
    boolean check;

    @Option(names = "--offline", description = "Use the newest Releases and indexes this store has verified, and the"
            + " sources it holds; download nothing.")
    boolean offline;

    @Mixin
    StoreOption store;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        var out = commandSpec.commandLine().getOut();
        JsonLines lines = json.lines(out);
        RecipeLockRequest request = RecipeLockRequest.of(recipes, SystemDefaults.architecture())
                .withMode(offline ? LockMode.OFFLINE : LockMode.ONLINE)
                .withAction(check ? RecipeLockRequest.Action.CHECK : RecipeLockRequest.Action.WRITE);
        RecipeLockResult result;
        try (Kiln kiln = KilnSetup.builder(store.store, null, false, commandSpec.commandLine().getErr(), lines).open()) {
            result = kiln.recipeLock(request);
        }
        if (lines != null) {
            lines.result(g -> JsonResults.recipeLock(g, result, check));
        } else {
            for (RecipeLockResult.Locked l : result.recipes()) {
                if (check) {
                    out.println(l.changes().isEmpty() ? l.lockFile() + " is up to date" : l.lockFile() + " is stale:");
                } else {
                    out.println("wrote " + l.lockFile() + " (" + l.packageName() + " " + l.version() + ", " + l.architecture() + ": "
                            + l.environmentPackages() + " packages in the environment, " + l.sources().size()
                            + (l.sources().size() == 1 ? " source" : " sources") + (l.changes().isEmpty() ? "; nothing changed" : "") + ")");
                }
                for (String c : l.changes()) {
                    out.println("  " + c);
                }
            }
            if (check && result.stale()) {
                out.println("run 'kiln recipe lock' on them to update them");
            }
        }
        return check && result.stale() ? Main.CHECK_FAILED : 0;
    }
}
