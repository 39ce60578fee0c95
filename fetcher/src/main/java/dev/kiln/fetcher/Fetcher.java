package dev.kiln.fetcher;

import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;
import dev.kiln.store.Network;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Brings files pinned by sha256 into the {@link ContentStore}. Files the store has are hashed again
 * (a blob holding other bytes than its name is removed and fetched again) and otherwise skipped
 * without touching the network; the rest are downloaded in parallel, each streamed into
 * {@link ContentStore#stage} so bytes are hashed as they arrive, a body longer than its size is cut
 * off, and only a file of the right size and digest is published.
 *
 * <p>On one URL, transient failures (a dropped or stalled connection, HTTP 5xx, 429, 408) are retried
 * with exponential backoff, resuming with an HTTP Range request where the body broke off. A URL that
 * says 404/410, serves the wrong bytes, or keeps failing is given up for the next one. A host that
 * cannot be reached at all (unknown, refusing, not answering the connection) is not tried again for
 * the other files of the same fetch. Failures are gathered, and after every other download has
 * finished a {@link DownloadsFailedException} says each way of failing once, with how many files
 * failed so and one of them; what did download stays in the store.
 */
public final class Fetcher {
    public static final int DEFAULT_CONCURRENCY = 8;
    public static final int DEFAULT_ATTEMPTS_PER_URL = 3;
    public static final Duration DEFAULT_BACKOFF = Duration.ofMillis(100);

    /** However much progress each attempt makes, a URL gets at most this many times its attempts. */
    private static final int ATTEMPTS_CAP_FACTOR = 4;
    private static final int BUFFER = 1 << 16;
    /** The detail of a URL skipped because its host took no connection for another file. */
    private static final String NOT_TRIED = " (not tried: no connection for another file)";

    private final Transport transport;
    private final ContentStore store;
    private final int concurrency;
    private final FetchListener listener;
    private final boolean offline;
    private final int attemptsPerUrl;
    private final Duration backoff;

    public Fetcher(Transport transport, ContentStore store) {
        this(transport, store, DEFAULT_CONCURRENCY, FetchListener.NONE);
    }

    public Fetcher(Transport transport, ContentStore store, int concurrency, FetchListener listener) {
        this(transport, store, concurrency, listener, false, DEFAULT_ATTEMPTS_PER_URL, DEFAULT_BACKOFF);
    }

    private Fetcher(Transport transport, ContentStore store, int concurrency, FetchListener listener,
                    boolean offline, int attemptsPerUrl, Duration backoff) {
        this.transport = FileTransport.over(Objects.requireNonNull(transport, "transport"));
        this.store = Objects.requireNonNull(store, "store");
        this.listener = Objects.requireNonNull(listener, "listener");
        this.backoff = Objects.requireNonNull(backoff, "backoff");
        if (concurrency < 1) {
            throw new IllegalArgumentException("concurrency must be at least 1, found " + concurrency);
        }
        if (attemptsPerUrl < 1) {
            throw new IllegalArgumentException("attempts per URL must be at least 1, found " + attemptsPerUrl);
        }
        this.concurrency = concurrency;
        this.offline = offline;
        this.attemptsPerUrl = attemptsPerUrl;
    }

    /** A fetcher that never touches the network: anything missing from the store is an error. */
    public Fetcher withOffline(boolean offline) {
        return new Fetcher(transport, store, concurrency, listener, offline, attemptsPerUrl, backoff);
    }

    /**
     * How hard to try each URL: {@code attemptsPerUrl} attempts without progress, waiting
     * {@code firstBackoff}, then twice that, and so on between them.
     */
    public Fetcher withRetries(int attemptsPerUrl, Duration firstBackoff) {
        return new Fetcher(transport, store, concurrency, listener, offline, attemptsPerUrl, firstBackoff);
    }

    public boolean offline() {
        return offline;
    }

    /**
     * Makes every download present in the store.
     *
     * @throws FetchException listing every download that could not be had (after the others finished),
     *     or, offline, every download that is missing
     */
    public FetchResult fetch(List<Download> downloads) {
        long t0 = System.nanoTime();
        Map<Digest, Download> unique = new LinkedHashMap<>();
        for (Download d : downloads) {
            Download first = unique.putIfAbsent(d.sha256(), d);
            if (first != null && first.size() != d.size()) {
                throw new FetchException("two downloads name " + d.sha256() + " with different sizes: "
                        + first.name() + " (" + first.size() + " bytes) and " + d.name() + " (" + d.size() + " bytes)"
                        + "\n  the lock is inconsistent; resolve it again");
            }
        }
        List<Download> missing = new ArrayList<>();
        List<Download> there = new ArrayList<>();
        for (Download d : unique.values()) {
            (store.contains(d.sha256()) ? there : missing).add(d);
        }
        List<Download> good = recheck(there);
        int present = good.size();
        long presentBytes = 0;
        for (Download d : good) {
            presentBytes += d.size();
            listener.finished(d, true);
        }
        java.util.Set<Download> kept = new java.util.HashSet<>(good);
        there.stream().filter(d -> !kept.contains(d)).forEach(missing::add);
        if (missing.isEmpty()) {
            return new FetchResult(0, 0, present, presentBytes, Duration.ofNanos(System.nanoTime() - t0));
        }
        if (offline) {
            throw new FetchException(FetchException.Kind.OFFLINE_MISSING, offlineMessage(missing));
        }

        List<Outcome> outcomes = runAll(missing, new ConcurrentHashMap<>());
        List<Outcome> failures = outcomes.stream().filter(o -> o.problems() != null).toList();
        if (!failures.isEmpty()) {
            boolean network = failures.stream().allMatch(o -> o.problems().stream().allMatch(Problem::network));
            throw new DownloadsFailedException(report(failures, unique.size()), network, kind(failures));
        }
        long fetchedBytes = missing.stream().mapToLong(Download::size).sum();
        return new FetchResult(missing.size(), fetchedBytes, present, presentBytes, Duration.ofNanos(System.nanoTime() - t0));
    }

    /**
     * The downloads whose blobs still hash to their names, every one hashed again (in parallel): a
     * store restored from a cache or shared with others is not trusted by its file names. A blob
     * with other bytes is removed, the listener hears of it, and it is left out (so it is fetched).
     */
    private List<Download> recheck(List<Download> there) {
        if (there.isEmpty()) {
            return there;
        }
        int threads = Math.max(1, Math.min(there.size(), Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(threads, workerThreads());
        try {
            List<Future<java.util.Optional<Digest>>> futures = new ArrayList<>();
            for (Download d : there) {
                futures.add(pool.submit(() -> store.recheck(d.sha256())));
            }
            List<Download> good = new ArrayList<>();
            for (int i = 0; i < there.size(); i++) {
                java.util.Optional<Digest> found = futures.get(i).get();
                if (found.isPresent()) {
                    listener.damaged(there.get(i), found.get());
                } else {
                    good.add(there.get(i));
                }
            }
            return good;
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException re) {
                throw re;
            }
            throw new FetchException("checking the store failed unexpectedly: " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while checking the store");
        } finally {
            pool.shutdownNow();
        }
    }

    /** A download's end: null problems when it is in the store. */
    private record Outcome(Download download, List<Problem> problems) {
        /**
         * How it failed, in the same words for every file that failed the same way: {@code from HOST: WHY},
         * or with several hosts {@code HOST: WHY; then HOST: WHY}.
         */
        String cause() {
            List<String> hosts = new ArrayList<>();
            List<String> whys = new ArrayList<>();
            List<String> each = new ArrayList<>();
            for (Problem p : problems) {
                String host = p.url() == null ? "" : UnreachableHostException.hostOf(p.url());
                addOnce(hosts, host);
                addOnce(whys, p.why());
                addOnce(each, host.isEmpty() ? p.why() : host + ": " + p.why());
            }
            if (hosts.size() == 1 && !hosts.get(0).isEmpty()) {
                return "from " + hosts.get(0) + ": " + String.join("; then ", whys);
            }
            return String.join("; then ", each);
        }

        private static void addOnce(List<String> list, String s) {
            if (!list.contains(s)) {
                list.add(s);
            }
        }
    }

    /**
     * Why one URL was given up. {@code why} is the same for every file that failed the same way
     * ({@code connection refused}); {@code detail} is this file's ({@code after 10 of 300 bytes},
     * the attempts made); {@code code} is the kind of failure ({@link FetchException.Kind}).
     */
    private record Problem(URI url, String why, String detail, String code) {
        Problem(URI url, String why, String detail, ErrorCode kind) {
            this(url, why, detail, kind.code());
        }

        String said() {
            return (url == null ? "" : url + ": ") + why + detail;
        }

        /**
         * No connection, a timeout, a dropped connection or a server error, as opposed to an answer
         * that was wrong (404, other bytes, another size).
         */
        boolean network() {
            return unreachable() || code.equals(FetchException.Kind.NETWORK.code());
        }

        /** Not even a connection, so the host is not tried again in this fetch. */
        boolean unreachable() {
            return code.equals(FetchException.Kind.UNREACHABLE.code());
        }
    }

    /**
     * The code of a fetch that failed: the network's when only the network failed (unreachable when
     * no host took a connection); else wrong bytes when a server sent any, as that is the one to
     * look into; else the servers' one answer (not found, refused), or {@code fetch} when they differ.
     */
    private static ErrorCode kind(List<Outcome> failures) {
        List<Problem> all = failures.stream().flatMap(o -> o.problems().stream()).toList();
        if (all.stream().allMatch(Problem::unreachable)) {
            return FetchException.Kind.UNREACHABLE;
        }
        if (all.stream().allMatch(Problem::network)) {
            return FetchException.Kind.NETWORK;
        }
        List<String> answers = all.stream().filter(p -> !p.network()).map(Problem::code).distinct().toList();
        if (answers.contains(FetchException.Kind.WRONG_BYTES.code())) {
            return FetchException.Kind.WRONG_BYTES;
        }
        String one = answers.get(0);
        return answers.size() == 1 ? () -> one : FetchException.Kind.OTHER;
    }

    private List<Outcome> runAll(List<Download> missing, Map<String, Problem> unreachable) {
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(concurrency, missing.size()), workerThreads());
        try {
            // largest first: the longest transfer starts at once instead of trailing alone at the end
            List<Download> bySize = new ArrayList<>(missing);
            bySize.sort(java.util.Comparator.comparingLong(Download::size).reversed());
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Download d : bySize) {
                futures.add(pool.submit(() -> fetchOne(d, unreachable)));
            }
            List<Outcome> outcomes = new ArrayList<>();
            for (Future<Outcome> f : futures) {
                try {
                    outcomes.add(f.get());
                } catch (ExecutionException e) {
                    // a bug or a store failure outside any one URL: stop waiting for the rest
                    pool.shutdownNow();
                    Throwable cause = e.getCause();
                    if (cause instanceof RuntimeException re) {
                        throw re;
                    }
                    throw new FetchException("a download failed unexpectedly: " + cause, cause);
                } catch (InterruptedException e) {
                    pool.shutdownNow();
                    Thread.currentThread().interrupt();
                    throw new FetchException("interrupted while downloading; nothing partial was kept");
                }
            }
            return outcomes;
        } finally {
            pool.shutdown();
        }
    }

    /** {@code unreachable}: hosts no connection could be made to in this fetch, with why; shared by the workers. */
    private Outcome fetchOne(Download d, Map<String, Problem> unreachable) {
        // a shared store (a registry cache) first: the bytes are held to the lock's sha256 all the same
        if (store.remote().fetchBlob(store, d.sha256(), d.size())) {
            listener.finished(d, false);
            return new Outcome(d, null);
        }
        List<Problem> problems = new ArrayList<>();
        if (d.urls().isEmpty()) {
            problems.add(new Problem(null, "no URL to fetch it from", "", FetchException.Kind.OTHER));
        }
        for (URI url : d.urls()) {
            if (Thread.currentThread().isInterrupted()) {
                problems.add(new Problem(url, "not tried (interrupted)", "", FetchException.Kind.OTHER));
                break;
            }
            String host = UnreachableHostException.hostOf(url);
            Problem dead = unreachable.get(host);
            if (dead != null) {
                // a host that took no connection for another file is not tried again (as apt does)
                problems.add(new Problem(url, dead.why(), NOT_TRIED, FetchException.Kind.UNREACHABLE));
                continue;
            }
            listener.started(d, url);
            Problem problem;
            try (Transfer transfer = new Transfer(d, url)) {
                problem = transfer.run();
            }
            if (problem == null) {
                listener.finished(d, false);
                return new Outcome(d, null);
            }
            if (problem.unreachable()) {
                unreachable.putIfAbsent(host, problem);
            }
            problems.add(problem);
        }
        listener.failed(d, String.join("; ", problems.stream().map(Problem::said).toList()));
        return new Outcome(d, problems);
    }

    /** A URL's refusal: the server answered, but not with the file the lock names. */
    private static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;

        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /** One download from one URL, into one staged blob that survives retries and is resumed. */
    private final class Transfer implements AutoCloseable {
        private final Download d;
        private final URI url;
        private ContentStore.Staging staging;

        Transfer(Download d, URI url) {
            this.d = d;
            this.url = url;
            this.staging = store.stage(d.sha256(), d.size());
        }

        /** Null when the file is published, else why this URL was given up. */
        Problem run() {
            int withoutProgress = 0;
            int cap = attemptsPerUrl * ATTEMPTS_CAP_FACTOR;
            String lastWhy = null;
            String lastDetail = "";
            boolean lastUnreachable = false;
            for (int attempt = 1; attempt <= cap; attempt++) {
                long before = staging.length();
                if (attempt > 1) {
                    listener.retrying(d, url, lastWhy + lastDetail);
                    if (!sleep(backoff.toMillis() << Math.min(Math.max(withoutProgress - 1, 0), 10))) {
                        return new Problem(url, lastWhy, lastDetail + "; interrupted before retrying",
                                FetchException.Kind.NETWORK);
                    }
                }
                lastDetail = "";
                lastUnreachable = false;
                try {
                    pull();
                    if (staging.length() == d.size()) {
                        staging.commit();
                        return null;
                    }
                    // a body of unknown length that ended early: a dropped connection, resumed like one
                    lastWhy = "the body ended early";
                    lastDetail = " after " + staging.length() + " of " + d.size() + " bytes";
                } catch (NotFoundException e) {
                    return new Problem(url, reason(e), "", e.code());
                } catch (UnreachableHostException e) {
                    lastWhy = reason(e);
                    lastUnreachable = true;
                } catch (TransientFetchException e) {
                    lastWhy = reason(e);
                } catch (IOException e) {
                    lastWhy = Network.describe(e);
                    lastDetail = " after " + staging.length() + " of " + d.size() + " bytes";
                } catch (Refused e) {
                    return new Problem(url, e.getMessage(), "", FetchException.Kind.WRONG_BYTES);
                } catch (FetchException | StoreException e) {
                    // another HTTP status, or bytes whose digest is not the lock's (commit says which)
                    boolean mismatch = e.code().equals(StoreException.Kind.MISMATCH.code());
                    return new Problem(url, reason(e), "", mismatch ? FetchException.Kind.WRONG_BYTES.code() : e.code());
                }
                if (staging.length() > before) {
                    withoutProgress = 0;
                } else if (++withoutProgress >= attemptsPerUrl) {
                    return new Problem(url, lastWhy, lastDetail + " (gave up after " + count(withoutProgress, "attempt")
                            + " without progress)", lastUnreachable ? FetchException.Kind.UNREACHABLE
                            : FetchException.Kind.NETWORK);
                }
            }
            return new Problem(url, lastWhy, lastDetail + " (gave up after " + count(cap, "attempt") + ")",
                    lastUnreachable ? FetchException.Kind.UNREACHABLE : FetchException.Kind.NETWORK);
        }

        /** Reads the rest of the file from where the staged bytes end. */
        private void pull() throws IOException, Refused {
            long from = staging.length();
            try (Transport.Body body = transport.get(url, from)) {
                if (body.start() != from) {
                    if (body.start() != 0) {
                        throw new Refused("asked for the bytes from " + from + ", the server sent them from " + body.start());
                    }
                    // the server ignored the range and sends the whole file: start over
                    staging.close();
                    staging = store.stage(d.sha256(), d.size());
                    listener.progress(d, 0);
                }
                long start = staging.length();
                if (body.length() >= 0 && start + body.length() != d.size()) {
                    throw new Refused("the server announces " + (start + body.length()) + " bytes, expected "
                            + d.size() + " (the lock's size)");
                }
                InputStream in = body.stream();
                byte[] buf = new byte[BUFFER];
                while (true) {
                    long left = d.size() - staging.length();
                    // one byte past the size is enough to know the body is too long
                    int n = in.read(buf, 0, (int) Math.min(buf.length, left + 1));
                    if (n < 0) {
                        return;
                    }
                    if (n > left) {
                        throw new Refused("the server sends more than the " + d.size()
                                + " bytes the lock says; stopped reading");
                    }
                    staging.write(buf, 0, n);
                    listener.progress(d, staging.length());
                }
            }
        }

        private String reason(KilnException e) {
            String msg = e.getMessage();
            String prefix = url + ": ";
            return msg.startsWith(prefix) ? msg.substring(prefix.length()) : msg;
        }

        @Override
        public void close() {
            staging.close();
        }
    }

    private static boolean sleep(long millis) {
        try {
            // backoff between attempts, so a struggling server is not hammered
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private String offlineMessage(List<Download> missing) {
        StringBuilder m = new StringBuilder("offline, but the store (" + store.root() + ") lacks "
                + count(missing.size(), "file") + ":");
        for (Download d : missing) {
            m.append("\n  ").append(d.name()).append("  ").append(d.sha256()).append("  ").append(d.size()).append(" bytes");
        }
        return m.append("\n  fix: fetch them online").toString();
    }

    /**
     * What failed, each way of failing once: a dead mirror fails every file alike, and hundreds of
     * identical lines would hide the one thing to fix. A way shared by several files is said with
     * their number and one of them; a file that failed its own way is said in full.
     */
    private static String report(List<Outcome> failures, int total) {
        Map<String, List<Outcome>> byCause = new LinkedHashMap<>();
        for (Outcome o : failures) {
            byCause.computeIfAbsent(o.cause(), c -> new ArrayList<>()).add(o);
        }
        StringBuilder m = new StringBuilder("could not fetch " + failures.size() + " of " + count(total, "file"));
        m.append(failures.size() < total ? " (the others are in the store):" : ":");
        for (Map.Entry<String, List<Outcome>> e : byCause.entrySet()) {
            List<Outcome> alike = e.getValue();
            if (alike.size() == 1) {
                Download d = alike.get(0).download();
                m.append("\n  ").append(d.name()).append(" (").append(d.sha256()).append(", ").append(d.size()).append(" bytes)");
                for (Problem p : alike.get(0).problems()) {
                    m.append("\n    ").append(p.said().replace("\n", "\n      "));
                }
                continue;
            }
            // the example is a file that was tried, not one skipped because its host was already dead
            Outcome example = alike.stream().filter(o -> o.problems().stream().noneMatch(p -> p.detail().equals(NOT_TRIED)))
                    .findFirst().orElse(alike.get(0));
            String cause = e.getKey().replace("\n", "\n    ");
            m.append("\n  ").append(alike.size()).append(cause.startsWith("from ") ? " files " : " files: ").append(cause);
            m.append("\n    for example ").append(example.download().name());
            List<Problem> tried = example.problems();
            if (tried.size() == 1) {
                m.append(": ").append(tried.get(0).url() == null ? "" : tried.get(0).url()).append(tried.get(0).detail());
            } else {
                for (Problem p : tried) {
                    m.append("\n      ").append(p.url() == null ? "" : p.url()).append(p.detail());
                }
            }
        }
        return m.toString();
    }

    private static String count(int n, String noun) {
        return n + " " + noun + (n == 1 ? "" : "s");
    }

    private static ThreadFactory workerThreads() {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, "kiln-fetch-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
