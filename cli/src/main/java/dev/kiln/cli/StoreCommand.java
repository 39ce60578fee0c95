package dev.kiln.cli;

import dev.kiln.api.SystemDefaults;
import dev.kiln.assembler.cache.BuildRoots;
import dev.kiln.store.ContentStore;
import dev.kiln.store.StoreGc;
import dev.kiln.store.StoreInventory;
import dev.kiln.store.StoreVerifier;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "store", mixinStandardHelpOptions = true, description = "Look after the content-addressed store.",
        subcommands = {StoreCommand.Verify.class, StoreCommand.Gc.class, StoreCommand.Ls.class, StoreCommand.Du.class,
            StoreCommand.Push.class})
final class StoreCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a store command: verify, gc, ls or du");
    }

    /** The store to inspect: it must exist (a typo in --store would otherwise make and report an empty one). */
    static ContentStore open(StoreOption option, java.io.PrintWriter err) {
        java.nio.file.Path root = option.store != null ? option.store : SystemDefaults.store();
        if (!java.nio.file.Files.isRegularFile(root.resolve("kiln-store"))) {
            throw new dev.kiln.store.StoreException("no kiln store at " + root
                    + (java.nio.file.Files.exists(root) ? " (it holds no kiln-store file)" : " (nothing there)")
                    + "\n  expected: a store that kiln lock, fetch or build made there"
                    + "\n  fix: check --store and KILN_STORE");
        }
        return ContentStore.open(root, ContentStore.DEFAULT_LOCK_TIMEOUT, (String waiting) -> err.println("kiln: " + waiting));
    }

    @Command(name = "verify", mixinStandardHelpOptions = true, description = {"Rehash every blob and check every record.",
        "%nExit 1 if anything is corrupt. With --repair, remove what is corrupt (it is fetched or rebuilt again"
                + " when needed)."})
    static final class Verify implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = "--repair", description = "Remove corrupt blobs and broken records.")
        boolean repair;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ContentStore s = open(store, spec.commandLine().getErr())) {
                StoreVerifier.Report r = new StoreVerifier(s).verify(repair);
                r.render().forEach(spec.commandLine().getOut()::println);
                return r.remaining().isEmpty() ? 0 : Main.CHECK_FAILED;
            }
        }
    }

    @Command(name = "gc", mixinStandardHelpOptions = true, description = {"Delete every blob that no root reaches and say what was freed.",
        "%nThe roots are the lockfiles registered by 'kiln lock', 'kiln fetch' and 'kiln build', and the --keep files."
                + " A root keeps its packages, Releases and indexes, and what builds from it unpacked and wrote"
                + " (their memo records), so that building it again stays warm."})
    static final class Gc implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Option(names = "--keep", paramLabel = "FILE", description = "A further root (a lockfile); repeatable.")
        List<Path> keep = new ArrayList<>();

        @Option(names = "--dry-run", description = "Only count what would be freed.")
        boolean dryRun;

        @Option(names = "--drop-memos", description = "Delete every memo record (unpacked packages, layers, parsed indexes,"
                + " solves) and keep only the roots' own blobs; the next lock and build are cold.")
        boolean dropMemos;

        @Option(names = "--caches", description = "Also delete every recipe cache mount (STORE/caches/); gc keeps them otherwise.")
        boolean caches;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ContentStore s = open(store, spec.commandLine().getErr())) {
                StoreGc.Result r = new StoreGc(s).withRootReader(new BuildRoots(s)).withDryRun(dryRun)
                        .withMemos(dropMemos ? StoreGc.Memos.DROP_ALL : StoreGc.Memos.KEEP_REACHED)
                        .withProgress(spec.commandLine().getErr()::println).gc(keep);
                r.render().forEach(spec.commandLine().getOut()::println);
                if (caches) {
                    spec.commandLine().getOut().println(new StoreGc(s).withDryRun(dryRun)
                            .withProgress(spec.commandLine().getErr()::println).dropCaches().render());
                }
                return 0;
            }
        }
    }

    @Command(name = "ls", mixinStandardHelpOptions = true, description = {"List the blobs with their size and what refers to them.",
        "%nFor each blob: its digest, its size, and the roots and memo steps that refer to it."})
    static final class Ls implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ContentStore s = open(store, spec.commandLine().getErr())) {
                StoreInventory.render(new StoreInventory(s).withRootReader(new BuildRoots(s)).blobs()).forEach(spec.commandLine().getOut()::println);
                return 0;
            }
        }
    }

    @Command(name = "du", mixinStandardHelpOptions = true, description = "Show how much each area of the store holds.")
    static final class Du implements Callable<Integer> {
        @Mixin
        StoreOption store;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            try (ContentStore s = open(store, spec.commandLine().getErr())) {
                new StoreInventory(s).usage().render().forEach(spec.commandLine().getOut()::println);
                return 0;
            }
        }
    }

    @Command(name = "push", mixinStandardHelpOptions = true, description = {"Publish what the store holds for image locks to a shared cache.",
        "%nFor each LOCK: its packages' blobs, unpacked copies and control files, and the layers the newest build from it"
            + " recorded, each entry signed with --cache-key; blobs the registry has are not sent again."})
    static final class Push implements Callable<Integer> {
        @picocli.CommandLine.Parameters(paramLabel = "LOCK", arity = "1..*", description = "An image's lock file (NAME.lock.json).")
        List<java.nio.file.Path> locks;

        @picocli.CommandLine.Option(names = "--cache", paramLabel = "HOST[:PORT]/REPO",
                description = "The registry repository shared as a store (default: $KILN_CACHE).")
        String cache;

        @picocli.CommandLine.Option(names = "--cache-key", paramLabel = "KEY", required = true,
                description = "The private key (kiln keys generate) the entries are signed with.")
        java.nio.file.Path key;

        @Mixin
        StoreOption store;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            String repository = cache != null ? cache : System.getenv(CacheOption.CACHE_ENV);
            if (repository == null || repository.isBlank()) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name the cache with --cache HOST[:PORT]/REPO (or KILN_CACHE)");
            }
            var err = spec.commandLine().getErr();
            dev.kiln.api.Kiln.Builder b = KilnSetup.builder(store.store, null, true, err, null)
                    .cache(dev.kiln.api.SharedCache.of(repository).pushingWith(key));
            try (dev.kiln.api.Kiln kiln = b.open()) {
                dev.kiln.api.CachePushResult r = kiln.pushToCache(locks);
                spec.commandLine().getOut().println("sent " + r.entries() + " entries and " + r.blobs() + " blobs (" + r.bytes()
                        + " bytes) for " + r.locks() + (r.locks() == 1 ? " lock" : " locks") + " to " + repository);
                return 0;
            }
        }
    }
}
