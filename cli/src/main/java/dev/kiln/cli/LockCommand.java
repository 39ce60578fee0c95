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
                    + " written to SPEC.lock.json beside the spec unless -o is given."})
final class LockCommand implements Callable<Integer> {
    @Parameters(paramLabel = "SPEC", description = "The image spec (YAML).")
    Path spec;

    @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Where to write the lock.")
    Path output;

    @Option(names = "--check", description = "Do not write; re-resolve and exit 1 with a diff when the lock is stale"
            + " or the repositories now have newer versions.")
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
        Path lockFile = output != null ? output : LockRequest.besideSpec(spec);
        Timing.mark("cli parsed");
        var out = commandSpec.commandLine().getOut();
        JsonLines lines = json.lines(out);
        try (Kiln kiln = KilnSetup.builder(store.store, context.context, false, commandSpec.commandLine().getErr(), lines).open()) {
            Timing.mark("kiln open");
            LockRequest request = LockRequest.of(Spec.load(spec)).withLockFile(lockFile);
            if (check) {
                LockCheckResult diff = kiln.checkLock(request);
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
            out.println("wrote " + lockFile + " (" + counts + ")");
            return 0;
        }
    }
}
