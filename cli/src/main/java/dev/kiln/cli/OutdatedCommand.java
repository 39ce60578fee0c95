package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import dev.kiln.api.OutdatedRequest;
import dev.kiln.api.OutdatedResult;
import dev.kiln.api.Spec;
import java.io.PrintWriter;
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

@Command(name = "outdated", mixinStandardHelpOptions = true,
        description = {
            "Report newer versions of locked packages, and the security updates.",
            "%nEach locked package with a newer version in the spec's signed repositories is reported."
                    + " Each SPEC-or-LOCK is a spec (its lock is SPEC.lock.json beside it) or a lock (*.json; its spec is where the"
                    + " lock says). For each update: the architectures, the locked and the new version, the suite that"
                    + " offers it, whether it is a security update, and the CVE ids and urgency of the new package's"
                    + " changelog entries since the locked version. Nothing newer means nothing newer is published,"
                    + " not that no flaw is known.",
            "%nExit codes: 0 nothing matches --fail-on, 1 something does, 2 wrong usage, 3 an error."})
final class OutdatedCommand implements Callable<Integer> {
    /** What makes the command exit 1. */
    enum FailOn {
        SECURITY, ANY, NEVER;

        boolean failsOn(OutdatedResult r) {
            return switch (this) {
                case SECURITY -> r.security();
                case ANY -> !r.updates().isEmpty();
                case NEVER -> false;
            };
        }

        String word() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** {@code security}, {@code any} or {@code never}, as written. */
    static final class FailOnConverter implements CommandLine.ITypeConverter<FailOn> {
        @Override
        public FailOn convert(String value) {
            for (FailOn f : FailOn.values()) {
                if (f.word().equals(value)) {
                    return f;
                }
            }
            throw new CommandLine.TypeConversionException("expected security, any or never, found '" + value + "'");
        }
    }

    @Parameters(paramLabel = "SPEC-or-LOCK", arity = "1..*", description = "Image specs (YAML) or their locks (*.json).")
    List<Path> inputs;

    @Option(names = "--fail-on", paramLabel = "security|any|never", converter = FailOnConverter.class, defaultValue = "security",
            description = "Exit 1 when there is a security update (default), any update, or never.")
    FailOn failOn;

    @Option(names = "--offline", description = "Use the newest Releases and indexes this store has verified, and the"
            + " changelogs it holds; download nothing.")
    boolean offline;

    @Mixin
    StoreOption store;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        for (Path p : inputs) {
            if (!Files.isRegularFile(p)) {
                throw new ParameterException(commandSpec.commandLine(), "no such file: '" + p + "' (expected a spec or a lock)");
            }
        }
        PrintWriter out = commandSpec.commandLine().getOut();
        JsonLines lines = json.lines(out);
        List<OutdatedResult> results = new ArrayList<>();
        try (Kiln kiln = KilnSetup.builder(store.store, null, false, commandSpec.commandLine().getErr(), lines).open()) {
            for (Path p : inputs) {
                OutdatedRequest request = p.getFileName().toString().endsWith(".json")
                        ? OutdatedRequest.ofLock(p) : OutdatedRequest.of(Spec.load(p));
                OutdatedResult r = kiln.outdated(request.withMode(offline ? LockMode.OFFLINE : LockMode.ONLINE));
                results.add(r);
                if (lines != null) {
                    for (OutdatedResult.Update u : r.updates()) {
                        lines.event("update", g -> JsonResults.update(g, r, u));
                    }
                } else {
                    print(out, r);
                }
            }
        }
        boolean failed = results.stream().anyMatch(failOn::failsOn);
        if (lines != null) {
            lines.result(g -> JsonResults.outdated(g, results, failOn.word(), failed));
        }
        return failed ? Main.CHECK_FAILED : 0;
    }

    private static void print(PrintWriter out, OutdatedResult r) {
        long security = r.updates().stream().filter(OutdatedResult.Update::security).count();
        if (r.updates().isEmpty()) {
            out.println(r.lockFile() + ": nothing newer in the repositories of " + r.specFile()
                    + " (a fix not yet published is in none)");
        } else {
            out.println(r.lockFile() + ": " + r.updates().size() + (r.updates().size() == 1 ? " update" : " updates")
                    + ", " + security + " security, from the repositories of " + r.specFile());
        }
        for (OutdatedResult.Update u : r.updates()) {
            StringBuilder line = new StringBuilder(u.security() ? "  security " : "  update   ");
            line.append(u.name()).append(' ').append(u.lockedVersion()).append(" -> ").append(u.newVersion())
                    .append(" (").append(String.join(", ", u.architectures())).append(") from ").append(u.suite());
            u.urgency().ifPresent(x -> line.append("; urgency ").append(x));
            if (!u.cves().isEmpty()) {
                line.append("; ").append(String.join(" ", u.cves()));
            }
            switch (u.changelog()) {
                case MISSING -> line.append("; no changelog");
                case OFFLINE -> line.append("; changelog not in the store (offline)");
                case UNREADABLE -> line.append("; changelog unreadable");
                default -> { }
            }
            out.println(line);
        }
        for (String n : r.notes()) {
            out.println("  note: " + n);
        }
    }
}
