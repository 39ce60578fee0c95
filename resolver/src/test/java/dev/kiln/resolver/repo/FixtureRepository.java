package dev.kiln.resolver.repo;

import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPOutputStream;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okio.Buffer;
import org.tukaani.xz.LZMA2Options;
import org.tukaani.xz.XZOutputStream;

/**
 * A Debian repository made at test time: a Packages index (xz and gz), a Release listing their
 * sizes and hashes, an InRelease clearsigned by a key made at test time, served from a local HTTP
 * server. Each field can be set wrong on purpose before {@link #publish()}.
 */
final class FixtureRepository implements AutoCloseable {
    static final String SUITE = "stable";
    private static final DateTimeFormatter RFC2822 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    final MockWebServer server = new MockWebServer();
    final Map<String, byte[]> files = new HashMap<>();
    final Set<String> missing = new HashSet<>();
    final AtomicInteger requests = new AtomicInteger();

    String packages = """
            Package: hello
            Version: 2.10-3
            Architecture: amd64
            Priority: optional
            Depends: libc-fixture (>= 1.0)
            Filename: pool/main/h/hello/hello_2.10-3_amd64.deb
            Size: 1234
            SHA256: 1111111111111111111111111111111111111111111111111111111111111111
            Description: says hello
             with a continuation line

            Package: libc-fixture
            Version: 1.2-1
            Architecture: amd64
            Priority: required
            Filename: pool/main/libc/libc-fixture_1.2-1_amd64.deb
            Size: 99
            SHA256: 2222222222222222222222222222222222222222222222222222222222222222
            """;
    Instant date = Instant.parse("2026-11-20T10:00:00Z");
    Instant validUntil = null;
    String suiteField = SUITE;
    boolean byHash = true;
    Set<String> listed = Set.of("Packages", "Packages.xz", "Packages.gz");
    /** Added to the size the Release gives the uncompressed Packages (which kiln reads only as a hint). */
    int plainSizeError;
    TestKey signer;

    FixtureRepository(TestKey signer) throws IOException {
        this.signer = signer;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.incrementAndGet();
                String path = request.getUrl().encodedPath().substring(1);
                byte[] body = files.get(path);
                if (body == null || missing.contains(path)) {
                    return new MockResponse.Builder().code(404).build();
                }
                return new MockResponse.Builder().code(200).body(new Buffer().write(body)).build();
            }
        });
        server.start();
    }

    String url() {
        String u = server.url("/").toString();
        return u.endsWith("/") ? u.substring(0, u.length() - 1) : u;
    }

    String dists() {
        return "dists/" + SUITE + "/";
    }

    /** Builds every file from the current fields; returns the Release text. */
    String publish() throws IOException {
        files.clear();
        byte[] plain = packages.getBytes(StandardCharsets.UTF_8);
        byte[] xz = xz(plain);
        byte[] gz = gz(plain);
        String idx = "main/binary-amd64/";
        StringBuilder release = new StringBuilder();
        release.append("Origin: Fixture\nLabel: Fixture\nSuite: ").append(suiteField).append("\nCodename: ").append(suiteField)
                .append("\nDate: ").append(RFC2822.format(date)).append('\n');
        if (validUntil != null) {
            release.append("Valid-Until: ").append(RFC2822.format(validUntil)).append('\n');
        }
        if (byHash) {
            release.append("Acquire-By-Hash: yes\n");
        }
        release.append("Architectures: amd64\nComponents: main\nSHA256:\n");
        for (Map.Entry<String, byte[]> e : Map.of("Packages", plain, "Packages.xz", xz, "Packages.gz", gz).entrySet()) {
            if (!listed.contains(e.getKey())) {
                continue;
            }
            int size = e.getValue().length + (e.getKey().equals("Packages") ? plainSizeError : 0);
            release.append(' ').append(Digest.of(e.getValue()).hex()).append(' ').append(size)
                    .append(' ').append(idx).append(e.getKey()).append('\n');
        }
        String text = release.toString();
        files.put(dists() + idx + "Packages", plain);
        files.put(dists() + idx + "Packages.xz", xz);
        files.put(dists() + idx + "Packages.gz", gz);
        files.put(dists() + idx + "by-hash/SHA256/" + Digest.of(xz).hex(), xz);
        files.put(dists() + idx + "by-hash/SHA256/" + Digest.of(gz).hex(), gz);
        files.put(dists() + idx + "by-hash/SHA256/" + Digest.of(plain).hex(), plain);
        files.put(dists() + "Release", text.getBytes(StandardCharsets.UTF_8));
        files.put(dists() + "Release.gpg", signer.detachSign(text.getBytes(StandardCharsets.UTF_8)));
        files.put(dists() + "InRelease", signer.clearsign(text.getBytes(StandardCharsets.UTF_8)));
        return text;
    }

    static byte[] xz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (XZOutputStream x = new XZOutputStream(out, new LZMA2Options())) {
            x.write(data);
        }
        return out.toByteArray();
    }

    static byte[] gz(byte[] data) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream g = new GZIPOutputStream(out)) {
            g.write(data);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        server.close();
    }
}
