package dev.kiln.store;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Deletes every blob that no root reaches. The roots are the files registered with
 * {@link ContentStore#addRoot} that still exist (a vanished one is dropped and reported) plus the
 * {@code keep} files given to {@link #gc}; a {@link RootReader} says what each refers to.
 *
 * <p>Memo records do not keep their blobs: a record whose blob gc deleted is deleted too, so after a
 * gc the next run recomputes what no root still reaches (it is cold, not wrong). The reader says
 * which memo blobs a root keeps (a lock's parsed indexes, what builds from it used); with
 * {@link Memos#DROP_ALL} gc keeps only the roots' own blobs and deletes every memo record. Staged
 * files left in {@code tmp/} by killed processes are deleted: gc holds the store exclusively, so
 * nothing is being written. State records (rollback floors) are always kept. A recipe build's log
 * goes with its build's memo record; each recipe's {@code last.log} is kept.
 */
public final class StoreGc {
    /** How long gc waits for other processes to stop using the store. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(1);

    private final ContentStore store;
    private final RootReader reader;
    private final Duration lockTimeout;
    private final Consumer<String> progress;
    private final boolean dryRun;
    private final Memos memos;

    /** What gc does with memo records. */
    public enum Memos {
        /** Keeps every record whose blob survives, and the memo blobs the reader says a root keeps. */
        KEEP_REACHED,
        /** Deletes every memo record and keeps only the roots' own blobs ({@link RootReader#ownReferences}). */
        DROP_ALL
    }

    public StoreGc(ContentStore store) {
        this(store, RootReader.scanning(), DEFAULT_LOCK_TIMEOUT, message -> { }, false, Memos.KEEP_REACHED);
    }

    private StoreGc(ContentStore store, RootReader reader, Duration lockTimeout, Consumer<String> progress, boolean dryRun,
            Memos memos) {
        this.store = Objects.requireNonNull(store, "store");
        this.reader = Objects.requireNonNull(reader, "reader");
        this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
        this.progress = Objects.requireNonNull(progress, "progress");
        this.dryRun = dryRun;
        this.memos = Objects.requireNonNull(memos, "memos");
    }

    public StoreGc withRootReader(RootReader reader) {
        return new StoreGc(store, reader, lockTimeout, progress, dryRun, memos);
    }

    public StoreGc withLockTimeout(Duration lockTimeout) {
        return new StoreGc(store, reader, lockTimeout, progress, dryRun, memos);
    }

    /** Hears why gc waits for the lock. */
    public StoreGc withProgress(Consumer<String> progress) {
        return new StoreGc(store, reader, lockTimeout, progress, dryRun, memos);
    }

    /** Counts what gc would delete and deletes nothing (and needs only the shared lock). */
    public StoreGc withDryRun(boolean dryRun) {
        return new StoreGc(store, reader, lockTimeout, progress, dryRun, memos);
    }

    /** Keeps what roots reach through memos (the default), or drops every memo. */
    public StoreGc withMemos(Memos memos) {
        return new StoreGc(store, reader, lockTimeout, progress, dryRun, memos);
    }

    /**
     * What gc did (or, in a dry run, would do). {@code droppedRoots} are registered roots whose file is
     * gone, and malformed root records (named by their record path); {@code tmp*} are staged files
     * abandoned by killed processes.
     */
    public record Result(Path store, List<Path> roots, List<Path> droppedRoots, int reachable,
                         long blobsKept, long bytesKept, long blobsDeleted, long bytesFreed,
                         long memoRecordsDeleted, long tmpFilesDeleted, long tmpBytesFreed, long logsDeleted, boolean dryRun) {
        public Result {
            roots = List.copyOf(roots);
            droppedRoots = List.copyOf(droppedRoots);
        }

        /** Blob and staging bytes freed together. */
        public long freed() {
            return bytesFreed + tmpBytesFreed;
        }

        public List<String> render() {
            String verb = dryRun ? "would delete" : "deleted";
            List<String> out = new ArrayList<>();
            for (Path r : droppedRoots) {
                out.add((dryRun ? "would drop" : "dropped") + " root " + r + " (gone)");
            }
            out.add(String.format(Locale.ROOT, "%d root%s, %d blob%s kept (%s)", roots.size(), roots.size() == 1 ? "" : "s",
                    blobsKept, blobsKept == 1 ? "" : "s", StoreInventory.humanSize(bytesKept)));
            out.add(String.format(Locale.ROOT, "%s %d blob%s (%s), %d memo record%s, %d staged file%s (%s): %s freed",
                    verb, blobsDeleted, blobsDeleted == 1 ? "" : "s", StoreInventory.humanSize(bytesFreed),
                    memoRecordsDeleted, memoRecordsDeleted == 1 ? "" : "s",
                    tmpFilesDeleted, tmpFilesDeleted == 1 ? "" : "s", StoreInventory.humanSize(tmpBytesFreed),
                    StoreInventory.humanSize(freed())));
            if (logsDeleted > 0) {
                out.add(String.format(Locale.ROOT, "%s %d log%s of recipe builds no longer in the store", verb, logsDeleted,
                        logsDeleted == 1 ? "" : "s"));
            }
            return out;
        }
    }

    /** Collects garbage, keeping what the registered roots and the {@code keep} files reach. */
    public Result gc(List<Path> keep) {
        Objects.requireNonNull(keep, "keep");
        List<Path> missing = keep.stream().filter(p -> !Files.exists(p)).toList();
        if (!missing.isEmpty()) {
            throw new StoreException("cannot keep what " + missing + " refer" + (missing.size() == 1 ? "s" : "")
                    + " to: no such file\n  expected: existing lockfiles or image layouts; gc deleted nothing");
        }
        if (dryRun) {
            return run(keep);
        }
        ContentStore.Exclusive held = store.exclusive(lockTimeout, progress);
        try {
            return run(keep);
        } finally {
            held.close();
        }
    }

    /** What {@link #dropCaches} freed (or would free). */
    public record CachesDropped(long files, long bytes, boolean dryRun) {
        public String render() {
            return String.format(Locale.ROOT, "%s the caches: %d file%s (%s)", dryRun ? "would drop" : "dropped", files,
                    files == 1 ? "" : "s", StoreInventory.humanSize(bytes));
        }
    }

    /**
     * Deletes every cache mount's directory ({@link ContentStore#cachesDir}), under the exclusive
     * lock (no build is running); the next builds start with empty caches.
     */
    public CachesDropped dropCaches() {
        Path dir = store.cachesDir();
        long files = 0;
        long bytes = 0;
        if (dryRun) {
            for (Path f : walk(dir)) {
                files++;
                bytes += StoreInventory.size(f);
            }
            return new CachesDropped(files, bytes, true);
        }
        ContentStore.Exclusive held = store.exclusive(lockTimeout, progress);
        try {
            for (Path f : walk(dir)) {
                files++;
                bytes += StoreInventory.size(f);
            }
            ExitCleanup.discard(dir);
            return new CachesDropped(files, bytes, false);
        } catch (java.io.IOException e) {
            throw new StoreException("cannot drop the caches in " + dir + ": " + IoErrors.why(e)
                    + "\n  fix: check the store's permissions, then run gc again");
        } finally {
            held.close();
        }
    }

    private Result run(List<Path> keep) {
        // read every root before deleting anything: a root that cannot be read stops gc
        List<Path> live = new ArrayList<>();
        List<Path> dropped = new ArrayList<>();
        List<Path> droppedRecords = new ArrayList<>();
        Set<Digest> reachable = new HashSet<>();
        for (ContentStore.RootRecord r : store.rootRecords()) {
            if (r.file().isEmpty()) {
                dropped.add(r.record());
                droppedRecords.add(r.record());
            } else if (!Files.exists(r.file().get())) {
                dropped.add(r.file().get());
                droppedRecords.add(r.record());
            } else {
                live.add(r.file().get());
                reachable.addAll(reach(r.file().get()));
            }
        }
        for (Path k : keep) {
            reachable.addAll(reach(k));
        }

        long kept = 0;
        long bytesKept = 0;
        long deleted = 0;
        long freed = 0;
        Set<Digest> gone = new HashSet<>();
        for (Path blob : StoreVerifier.list(store.blobsDir())) {
            String name = blob.getFileName().toString();
            if (!StoreVerifier.isHex64(name) || !Files.isRegularFile(blob)) {
                continue; // not a blob: verify reports it
            }
            Digest d = new Digest(name);
            long size = size(blob);
            if (reachable.contains(d)) {
                kept++;
                bytesKept += size;
            } else {
                delete(blob);
                gone.add(d);
                deleted++;
                freed += size;
            }
        }

        long memoDeleted = 0;
        Set<Path> recordsDeleted = new HashSet<>();
        for (Path stepDir : StoreVerifier.list(store.memoDir())) {
            if (!Files.isDirectory(stepDir)) {
                continue;
            }
            for (Path record : StoreVerifier.list(stepDir)) {
                if (Files.isRegularFile(record) && (memos == Memos.DROP_ALL || !memoTargetSurvives(record, gone))) {
                    delete(record);
                    recordsDeleted.add(record);
                    memoDeleted++;
                }
            }
        }

        // a recipe build's log (logs/RECIPE/KEY.log) lives while its build's record does; each
        // recipe's last.log, the last build's (failed ones have no record), is kept
        long logsDeleted = 0;
        Path builds = store.memoDir().resolve(MemoStep.RECIPE_BUILD.id());
        for (Path recipeDir : StoreVerifier.list(store.logsDir())) {
            for (Path log : StoreVerifier.list(recipeDir)) {
                String name = log.getFileName().toString();
                if (!name.endsWith(".log") || !StoreVerifier.isHex64(name.substring(0, name.length() - 4))) {
                    continue; // last.log, or not a build's log
                }
                Path record = builds.resolve(name.substring(0, name.length() - 4));
                if (!Files.isRegularFile(record) || recordsDeleted.contains(record)) {
                    delete(log);
                    logsDeleted++;
                }
            }
        }

        // a published directory lives and dies with its blob (ContentStore.directory)
        for (Path dir : StoreVerifier.list(store.dirsDir())) {
            String name = dir.getFileName().toString();
            if (!StoreVerifier.isHex64(name) || gone.contains(new Digest(name)) || !store.contains(new Digest(name))) {
                freed += treeBytes(dir); // counted with the blobs' bytes: the directory is its blob's
                delete(dir);
            }
        }

        for (Path record : droppedRecords) {
            delete(record);
        }

        long tmpFiles = 0;
        long tmpBytes = 0;
        for (Path staged : StoreVerifier.list(store.tmpDir())) {
            if (Files.isRegularFile(staged)) {
                tmpBytes += size(staged);
                tmpFiles++;
                delete(staged);
            } else if (Files.isDirectory(staged, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                tmpBytes += treeBytes(staged); // a directory a killed process was filling
                tmpFiles++;
                delete(staged);
            }
        }
        return new Result(store.root(), live, dropped, reachable.size(), kept, bytesKept, deleted, freed,
                memoDeleted, tmpFiles, tmpBytes, logsDeleted, dryRun);
    }

    private Set<Digest> reach(Path root) {
        return memos == Memos.DROP_ALL ? reader.ownReferences(root) : reader.references(root);
    }

    private boolean memoTargetSurvives(Path record, Set<Digest> gone) {
        try {
            Digest target = Digest.parse(Files.readString(record, StandardCharsets.US_ASCII).trim());
            return !gone.contains(target) && store.contains(target);
        } catch (NoSuchFileException e) {
            return true; // already gone
        } catch (IOException | IllegalArgumentException e) {
            return false; // a malformed record is a cache miss forever: drop it
        }
    }

    /** Deletes a file, or a directory and all it holds (read-only parts too). */
    private void delete(Path p) {
        if (dryRun) {
            return;
        }
        try {
            ExitCleanup.discard(p);
        } catch (IOException e) {
            throw new StoreException("cannot delete " + p + " from the store: " + IoErrors.why(e)
                    + "\n  fix: check the permissions of " + store.root(), e);
        }
    }

    private static long treeBytes(Path dir) {
        long bytes = 0;
        for (Path f : walk(dir)) {
            bytes += size(f);
        }
        return bytes;
    }

    private static long size(Path p) {
        try {
            return Files.size(p);
        } catch (IOException e) {
            return 0;
        }
    }

    static List<Path> walk(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(Files::isRegularFile).sorted().toList();
        } catch (IOException e) {
            throw new StoreException("cannot list " + dir + ": " + IoErrors.why(e), e);
        }
    }
}
