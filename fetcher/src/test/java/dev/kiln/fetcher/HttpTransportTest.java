package dev.kiln.fetcher;

import static dev.kiln.fetcher.testing.TestMirror.bytes;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.fetcher.testing.TestMirror.Fault;
import dev.kiln.store.Network;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HttpTransportTest {
    private static final String PATH = "/pool/main/h/hello/hello_2.10-3_amd64.deb";
    private static final byte[] FILE = bytes(50_000, 7);

    @TempDir
    Path dir;

    TestMirror mirror;

    @BeforeEach
    void setUp() {
        mirror = TestMirror.start();
    }

    @AfterEach
    void tearDown() {
        mirror.close();
    }

    private HttpTransport transport(Map<String, String> env) {
        return HttpTransport.builder().environment(env).netrc(dir.resolve("absent-netrc")).build();
    }

    private static byte[] read(Transport.Body body) throws IOException {
        try (body) {
            return body.stream().readAllBytes();
        }
    }

    @Test
    void aRangeTheServerHonoursStartsWhereAsked() throws IOException {
        mirror.serve(PATH, FILE);
        try (HttpTransport t = transport(Map.of())) {
            Transport.Body body = t.get(mirror.uri(PATH), 1000);

            assertEquals(1000, body.start());
            assertEquals(FILE.length - 1000, body.length());
            assertArrayEquals(Arrays.copyOfRange(FILE, 1000, FILE.length), read(body));
        }
        assertEquals("bytes=1000-", mirror.requests().get(0).getHeaders().get("Range"));
    }

    @Test
    void aServerThatIgnoresTheRangeIsSeenToStartAtZero() throws IOException {
        mirror.serve(PATH, FILE).fail(PATH, Fault.IGNORE_RANGE);
        try (HttpTransport t = transport(Map.of())) {
            Transport.Body body = t.get(mirror.uri(PATH), 1000);

            assertEquals(0, body.start());
            assertArrayEquals(FILE, read(body));
        }
    }

    @Test
    void theWholeFileIsAskedForWithoutARange() throws IOException {
        mirror.serve(PATH, FILE);
        try (HttpTransport t = transport(Map.of())) {
            assertArrayEquals(FILE, read(t.get(mirror.uri(PATH), 0)));
        }
        RecordedRequest r = mirror.requests().get(0);
        assertNull(r.getHeaders().get("Range"));
        assertEquals("identity", r.getHeaders().get("Accept-Encoding"));
    }

    @Test
    void aPlainRedirectIsFollowed() throws IOException {
        mirror.serve(PATH, FILE).fail("/old", Fault.status(301, "Location", PATH));
        try (HttpTransport t = transport(Map.of())) {
            assertArrayEquals(FILE, read(t.get(mirror.uri("/old"), 0)));
        }
        assertEquals(List.of("/old", PATH), mirror.requests().stream().map(RecordedRequest::getTarget).toList());
    }

    @Test
    void aRedirectToAnHttpsLocationThatCannotBeParsedIsAClearError() {
        mirror.fail("/old", Fault.status(301, "Location", "https://exa mple.test/x"));
        try (HttpTransport t = transport(Map.of())) {
            FetchException e = assertThrows(FetchException.class, () -> t.get(mirror.uri("/old"), 0));
            assertTrue(e.getMessage().contains("HTTP 301"), e.getMessage());
        }
    }

    @Test
    void aRedirectToHttpsIsFollowedWithTls() throws IOException {
        // the https side answers every connection with plain text and hangs up: a TLS client fails
        // its handshake there at once, which shows the redirect was taken with TLS (a cleartext-only
        // client would refuse the https URL without connecting)
        try (java.net.ServerSocket notTls = new java.net.ServerSocket(0, 4, java.net.InetAddress.getLoopbackAddress())) {
            Thread answer = new Thread(() -> {
                while (!notTls.isClosed()) {
                    try (java.net.Socket s = notTls.accept()) {
                        s.getOutputStream().write("not TLS\r\n".getBytes(UTF_8));
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            answer.setDaemon(true);
            answer.start();
            URI https = URI.create("https://127.0.0.1:" + notTls.getLocalPort() + PATH);
            mirror.fail("/old", Fault.status(302, "Location", https.toString()));
            try (HttpTransport t = HttpTransport.builder().environment(Map.of()).netrc(dir.resolve("absent-netrc"))
                    .readTimeout(Duration.ofSeconds(10)).build()) {
                TransientFetchException e = assertThrows(TransientFetchException.class, () -> t.get(mirror.uri("/old"), 0));
                assertTrue(!e.getMessage().toLowerCase(java.util.Locale.ROOT).contains("cleartext"), e.getMessage());
                assertTrue(e.getMessage().contains("connection failed"), e.getMessage());
            }
        }
    }

    @Test
    void aPortThatRefusesIsAnUnreachableHostNamedWithItsPort() throws IOException {
        int port;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        URI uri = URI.create("http://127.0.0.1:" + port + "/debian/dists/bookworm/InRelease");
        try (HttpTransport t = transport(Map.of())) {
            UnreachableHostException once = assertThrows(UnreachableHostException.class, () -> t.get(uri, 0));
            assertEquals("127.0.0.1:" + port, once.host());
            assertEquals(uri + ": connection refused", once.getMessage());
            UnreachableHostException retried = assertThrows(UnreachableHostException.class, () -> t.get(uri));
            assertTrue(retried.getMessage().startsWith(uri + ": connection refused (tried 3 times)\n  fix: check the mirror"),
                    retried.getMessage());
        }
    }

    @Test
    void networkFailuresAreSaidInTheUsersWords() {
        assertEquals("no such host (DNS has no address for it)",
                Network.describe(new java.net.UnknownHostException("mirror.invalid: Name or service not known")));
        java.net.ConnectException refused = new java.net.ConnectException("Failed to connect to /10.0.0.1:80");
        refused.initCause(new java.net.ConnectException("Connection refused"));
        assertEquals("connection refused", Network.describe(refused));
        assertTrue(HttpTransport.unreachable(refused));
        java.net.SocketTimeoutException connecting = new java.net.SocketTimeoutException("Connect timed out");
        assertEquals("timed out connecting to the server", Network.describe(connecting));
        assertTrue(HttpTransport.unreachable(connecting));
        java.net.SocketTimeoutException reading = new java.net.SocketTimeoutException("timeout");
        assertEquals("timed out waiting for the server", Network.describe(reading));
        assertTrue(!HttpTransport.unreachable(reading), "a stalled server was reached");
    }

    @Test
    void oneAttemptReportsAServerErrorAsTransient() {
        mirror.serve(PATH, FILE).fail(PATH, Fault.status(503));
        try (HttpTransport t = transport(Map.of())) {
            TransientFetchException e = assertThrows(TransientFetchException.class, () -> t.get(mirror.uri(PATH), 0));
            assertEquals(mirror.uri(PATH) + ": HTTP 503 from the server", e.getMessage());
        }
        assertEquals(1, mirror.requestCount());
    }

    @Test
    void getRetriesServerErrorsForSmallFiles() throws IOException {
        mirror.serve(PATH, FILE).fail(PATH, Fault.status(503));
        try (HttpTransport t = transport(Map.of())) {
            assertArrayEquals(FILE, read(t.get(mirror.uri(PATH))));
        }
        assertEquals(2, mirror.requestCount());
    }

    @Test
    void notFoundIsItsOwnError() {
        try (HttpTransport t = transport(Map.of())) {
            NotFoundException e = assertThrows(NotFoundException.class, () -> t.get(mirror.uri(PATH)));
            assertEquals(mirror.uri(PATH) + ": HTTP 404 (not found)", e.getMessage());
        }
        assertEquals(1, mirror.requestCount(), "a 404 is an answer, not retried");
    }

    @Test
    void theProxyFromTheEnvironmentReceivesTheAbsoluteUri() throws IOException {
        // the mirror plays the proxy: it is asked for the whole URL of a host that does not exist
        mirror.serve(PATH, FILE);
        URI target = URI.create("http://mirror.kiln.test" + PATH);
        try (HttpTransport t = transport(Map.of("HTTP_PROXY", "http://127.0.0.1:" + mirror.port()))) {
            assertArrayEquals(FILE, read(t.get(target)));
        }
        RecordedRequest r = mirror.requests().get(0);
        assertEquals("http://mirror.kiln.test" + PATH, r.getTarget());
        assertEquals("mirror.kiln.test", r.getHeaders().get("Host"));
    }

    @Test
    void theLowercaseProxyVariableWinsOverTheUppercaseOne() throws IOException {
        mirror.serve(PATH, FILE);
        try (TestMirror other = TestMirror.start();
             HttpTransport t = transport(Map.of(
                     "http_proxy", "127.0.0.1:" + mirror.port(),
                     "HTTP_PROXY", "http://127.0.0.1:" + other.port()))) {
            read(t.get(URI.create("http://mirror.kiln.test" + PATH)));
            assertEquals(0, other.requestCount());
        }
        assertEquals(1, mirror.requestCount());
    }

    @Test
    void proxyCredentialsInTheVariableAnswerTheProxysChallenge() throws IOException {
        mirror.serve(PATH, FILE).fail(PATH, Fault.status(407, "Proxy-Authenticate", "Basic realm=\"proxy\""));
        try (HttpTransport t = transport(Map.of("http_proxy", "http://kiln:p%40ss@127.0.0.1:" + mirror.port()))) {
            assertArrayEquals(FILE, read(t.get(URI.create("http://mirror.kiln.test" + PATH))));
        }
        List<RecordedRequest> rs = mirror.requests();
        assertEquals(2, rs.size());
        assertNull(rs.get(0).getHeaders().get("Proxy-Authorization"));
        assertEquals(basic("kiln", "p@ss"), rs.get(1).getHeaders().get("Proxy-Authorization"));
    }

    @Test
    void anUnusableProxyVariableIsAClearError() {
        FetchException e = assertThrows(FetchException.class,
                () -> transport(Map.of("https_proxy", "https://user:secret@proxy.kiln.test:3128")));
        assertTrue(e.getMessage().contains("https_proxy"), e.getMessage());
        assertTrue(e.getMessage().contains("not https://"), e.getMessage());
        assertTrue(!e.getMessage().contains("secret"), "the password is not shown: " + e.getMessage());
        assertEquals("fetch.proxy", e.code());
    }

    @Test
    void netrcCredentialsGoToTheirHostOnly() throws IOException {
        mirror.serve("/a", FILE).serve("/b", FILE);
        Path netrc = dir.resolve("netrc");
        Files.writeString(netrc, "machine localhost login kiln password s3cret\n", UTF_8);
        try (HttpTransport t = HttpTransport.builder().environment(Map.of()).netrc(netrc).build()) {
            read(t.get(mirror.uri("localhost", "/a")));
            read(t.get(mirror.uri("127.0.0.1", "/b")));
        }
        assertEquals(basic("kiln", "s3cret"), mirror.requests("/a").get(0).getHeaders().get("Authorization"));
        assertNull(mirror.requests("/b").get(0).getHeaders().get("Authorization"));
    }

    @Test
    void netrcDefaultIsSentOnlyWhenTheServerAsks() throws IOException {
        mirror.serve(PATH, FILE).fail(PATH, Fault.status(401, "WWW-Authenticate", "Basic realm=\"kiln\""));
        Path netrc = dir.resolve("netrc");
        Files.writeString(netrc, "default login anyone password guess\n", UTF_8);
        try (HttpTransport t = HttpTransport.builder().environment(Map.of()).netrc(netrc).build()) {
            assertArrayEquals(FILE, read(t.get(mirror.uri(PATH))));
        }
        List<RecordedRequest> rs = mirror.requests();
        assertNull(rs.get(0).getHeaders().get("Authorization"));
        assertEquals(basic("anyone", "guess"), rs.get(1).getHeaders().get("Authorization"));
    }

    @Test
    void refusedCredentialsSayWhereToPutThem() {
        mirror.failAlways(PATH, Fault.status(401, "WWW-Authenticate", "Basic realm=\"kiln\""));
        try (HttpTransport t = transport(Map.of())) {
            FetchException e = assertThrows(FetchException.class, () -> t.get(mirror.uri(PATH)));
            assertTrue(e.getMessage().contains("HTTP 401"), e.getMessage());
            assertTrue(e.getMessage().contains("machine 127.0.0.1 login USER password PASS"), e.getMessage());
            assertEquals("fetch.refused", e.code());
        }
    }

    @Test
    void aStalledServerTimesOut() {
        mirror.serve(PATH, FILE).failAlways(PATH, Fault.STALL_BEFORE_BODY);
        try (HttpTransport t = HttpTransport.builder().readTimeout(Duration.ofMillis(200))
                .environment(Map.of()).netrc(dir.resolve("absent")).build()) {
            TransientFetchException e = assertThrows(TransientFetchException.class, () -> t.get(mirror.uri(PATH), 0));
            assertTrue(e.getMessage().contains("timed out"), e.getMessage());
        }
    }

    private static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(UTF_8));
    }
}
