package dev.kiln.cli;

import dev.kiln.api.FetchEvent;
import dev.kiln.api.FetchRequest;
import dev.kiln.api.FetchResult;
import dev.kiln.api.Kiln;
import dev.kiln.api.LockMode;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "fetch", mixinStandardHelpOptions = true, description = {
    "Put every package a lockfile pins into the store, verified.",
    "%nEvery architecture's packages are fetched and checked against the sizes and sha256 digests in the"
            + " lock. Packages already in the store are not fetched again; with everything present no request is made."})
final class FetchCommand implements Callable<Integer> {
    @Parameters(paramLabel = "LOCK", description = "The lockfile (SPEC.lock.json).")
    Path lock;

    @Option(names = "--offline", description = "Never touch the network; fail naming exactly what is missing.")
    boolean offline;

    @Option(names = {"-q", "--quiet"}, description = "Print nothing but errors.")
    boolean quiet;

    @Mixin
    JsonOption json;

    @Mixin
    StoreOption store;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var out = spec.commandLine().getOut();
        Timing.mark("cli parsed");
        JsonLines lines = json.lines(out);
        FetchProgress.Mode mode = quiet || lines != null ? FetchProgress.Mode.QUIET
                : System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"))
                ? FetchProgress.Mode.LIVE : FetchProgress.Mode.PLAIN;
        FetchProgress progress = FetchProgress.of(mode, out);
        try (Kiln kiln = KilnSetup.builder(store.store, null, quiet, spec.commandLine().getErr(), lines)
                .addEventHandler(FetchEvent.class, progress).open()) {
            Timing.mark("kiln open");
            FetchResult r;
            try (progress) {
                r = kiln.fetch(FetchRequest.of(lock).withMode(offline ? LockMode.OFFLINE : LockMode.ONLINE));
            }
            Timing.mark("fetched");
            if (lines != null) {
                if (!quiet) {
                    // the summary event --json gave before it had a result line, kept for those who read it
                    lines.event("done", g -> {
                        g.writeNumberField("fetched", r.fetched());
                        g.writeNumberField("bytesFetched", r.bytesFetched());
                        g.writeNumberField("present", r.alreadyPresent());
                        g.writeNumberField("seconds", r.elapsed().toMillis() / 1000.0);
                    });
                }
                lines.result(g -> JsonResults.fetch(g, r));
            } else if (!quiet) {
                double secs = Math.max(r.elapsed().toMillis(), 1) / 1000.0;
                out.println(String.format(Locale.ROOT, "%d packages in the store: %d fetched (%s in %.2f s, %.0f MB/s), %d already there",
                        r.total(), r.fetched(), FetchProgress.mb(r.bytesFetched()), secs, r.bytesFetched() / 1e6 / secs,
                        r.alreadyPresent()));
            }
            return 0;
        }
    }
}
