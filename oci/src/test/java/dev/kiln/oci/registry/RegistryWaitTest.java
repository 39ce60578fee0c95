package dev.kiln.oci.registry;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.oci.registry.RegistryListener.Waiting;
import dev.kiln.oci.registry.RegistryListener.Waiting.Kind;
import dev.kiln.oci.testing.SilentServer;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registry that hangs: the client's waits are bounded ({@link RegistryOptions#maxWait}, tries
 * included), told to the listener while they last, and the error names the registry. The bounds are
 * made small here; the assertions on time are generous multiples of them.
 */
class RegistryWaitTest {
    private static final Duration READ = Duration.ofMillis(500);
    private static final Duration MAX_WAIT = Duration.ofSeconds(1);
    private static final Digest BLOB = Digest.of("a blob".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path tmp;

    final List<Waiting> heard = new CopyOnWriteArrayList<>();

    RegistryClient client() {
        return RegistryClient.builder().credentials(RegistryCredentials.none()).timeouts(READ, READ, MAX_WAIT)
                .listener(heard::add).build();
    }

    static long millisSince(long nanos) {
        return Duration.ofNanos(System.nanoTime() - nanos).toMillis();
    }

    @Test
    void aRegistryThatNeverAnswersFailsWithinTheMaxWaitNamingItselfTheOperationAndTheTries() {
        try (SilentServer server = SilentServer.silent(); RegistryClient c = client()) {
            ImageReference ref = ImageReference.parse(server.host() + "/kiln/test:1");
            long start = System.nanoTime();
            RegistryException e = assertThrows(RegistryException.class, () -> c.getManifest(ref));
            long took = millisSince(start);
            assertTrue(took < 10 * MAX_WAIT.toMillis(), "gave up after " + took + " ms");
            String m = e.getMessage();
            assertTrue(m.startsWith(server.host() + " (repository kiln/test): get manifest 1: no answer for "), m);
            // the first try waits a whole read timeout; the second only what is left of the second in all
            assertTrue(m.contains("(tried 2 times in "), m);
            assertTrue(m.contains("kiln waits 500 ms for an answer and 1 s for one operation in all"), m);
            assertTrue(m.contains("fix: check that " + server.host() + " is up and reachable from here: 'curl -v http://"
                    + server.host() + "/v2/' should answer at once"), m);
            assertEquals(2, server.connections());
        }
    }

    @Test
    void whileARegistryIsSilentTheListenerHearsWhatIsWaitedForThenThatItIsTriedAgain() {
        String host;
        try (SilentServer server = SilentServer.silent(); RegistryClient c = client()) {
            host = server.host();
            assertThrows(RegistryException.class, () -> c.hasBlob(ImageReference.parse(server.host() + "/kiln/test"), BLOB));
        }
        List<Waiting> retries = heard.stream().filter(w -> w.kind() == Kind.RETRY).toList();
        assertEquals(1, retries.size(), heard.toString());
        Waiting retry = retries.get(0);
        assertEquals(new Waiting(Kind.RETRY, host, "kiln/test: check for blob " + BLOB, "no answer for 500 ms", 2, 3, MAX_WAIT),
                retry);
        assertEquals("waiting for " + host + " (kiln/test: check for blob " + BLOB + "): no answer for 500 ms, trying again"
                + " (2 of 3); kiln gives up after 1 s in all", retry.message());
        // a silent request is named a third of a read timeout after it was sent, before its try times out
        List<Waiting> silent = heard.stream().filter(w -> w.kind() == Kind.SILENT).toList();
        assertFalse(silent.isEmpty(), heard.toString());
        assertEquals(new Waiting(Kind.SILENT, host, "kiln/test: check for blob " + BLOB, "no answer for 166 ms", 1, 3, MAX_WAIT),
                silent.get(0));
        assertEquals("waiting for " + host + " (kiln/test: check for blob " + BLOB + "): no answer for 166 ms, still waiting;"
                + " kiln gives up after 1 s in all", silent.get(0).message());
        assertTrue(heard.indexOf(silent.get(0)) < heard.indexOf(retry), "the silence is told before the try fails: " + heard);
    }

    @Test
    void aRegistryThatSendsHeadersThenStallsMidBodyFailsWithinTheMaxWaitAndLeavesNoFile() throws IOException {
        String head = "HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000\r\n\r\nsome bytes";
        try (SilentServer server = SilentServer.stallingAfter(head); RegistryClient c = client()) {
            ImageReference repo = ImageReference.parse(server.host() + "/kiln/test");
            Path target = tmp.resolve("blob");
            long start = System.nanoTime();
            RegistryException e = assertThrows(RegistryException.class, () -> c.getBlob(repo, BLOB, 1000, target));
            long took = millisSince(start);
            assertTrue(took < 10 * MAX_WAIT.toMillis(), "gave up after " + took + " ms");
            assertTrue(e.getMessage().startsWith(server.host() + " (repository kiln/test): download blob " + BLOB
                    + ": no answer for "), e.getMessage());
            assertTrue(server.connections() >= 2, "tried again");
            try (Stream<Path> left = Files.list(tmp)) {
                assertEquals(List.of(), left.toList(), "nothing is left of the download");
            }
        }
        // the answer had begun, so the silence in the body is told when the try fails, not before
        assertTrue(heard.stream().anyMatch(w -> w.kind() == Kind.RETRY && w.reason().startsWith("no answer for 500 ms")), heard.toString());
    }

    @Test
    void aTransferThatKeepsMovingIsNotCutByTheMaxWait() throws Exception {
        byte[] body = "0123456789".repeat(6).getBytes(StandardCharsets.US_ASCII);
        Digest digest = Digest.of(body);
        // six pieces 300 ms apart: 1.8 s in all, longer than the max wait, each gap well under the read timeout
        try (ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
                RegistryClient c = RegistryClient.builder().credentials(RegistryCredentials.none())
                        .timeouts(Duration.ofSeconds(2), Duration.ofSeconds(2), MAX_WAIT).listener(heard::add).build()) {
            Thread slow = new Thread(() -> {
                try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
                    s.getInputStream().read(new byte[4096]);
                    out.write(("HTTP/1.1 200 OK\r\nContent-Length: " + body.length + "\r\nConnection: close\r\n\r\n")
                            .getBytes(StandardCharsets.US_ASCII));
                    for (int i = 0; i < 6; i++) {
                        out.flush();
                        Thread.sleep(300); // the pace of a slow registry, not synchronisation
                        out.write(body, i * 10, 10);
                    }
                } catch (IOException | InterruptedException ignored) {
                    // the client's assertion tells
                }
            });
            slow.start();
            ImageReference repo = ImageReference.parse("127.0.0.1:" + server.getLocalPort() + "/kiln/test");
            assertArrayEquals(body, c.getBlob(repo, digest, body.length));
            slow.join();
        }
        assertEquals(List.of(), heard.stream().filter(w -> w.kind() == Kind.RETRY).toList());
    }
}
