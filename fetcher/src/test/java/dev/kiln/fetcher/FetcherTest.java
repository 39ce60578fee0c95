package dev.kiln.fetcher;

import static dev.kiln.fetcher.testing.TestMirror.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.fetcher.testing.TestMirror.Fault;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FetcherTest {
    private static final String PATH = "/pool/main/libc6_2.36-9_amd64.deb";
    private static final byte[] DEB = bytes(300_000, 1);
    private static final Digest DEB_SHA = Digest.of(DEB);
    private static final String NAME = "libc6 2.36-9 amd64";

    @TempDir
    Path dir;

    ContentStore store;
    TestMirror mirror;
    TestMirror mirror2;
    HttpTransport transport;
    Events events = new Events();

    @BeforeEach
    void setUp() {
        store = ContentStore.open(dir.resolve("store"));
        mirror = TestMirror.start();
        mirror2 = TestMirror.start();
        transport = transport(Duration.ofSeconds(10));
    }

    @AfterEach
    void tearDown() {
        transport.close();
        mirror.close();
        mirror2.close();
    }

    private HttpTransport transport(Duration readTimeout) {
        return HttpTransport.builder()
                .readTimeout(readTimeout)
                .environment(Map.of())
                .netrc(dir.resolve("no-netrc"))
                .build();
    }

    private Fetcher fetcher() {
        return fetcher(transport);
    }

    private Fetcher fetcher(Transport t) {
        return new Fetcher(t, store, 8, events).withRetries(3, Duration.ofMillis(5));
    }

    private static Download deb(URI... urls) {
        return new Download(NAME, List.of(urls), DEB.length, DEB_SHA);
    }

    @Test
    void downloadsAFileIntoTheStore() throws IOException {
        mirror.serve(PATH, DEB);

        FetchResult result = fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        assertArrayEquals(DEB, Files.readAllBytes(store.blobPath(DEB_SHA)));
        assertEquals(1, result.fetched());
        assertEquals(DEB.length, result.bytesFetched());
        assertEquals(0, result.alreadyPresent());
        assertEquals(List.of("started " + NAME + " " + mirror.uri(PATH), "finished " + NAME + " fetched"), events.milestones());
        assertEquals(DEB.length, events.lastProgress.get());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aFileAlreadyInTheStoreIsNotRequested() {
        store.put(DEB);
        mirror.serve(PATH, DEB);

        FetchResult result = fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        assertEquals(0, mirror.requestCount());
        assertEquals(new FetchResult(0, 0, 1, DEB.length, result.elapsed()), result);
        assertEquals(List.of("finished " + NAME + " present"), events.milestones());
    }

    @Test
    void aBlobWithOtherBytesUnderItsNameIsRemovedAndFetchedAgain() throws IOException {
        store.put(DEB);
        byte[] other = bytes(DEB.length, 7); // another file of the same size, as a restored cache may hold
        Files.write(store.blobPath(DEB_SHA), other);
        mirror.serve(PATH, DEB);

        FetchResult result = fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        assertEquals(List.of("damaged " + NAME + " " + Digest.of(other), "started " + NAME + " " + mirror.uri(PATH),
                "finished " + NAME + " fetched"), events.milestones());
        assertEquals(1, result.fetched());
        assertEquals(0, result.alreadyPresent());
        assertArrayEquals(DEB, Files.readAllBytes(store.blobPath(DEB_SHA)));
    }

    @Test
    void offlineABlobWithOtherBytesIsRemovedAndReportedMissing() throws IOException {
        store.put(DEB);
        Files.write(store.blobPath(DEB_SHA), "truncated".getBytes());

        FetchException e = assertThrows(FetchException.class,
                () -> fetcher().withOffline(true).fetch(List.of(deb(mirror.uri(PATH)))));

        assertTrue(e.getMessage().contains(NAME), e.getMessage());
        assertEquals(List.of("damaged " + NAME + " " + Digest.of("truncated".getBytes())), events.milestones());
        assertFalse(Files.exists(store.blobPath(DEB_SHA)));
        assertEquals(0, mirror.requestCount());
    }

    @Test
    void duplicatesAreFetchedOnce() {
        mirror.serve(PATH, DEB);
        Download same = new Download("libc6 (again)", List.of(mirror.uri(PATH)), DEB.length, DEB_SHA);

        FetchResult result = fetcher().fetch(List.of(deb(mirror.uri(PATH)), same));

        assertEquals(1, mirror.requestCount());
        assertEquals(1, result.fetched());
        assertEquals(DEB.length, result.bytesFetched());
    }

    @Test
    void aBodyCutMidwayIsResumedWithARangeRequest() {
        mirror.serve(PATH, DEB).fail(PATH, Fault.CUT_HALFWAY);

        fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        List<RecordedRequest> requests = mirror.requests(PATH);
        assertEquals(2, requests.size());
        assertNull(requests.get(0).getHeaders().get("Range"));
        long resumedAt = rangeStart(requests.get(1));
        assertTrue(resumedAt > 0 && resumedAt < DEB.length, "resumed at " + resumedAt);
        assertEquals(1, events.retries.get());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aBodyStalledMidwayIsResumedAfterTheReadTimeout() {
        mirror.serve(PATH, DEB).fail(PATH, Fault.STALL_HALFWAY);
        try (HttpTransport impatient = transport(Duration.ofMillis(300))) {
            fetcher(impatient).fetch(List.of(deb(mirror.uri(PATH))));
        }

        List<RecordedRequest> requests = mirror.requests(PATH);
        assertEquals(2, requests.size());
        long resumedAt = rangeStart(requests.get(1));
        assertTrue(resumedAt > 0 && resumedAt < DEB.length, "resumed at " + resumedAt);
        assertTrue(events.retryReasons.get(0).contains("timed out"), events.retryReasons.toString());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aServerThatIgnoresTheRangeMakesTheDownloadStartOver() {
        mirror.serve(PATH, DEB).fail(PATH, Fault.CUT_HALFWAY, Fault.IGNORE_RANGE);

        fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        List<RecordedRequest> requests = mirror.requests(PATH);
        assertEquals(2, requests.size());
        assertTrue(rangeStart(requests.get(1)) > 0);
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void wrongBytesAreRefusedNamingThePackageTheUrlAndBothDigests() {
        byte[] evil = bytes(DEB.length, 666);
        mirror.serve(PATH, evil);

        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch(List.of(deb(mirror.uri(PATH)))));

        String msg = e.getMessage();
        assertTrue(msg.contains(NAME), msg);
        assertTrue(msg.contains(mirror.uri(PATH).toString()), msg);
        assertTrue(msg.contains("expected " + DEB_SHA), msg);
        assertTrue(msg.contains("found " + Digest.of(evil)), msg);
        assertEquals("fetch.wrong-bytes", e.code());
        assertEquals(1, mirror.requestCount(), "wrong bytes are not worth asking for again");
        assertEquals(1, events.failures.get());
        assertStoreHoldsOnly();
    }

    @Test
    void wrongBytesOnOneMirrorAreLeftForTheNext() {
        mirror.serve(PATH, bytes(DEB.length, 666));
        mirror2.serve(PATH, DEB);

        fetcher().fetch(List.of(deb(mirror.uri(PATH), mirror2.uri(PATH))));

        assertEquals(1, mirror.requestCount());
        assertEquals(1, mirror2.requestCount());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aUrlKilnCannotSpeakToIsAFailureOfThatUrlOnly() {
        mirror.serve(PATH, DEB);

        fetcher().fetch(List.of(deb(URI.create("ftp://mirror.kiln.test" + PATH), mirror.uri(PATH))));

        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aBodyAnnouncedLongerThanTheLockSaysIsRefusedUnread() {
        byte[] longer = new byte[DEB.length * 4];
        System.arraycopy(DEB, 0, longer, 0, DEB.length);
        mirror.serve(PATH, longer);

        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch(List.of(deb(mirror.uri(PATH)))));

        assertTrue(e.getMessage().contains("announces " + longer.length + " bytes, expected " + DEB.length), e.getMessage());
        assertEquals(0, events.lastProgress.get(), "no byte of it was staged");
        assertStoreHoldsOnly();
    }

    @Test
    void anEndlessBodyIsCutOffJustPastTheLocksSize() {
        AtomicLong sent = new AtomicLong();
        mirror.failAlways(PATH, Fault.endless(sent));

        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch(List.of(deb(mirror.uri(PATH)))));

        assertTrue(e.getMessage().contains("sends more than the " + DEB.length + " bytes"), e.getMessage());
        assertEquals(1, mirror.requestCount());
        // what the server got out before the connection dropped: the size plus what socket buffers hold
        assertTrue(sent.get() < DEB.length + (16 << 20), "the server sent " + sent.get() + " bytes");
        assertStoreHoldsOnly();
    }

    @Test
    void aServerThatKeepsStallingGivesUpWithAClearError() {
        mirror.serve(PATH, DEB).failAlways(PATH, Fault.STALL_BEFORE_BODY);

        FetchException e;
        try (HttpTransport impatient = transport(Duration.ofMillis(300))) {
            e = assertThrows(FetchException.class, () -> fetcher(impatient).fetch(List.of(deb(mirror.uri(PATH)))));
        }

        String msg = e.getMessage();
        assertTrue(msg.contains(NAME) && msg.contains(mirror.uri(PATH).toString()), msg);
        assertTrue(msg.contains("timed out"), msg);
        assertTrue(msg.contains("gave up after 3 attempts"), msg);
        assertEquals("fetch.network", e.code());
        assertEquals(3, mirror.requestCount());
        assertStoreHoldsOnly();
    }

    @Test
    void aStalledMirrorIsLeftForTheNextOne() {
        mirror.serve(PATH, DEB).failAlways(PATH, Fault.STALL_BEFORE_BODY);
        mirror2.serve(PATH, DEB);

        try (HttpTransport impatient = transport(Duration.ofMillis(300))) {
            fetcher(impatient).fetch(List.of(deb(mirror.uri(PATH), mirror2.uri(PATH))));
        }

        assertEquals(3, mirror.requestCount());
        assertEquals(1, mirror2.requestCount());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void notFoundOnTheFirstMirrorFallsBackToTheSecond() {
        mirror2.serve(PATH, DEB);

        fetcher().fetch(List.of(deb(mirror.uri(PATH), mirror2.uri(PATH))));

        assertEquals(1, mirror.requestCount(), "a 404 is not retried");
        assertEquals(1, mirror2.requestCount());
        assertEquals(List.of(
                "started " + NAME + " " + mirror.uri(PATH),
                "started " + NAME + " " + mirror2.uri(PATH),
                "finished " + NAME + " fetched"), events.milestones());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aServerErrorIsRetried() {
        mirror.serve(PATH, DEB).fail(PATH, Fault.status(500));

        fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        assertEquals(2, mirror.requestCount());
        assertEquals(List.of("HTTP 500 from the server"), events.retryReasons);
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void tooManyRequestsIsRetried() {
        mirror.serve(PATH, DEB).fail(PATH, Fault.status(429), Fault.status(503));

        fetcher().fetch(List.of(deb(mirror.uri(PATH))));

        assertEquals(3, mirror.requestCount());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void aForbiddenUrlIsNotRetriedButTheNextMirrorIsTried() {
        mirror.serve(PATH, DEB).failAlways(PATH, Fault.status(403));
        mirror2.serve(PATH, DEB);

        fetcher().fetch(List.of(deb(mirror.uri(PATH), mirror2.uri(PATH))));

        assertEquals(1, mirror.requestCount());
        assertStoreHoldsOnly(DEB_SHA);
    }

    @Test
    void failuresAreReportedAfterTheOthersFinishWhichStayInTheStore() {
        byte[] other = bytes(5000, 2);
        mirror.serve("/pool/a.deb", other);
        Download good = Download.of("a 1 amd64", mirror.uri("/pool/a.deb"), other.length, Digest.of(other));
        Download gone = deb(mirror.uri(PATH), mirror2.uri(PATH));

        FetchException e = assertThrows(FetchException.class, () -> fetcher().fetch(List.of(gone, good)));

        String msg = e.getMessage();
        assertTrue(msg.startsWith("could not fetch 1 of 2 files"), msg);
        assertTrue(msg.contains(NAME + " (" + DEB_SHA + ", " + DEB.length + " bytes)"), msg);
        assertTrue(msg.contains(mirror.uri(PATH) + ": HTTP 404 (not found)"), msg);
        assertTrue(msg.contains(mirror2.uri(PATH) + ": HTTP 404 (not found)"), msg);
        assertFalse(msg.contains("a 1 amd64"), msg);
        assertEquals("fetch.not-found", e.code(), "every server said not found");
        assertStoreHoldsOnly(Digest.of(other));
    }

    @Test
    void aMirrorThatRefusesEveryConnectionIsSaidOnceWithHowManyFilesAndOneOfThem() throws IOException {
        int port = closedPort();
        List<Download> downloads = new ArrayList<>();
        for (int i = 0; i < 28; i++) {
            byte[] b = bytes(100 + i, 300 + i);
            downloads.add(Download.of("p" + i + " 1 amd64", URI.create("http://127.0.0.1:" + port + "/pool/p" + i + ".deb"),
                    b.length, Digest.of(b)));
        }

        DownloadsFailedException e = assertThrows(DownloadsFailedException.class,
                () -> new Fetcher(transport, store, 1, events).withRetries(3, Duration.ofMillis(5)).fetch(downloads));

        String msg = e.getMessage();
        assertEquals(List.of(
                "could not fetch 28 of 28 files:",
                "  28 files from 127.0.0.1:" + port + ": connection refused",
                "    for example p27 1 amd64: http://127.0.0.1:" + port + "/pool/p27.deb (gave up after 3 attempts without progress)",
                "  nothing partial or unverified was kept",
                "  fix: check the mirror (DEBIAN_MIRROR or the host's apt sources), the network and any proxy (http_proxy,"
                        + " https_proxy), then retry"), msg.lines().toList());
        assertTrue(e.networkOnly());
        assertEquals("fetch.unreachable", e.code());
        assertEquals(1, events.milestones().size(), "after one file found the host dead the others are not tried: "
                + events.milestones());
        assertStoreHoldsOnly();
    }

    @Test
    void filesThatFailTheSameWayAreCountedAndOnesThatFailTheirOwnWayAreListed() {
        int port = closedPort();
        byte[] other = bytes(5000, 2);
        mirror.serve("/pool/a.deb", other);
        Digest expected = Digest.of(bytes(6000, 3));
        Download wrong = Download.of("a 1 amd64", mirror.uri("/pool/a.deb"), 6000, expected);
        List<Download> downloads = new ArrayList<>(List.of(wrong));
        for (int i = 0; i < 3; i++) {
            byte[] b = bytes(100 + i, 400 + i);
            downloads.add(Download.of("q" + i, URI.create("http://127.0.0.1:" + port + "/q" + i), b.length, Digest.of(b)));
        }

        DownloadsFailedException e = assertThrows(DownloadsFailedException.class, () -> fetcher().fetch(downloads));

        String msg = e.getMessage();
        assertTrue(msg.startsWith("could not fetch 4 of 4 files:"), msg);
        assertTrue(msg.contains("\n  3 files from 127.0.0.1:" + port + ": connection refused\n    for example q"), msg);
        assertTrue(msg.contains("\n  a 1 amd64 (" + expected + ", 6000 bytes)\n    " + mirror.uri("/pool/a.deb")
                + ": the server announces 5000 bytes, expected 6000"), msg);
        assertEquals(1, msg.split("127.0.0.1:" + port + ":", -1).length - 1, msg);
        assertFalse(e.networkOnly(), "a server answered with the wrong file");
        assertEquals("fetch.wrong-bytes", e.code(), "the wrong file is what to look into, not the dead host");
        assertTrue(msg.endsWith("fix: retry, or point the repository at another mirror"), msg);
    }

    /** A port on 127.0.0.1 that nothing listens on: connections to it are refused. */
    private static int closedPort() {
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void manyDownloadsRunInParallelWithinTheBound() {
        int n = 40;
        int bound = 8;
        List<Download> downloads = new ArrayList<>();
        Set<Digest> digests = new java.util.HashSet<>();
        for (int i = 0; i < n; i++) {
            byte[] b = bytes(1000 + 997 * i, 100 + i);
            String path = "/pool/p" + i + ".deb";
            mirror.serve(path, b);
            downloads.add(Download.of("p" + i, mirror.uri(path), b.length, Digest.of(b)));
            digests.add(Digest.of(b));
        }
        // the first `bound` requests wait for each other: a fetcher that did one at a time would never get past
        CountDownLatch together = new CountDownLatch(bound);
        AtomicBoolean apart = new AtomicBoolean();
        mirror.onRequest(r -> {
            together.countDown();
            try {
                if (!together.await(20, TimeUnit.SECONDS)) {
                    apart.set(true);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });

        FetchResult result = new Fetcher(transport, store, bound, events).fetch(downloads);

        assertFalse(apart.get(), "the first " + bound + " downloads did not run at the same time");
        assertEquals(n, result.fetched());
        assertEquals(n, mirror.requestCount());
        assertTrue(events.maxActive.get() <= bound, "at most " + bound + " at once, saw " + events.maxActive.get());
        assertStoreHoldsOnly(digests.toArray(Digest[]::new));
    }

    @Test
    void offlineTouchesNoNetworkAndListsWhatIsMissing() {
        byte[] present = bytes(100, 3);
        store.put(present);
        byte[] other = bytes(200, 4);
        mirror.serve(PATH, DEB).serve("/pool/b.deb", other);
        List<Download> downloads = List.of(
                Download.of("a 1 all", mirror.uri("/pool/a.deb"), present.length, Digest.of(present)),
                deb(mirror.uri(PATH)),
                Download.of("b 2 all", mirror.uri("/pool/b.deb"), other.length, Digest.of(other)));

        FetchException e = assertThrows(FetchException.class, () -> fetcher().withOffline(true).fetch(downloads));

        String msg = e.getMessage();
        assertTrue(msg.contains("lacks 2 files"), msg);
        assertTrue(msg.contains(NAME + "  " + DEB_SHA + "  " + DEB.length + " bytes"), msg);
        assertTrue(msg.contains("b 2 all  " + Digest.of(other) + "  200 bytes"), msg);
        assertFalse(msg.contains("a 1 all"), msg);
        assertTrue(msg.endsWith("\n  fix: fetch them online"), msg);
        assertEquals("fetch.offline-missing", e.code());
        assertEquals(0, mirror.requestCount());
        assertStoreHoldsOnly(Digest.of(present));
    }

    @Test
    void offlineWithEverythingPresentSucceeds() {
        store.put(DEB);

        FetchResult result = fetcher().withOffline(true).fetch(List.of(deb(mirror.uri(PATH))));

        assertEquals(1, result.alreadyPresent());
        assertEquals(0, mirror.requestCount());
    }

    private static long rangeStart(RecordedRequest r) {
        String range = r.getHeaders().get("Range");
        assertTrue(range != null, "expected a Range header on " + r);
        Matcher m = Pattern.compile("bytes=(\\d+)-").matcher(range);
        assertTrue(m.matches(), range);
        return Long.parseLong(m.group(1));
    }

    /** blobs/ holds exactly these blobs, each whole and matching its name; tmp/ holds nothing. */
    private void assertStoreHoldsOnly(Digest... expected) {
        try (Stream<Path> blobs = Files.list(store.root().resolve("blobs").resolve("sha256"));
             Stream<Path> tmp = Files.list(store.root().resolve("tmp"))) {
            List<String> names = new ArrayList<>();
            for (Path p : blobs.toList()) {
                try (InputStream in = Files.newInputStream(p)) {
                    assertEquals(p.getFileName().toString(), Digest.of(in).hex(), "blob " + p + " does not match its name");
                }
                names.add(p.getFileName().toString());
            }
            List<String> want = new ArrayList<>(Stream.of(expected).map(Digest::hex).toList());
            Collections.sort(names);
            Collections.sort(want);
            assertEquals(want, names, "blobs/sha256");
            assertEquals(List.of(), tmp.toList(), "tmp/ keeps nothing staged");
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** Records what a listener hears; thread-safe, as the fetcher's workers call it at once. */
    static final class Events implements FetchListener {
        final List<String> milestones = Collections.synchronizedList(new ArrayList<>());
        final List<String> retryReasons = Collections.synchronizedList(new ArrayList<>());
        final AtomicLong lastProgress = new AtomicLong();
        final AtomicInteger retries = new AtomicInteger();
        final AtomicInteger failures = new AtomicInteger();
        final AtomicInteger active = new AtomicInteger();
        final AtomicInteger maxActive = new AtomicInteger();

        List<String> milestones() {
            synchronized (milestones) {
                return List.copyOf(milestones);
            }
        }

        @Override
        public void started(Download d, URI url) {
            milestones.add("started " + d.name() + " " + url);
            int now = active.incrementAndGet();
            maxActive.accumulateAndGet(now, Math::max);
        }

        @Override
        public void damaged(Download d, Digest found) {
            milestones.add("damaged " + d.name() + " " + found);
        }

        @Override
        public void progress(Download d, long bytesSoFar) {
            lastProgress.set(bytesSoFar);
        }

        @Override
        public void retrying(Download d, URI url, String why) {
            retries.incrementAndGet();
            retryReasons.add(why);
        }

        @Override
        public void finished(Download d, boolean alreadyPresent) {
            milestones.add("finished " + d.name() + (alreadyPresent ? " present" : " fetched"));
            if (!alreadyPresent) {
                active.decrementAndGet();
            }
        }

        @Override
        public void failed(Download d, String why) {
            failures.incrementAndGet();
            active.decrementAndGet();
        }
    }
}
