package dev.kiln.store;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.stream.Stream;

/**
 * Checks the store: rehashes every blob (in parallel, streaming) against its name, and checks that
 * memo, state and root records are well formed and that memo records point at blobs the store has.
 * With repair, removes what is wrong; that needs the store to itself, so it takes the exclusive lock.
 */
public final class StoreVerifier {
    /** How long a repair waits for other processes to stop using the store. */
    public static final Duration DEFAULT_LOCK_TIMEOUT = Duration.ofMinutes(1);

    private static final int BUFFER = 1 << 20;

    private final ContentStore store;
    private final int threads;
    private final Duration lockTimeout;
    private final Consumer<String> progress;

    public StoreVerifier(ContentStore store) {
        this(store, Runtime.getRuntime().availableProcessors(), DEFAULT_LOCK_TIMEOUT, message -> { });
    }

    private StoreVerifier(ContentStore store, int threads, Duration lockTimeout, Consumer<String> progress) {
        this.store = Objects.requireNonNull(store, "store");
        this.threads = threads;
        this.lockTimeout = Objects.requireNonNull(lockTimeout, "lockTimeout");
        this.progress = Objects.requireNonNull(progress, "progress");
    }

    /** How many blobs are hashed at once (default: the available cores). */
    public StoreVerifier withThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be at least 1, found " + threads);
        }
        return new StoreVerifier(store, threads, lockTimeout, progress);
    }

    public StoreVerifier withLockTimeout(Duration lockTimeout) {
        return new StoreVerifier(store, threads, lockTimeout, progress);
    }

    /** Hears why a repair waits for the lock. */
    public StoreVerifier withProgress(Consumer<String> progress) {
        return new StoreVerifier(store, threads, lockTimeout, progress);
    }

    /** What is wrong with one file. */
    public enum Kind {
        /** A blob whose bytes do not hash to its name (flipped bits, truncation). */
        CORRUPT_BLOB("corrupt blob"),
        /** A file or folder where the layout has none (a name that is not a digest, a folder in blobs/). */
        STRAY_FILE("stray file"),
        /** A memo, state or root record that cannot be read as one. */
        MALFORMED_RECORD("malformed record"),
        /** A memo record naming a blob the store does not have: a cache miss, harmless but dead. */
        DANGLING_MEMO("dangling memo");

        private final String label;

        Kind(String label) {
            this.label = label;
        }

        public String label() {
            return label;
        }
    }

    /** One finding; {@code removed} when repair deleted the file. */
    public record Problem(Kind kind, Path path, String detail, boolean removed) {
    }

    /** What verify saw: blobs and bytes hashed, and every problem, in path order within each area. */
    public record Report(Path store, long blobs, long bytes, List<Problem> problems, boolean repaired) {
        public Report {
            problems = List.copyOf(problems);
        }

        public boolean clean() {
            return problems.isEmpty();
        }

        /** Problems that are still there (all of them without repair). */
        public List<Problem> remaining() {
            return problems.stream().filter(p -> !p.removed()).toList();
        }

        public List<String> render() {
            List<String> out = new ArrayList<>();
            out.add(String.format(Locale.ROOT, "verified %d blobs (%s) in %s: %s", blobs, StoreInventory.humanSize(bytes),
                    store, problems.isEmpty() ? "all good" : problems.size() + " problem" + (problems.size() == 1 ? "" : "s")));
            for (Problem p : problems) {
                out.add(String.format(Locale.ROOT, "  %-16s %s: %s%s", p.kind().label(), store.relativize(p.path()),
                        p.detail(), p.removed() ? " (removed)" : ""));
            }
            if (!repaired && !problems.isEmpty()) {
                out.add("  fix: repairing the store removes them; kiln fetches or recomputes what it needs again");
            }
            return out;
        }
    }

    /** Verifies the store; with {@code repair}, holds it exclusively and removes what is wrong. */
    public Report verify(boolean repair) {
        if (repair) {
            ContentStore.Exclusive held = store.exclusive(lockTimeout, progress);
            try {
                return run(true);
            } finally {
                held.close();
            }
        }
        return run(false);
    }

    private Report run(boolean repair) {
        List<Problem> problems = new ArrayList<>();
        Set<Digest> good = new HashSet<>();
        long[] totals = checkBlobs(repair, problems, good);
        checkMemo(repair, problems, good);
        checkState(repair, problems);
        checkRoots(repair, problems);
        return new Report(store.root(), totals[0], totals[1], problems, repair);
    }

    private record Hashed(Path file, long size, Digest actual, IOException error) {
    }

    private long[] checkBlobs(boolean repair, List<Problem> problems, Set<Digest> good) {
        List<Path> files = new ArrayList<>();
        for (Path p : list(store.blobsDir())) {
            if (Files.isRegularFile(p) && isHex64(p.getFileName().toString())) {
                files.add(p);
            } else {
                problems.add(stray(p, Files.isDirectory(p) ? "a folder among the blobs" : "not named by a sha256", repair));
            }
        }
        AtomicInteger n = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(threads, Math.max(1, files.size())), r -> {
            Thread t = new Thread(r, "kiln-verify-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
        long blobs = 0;
        long bytes = 0;
        try {
            List<Future<Hashed>> results = new ArrayList<>(files.size());
            for (Path f : files) {
                results.add(pool.submit(() -> hash(f)));
            }
            for (Future<Hashed> r : results) {
                Hashed h = r.get();
                if (h == null) {
                    continue; // gone since the listing: nothing to verify
                }
                Digest named = new Digest(h.file().getFileName().toString());
                if (h.error() != null) {
                    problems.add(new Problem(Kind.CORRUPT_BLOB, h.file(), "unreadable: " + h.error().getMessage(),
                            repair && delete(h.file())));
                    continue;
                }
                blobs++;
                bytes += h.size();
                if (named.equals(h.actual())) {
                    good.add(named);
                } else {
                    problems.add(new Problem(Kind.CORRUPT_BLOB, h.file(), "expected " + named + ", found " + h.actual()
                            + " (" + h.size() + " bytes)", repair && delete(h.file())));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StoreException("interrupted while verifying the store at " + store.root(), e);
        } catch (ExecutionException e) {
            throw new StoreException("cannot verify the store at " + store.root() + ": " + e.getCause(), e.getCause());
        } finally {
            pool.shutdownNow();
        }
        return new long[] {blobs, bytes};
    }

    private static final ThreadLocal<byte[]> BUFFERS = ThreadLocal.withInitial(() -> new byte[BUFFER]);

    private static Hashed hash(Path file) {
        MessageDigest md = Digest.newSha256();
        byte[] buf = BUFFERS.get();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int r; (r = in.read(buf)) > 0; ) {
                md.update(buf, 0, r);
                size += r;
            }
        } catch (NoSuchFileException e) {
            return null;
        } catch (IOException e) {
            return new Hashed(file, size, null, e);
        }
        return new Hashed(file, size, Digest.fromRaw(md.digest()), null);
    }

    private void checkMemo(boolean repair, List<Problem> problems, Set<Digest> good) {
        for (Path stepDir : list(store.memoDir())) {
            String step = stepDir.getFileName().toString();
            if (!Files.isDirectory(stepDir) || !step.matches("[a-z0-9][a-z0-9.-]*")) {
                problems.add(stray(stepDir, "not a memo step folder", repair));
                continue;
            }
            for (Path record : list(stepDir)) {
                if (!Files.isRegularFile(record) || !isHex64(record.getFileName().toString())) {
                    problems.add(stray(record, "not a memo record named by a sha256", repair));
                    continue;
                }
                String text;
                try {
                    text = Files.readString(record, StandardCharsets.US_ASCII).trim();
                } catch (IOException e) {
                    problems.add(malformed(record, "unreadable: " + IoErrors.why(e), repair));
                    continue;
                }
                Digest target;
                try {
                    target = Digest.parse(text);
                } catch (IllegalArgumentException e) {
                    problems.add(malformed(record, "holds '" + ContentStore.abbreviate(text) + "', not a digest", repair));
                    continue;
                }
                if (!good.contains(target)) {
                    problems.add(new Problem(Kind.DANGLING_MEMO, record, "points at " + target
                            + (store.contains(target) ? ", which is corrupt" : ", which the store does not have"),
                            repair && delete(record)));
                }
            }
        }
    }

    private void checkState(boolean repair, List<Problem> problems) {
        for (Path kindDir : list(store.stateDir())) {
            if (!Files.isDirectory(kindDir) || !kindDir.getFileName().toString().matches("[a-z0-9][a-z0-9.-]*")) {
                problems.add(stray(kindDir, "not a state kind folder", repair));
                continue;
            }
            for (Path record : list(kindDir)) {
                if (!Files.isRegularFile(record) || !isHex64(record.getFileName().toString())) {
                    problems.add(stray(record, "not a state record named by a sha256", repair));
                    continue;
                }
                try {
                    StandardCharsets.UTF_8.newDecoder()
                            .onMalformedInput(CodingErrorAction.REPORT)
                            .onUnmappableCharacter(CodingErrorAction.REPORT)
                            .decode(ByteBuffer.wrap(Files.readAllBytes(record)));
                } catch (CharacterCodingException e) {
                    problems.add(malformed(record, "not UTF-8 text", repair));
                } catch (IOException e) {
                    problems.add(malformed(record, "unreadable: " + IoErrors.why(e), repair));
                }
            }
        }
    }

    private void checkRoots(boolean repair, List<Problem> problems) {
        for (ContentStore.RootRecord r : store.rootRecords()) {
            if (r.problem() != null) {
                problems.add(malformed(r.record(), r.problem(), repair));
            }
        }
    }

    private Problem stray(Path p, String detail, boolean repair) {
        // only files are removed: a folder where none belongs is left for a person to look at
        return new Problem(Kind.STRAY_FILE, p, detail, repair && Files.isRegularFile(p) && delete(p));
    }

    private Problem malformed(Path p, String detail, boolean repair) {
        return new Problem(Kind.MALFORMED_RECORD, p, detail, repair && delete(p));
    }

    private boolean delete(Path p) {
        try {
            Files.deleteIfExists(p);
            return true;
        } catch (IOException e) {
            throw new StoreException("cannot remove " + p + " from the store: " + IoErrors.why(e), e);
        }
    }

    static List<Path> list(Path dir) {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.sorted().toList();
        } catch (IOException e) {
            throw new StoreException("cannot list " + dir + ": " + IoErrors.why(e), e);
        }
    }

    static boolean isHex64(String s) {
        return s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    }
}
