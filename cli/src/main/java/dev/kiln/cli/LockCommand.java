package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.LockCheckResult;
import dev.kiln.api.LockMode;
import dev.kiln.api.LockRequest;
import dev.kiln.api.LockResult;
import dev.kiln.api.Spec;
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

@Command(name = "lock", mixinStandardHelpOptions = true,
        description = {
            "Resolve SPEC and write a lockfile pinning every package by sha256.",
            "%nSPEC is resolved for each of its architectures against its signed repositories. The lock is"
                    + " written to SPEC.lock.json beside the spec unless -o is given.",
            "%nLocking is conservative: when a lock is already there, each of its pins that still satisfies the"
                    + " spec and is still offered by its repository stays, and so does each repository's Release pin"
                    + " while the packages pinned from it stay. Only what the spec's change needs, or a pin no longer"
                    + " offered, moves, and kiln says which. --update takes the newest versions of everything,"
                    + " --update NAME... of those packages."})
final class LockCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SPEC", arity = "0..1", description = "The image spec (YAML).")
    Path spec;

    @Option(names = "--update", arity = "0..*", paramLabel = "NAME",
            description = "Take the newest versions: of every package, or of the packages NAME (and what they need)."
                    + " Written before SPEC, the last word is SPEC.")
    List<String> update;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the lock.")
    Path output;

    @Option(names = "--check", description = "Do not write; exit 1 with a diff when 'kiln lock' would change the lock:"
            + " the spec changed, a pin is no longer offered, a copied source changed. Newer versions alone do not"
            + " (kiln outdated reports them).")
    boolean check;

    @Option(names = "--offline", description = "Use the newest Releases and indexes this store has verified;"
            + " download nothing (as apt works from the lists of its last update).")
    boolean offline;

    @Mixin
    StoreOption store;

    @Mixin
    ContextOption context;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        if (spec == null && update != null && !update.isEmpty()) {
            // picocli gives --update every word after it: the last one is the spec
            spec = Path.of(update.remove(update.size() - 1));
        }
        if (spec == null) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "name the SPEC to lock");
        }
        if (check && update != null) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(),
                    "--check asks whether 'kiln lock' would change the lock; it takes no --update");
        }
        Path lockFile = output != null ? output : LockRequest.besideSpec(spec);
        Timing.mark("cli parsed");
        var out = commandSpec.commandLine().getOut();
        JsonLines lines = json.lines(out);
        try (Kiln kiln = KilnSetup.builder(store.store, context.context, false, commandSpec.commandLine().getErr(), lines).open()) {
            Timing.mark("kiln open");
            LockRequest request = LockRequest.of(Spec.load(spec)).withLockFile(lockFile);
            if (update != null) {
                request = update.isEmpty() ? request.withUpdate() : request.withUpdate(update);
            }
            if (check) {
                LockCheckResult diff = kiln.checkLock(request.withMode(offline ? LockMode.OFFLINE : LockMode.ONLINE));
                if (lines != null) {
                    lines.result(g -> JsonResults.lockCheck(g, diff));
                } else if (diff.stale()) {
                    out.println(lockFile + " is stale:");
                    for (String l : diff.changes()) {
                        out.println("  " + l);
                    }
                    out.println("run 'kiln lock " + spec + "' to update it");
                } else {
                    out.println(lockFile + " is up to date");
                }
                return diff.stale() ? Main.CHECK_FAILED : 0;
            }
            LockResult lock = kiln.lock(request.withMode(offline ? LockMode.OFFLINE : LockMode.ONLINE));
            if (lines != null) {
                lines.result(g -> JsonResults.lock(g, lock));
                return 0;
            }
            StringBuilder counts = new StringBuilder();
            for (Map.Entry<String, List<LockResult.Package>> e : lock.packages().entrySet()) {
                if (counts.length() > 0) {
                    counts.append(", ");
                }
                long bytes = e.getValue().stream().mapToLong(LockResult.Package::size).sum();
                counts.append(e.getKey()).append(": ").append(e.getValue().size()).append(" packages, ")
                        .append(String.format("%.1f MB", bytes / 1e6));
            }
            if (!lock.copies().isEmpty()) {
                counts.append("; ").append(lock.copies().size()).append(lock.copies().size() == 1 ? " local source" : " local sources");
            }
            for (LockResult.Change c : lock.changes()) {
                out.println("  " + (c.from() == null ? "+ " : c.to() == null ? "- " : "~ ") + c.architecture() + " " + c.name() + " "
                        + (c.from() == null ? c.to() : c.to() == null ? c.from() : c.from() + " -> " + c.to())
                        + (c.reason() == null ? "" : " (" + c.reason() + ")"));
            }
            String kept = !lock.replaced() ? "" : lock.changes().isEmpty() ? "; every pin kept" : "; " + lock.changes().size()
                    + (lock.changes().size() == 1 ? " package moved" : " packages moved") + ", every other pin kept";
            out.println("wrote " + lockFile + " (" + counts + kept + ")");
            return 0;
        }
    }
}
