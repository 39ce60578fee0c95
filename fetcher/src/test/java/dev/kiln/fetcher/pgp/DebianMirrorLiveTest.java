package dev.kiln.fetcher.pgp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Real Debian {@code InRelease} files from the host's own mirror must verify with the keys in
 * {@code keys/}. Live, part of the normal run. The mirror comes from
 * {@code DEBIAN_MIRROR} / {@code DEBIAN_SECURITY_MIRROR} or else the host's apt sources, so no
 * host name is written down here.
 */
class DebianMirrorLiveTest {
    private static final HttpClient HTTP = HttpClient.newBuilder()
            .connectTimeout(Duration.ofSeconds(20))
            .followRedirects(HttpClient.Redirect.NORMAL)
            .build();

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "bookworm,          B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8",
        "bookworm-updates,  B8B80B5B623EAB6AD8775C45B7C5D7D6350947F8",
        "bookworm-security, 05AB90340C0C5E797F44A8C8254CF3B5AEC0A8F0",
        "trixie,            04B54C3CDCA79751B16BC6B5225629DF75B188BD",
        "trixie-security,   5E04A1E3223A19A20706E20F9904613D4CCE68C6",
    })
    void inReleaseOfTheHostMirrorVerifiesWithTheShippedKeys(String suite, String releaseKey) throws Exception {
        String mirror = mirror(suite.endsWith("-security"));
        String url = mirror.replaceAll("/+$", "") + "/dists/" + suite + "/InRelease";
        byte[] inRelease = get(url);

        VerifiedDocument document = new SignatureVerifier(Keyring.load(KeyringTest.shippedKeys()), Instant.now())
                .verifyClearsigned(inRelease, url);

        System.out.println(suite + ": signed at " + document.signedAt() + " by " + document.signerFingerprints());
        assertTrue(document.signerFingerprints().contains(releaseKey), document.toString());
        String text = new String(document.content(), java.nio.charset.StandardCharsets.UTF_8);
        assertTrue(text.startsWith("Origin: Debian"), text.substring(0, Math.min(80, text.length())));
        assertEquals(-1, text.indexOf("-----BEGIN PGP"), "armor leaked into the content");
    }

    private static byte[] get(String url) throws IOException, InterruptedException {
        HttpResponse<byte[]> response = HTTP.send(
                HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, response.statusCode(), url);
        return response.body();
    }

    /** The mirror base URI from the environment or the host's apt sources (deb822 or one-line). */
    private static String mirror(boolean security) throws IOException {
        String fromEnvironment = System.getenv(security ? "DEBIAN_SECURITY_MIRROR" : "DEBIAN_MIRROR");
        if (fromEnvironment != null && !fromEnvironment.isBlank()) {
            return fromEnvironment;
        }
        for (String[] entry : aptSources()) {
            boolean securitySuite = Stream.of(entry).skip(1).anyMatch(suite -> suite.endsWith("-security"));
            if (securitySuite == security) {
                return entry[0];
            }
        }
        throw new IllegalStateException("no " + (security ? "security " : "") + "mirror in the host's apt sources; "
                + "set " + (security ? "DEBIAN_SECURITY_MIRROR" : "DEBIAN_MIRROR"));
    }

    /** Each source as {uri, suite, suite...}. */
    private static List<String[]> aptSources() throws IOException {
        List<String[]> sources = new ArrayList<>();
        Path directory = Path.of("/etc/apt/sources.list.d");
        if (Files.isDirectory(directory)) {
            try (Stream<Path> files = Files.list(directory)) {
                for (Path file : files.filter(f -> f.toString().endsWith(".sources")).sorted().toList()) {
                    for (String paragraph : Files.readString(file).split("\n\\s*\n")) {
                        String uris = field(paragraph, "URIs");
                        String suites = field(paragraph, "Suites");
                        if (uris != null && suites != null) {
                            for (String uri : uris.split("\\s+")) {
                                List<String> entry = new ArrayList<>(List.of(uri));
                                entry.addAll(List.of(suites.split("\\s+")));
                                sources.add(entry.toArray(String[]::new));
                            }
                        }
                    }
                }
            }
        }
        Path list = Path.of("/etc/apt/sources.list");
        if (Files.exists(list)) {
            for (String line : Files.readAllLines(list)) {
                String[] words = line.replaceAll("\\[[^]]*]", "").trim().split("\\s+");
                if (words.length >= 3 && words[0].equals("deb")) {
                    sources.add(new String[] {words[1], words[2]});
                }
            }
        }
        return sources;
    }

    private static String field(String paragraph, String name) {
        for (String line : paragraph.split("\n")) {
            if (line.regionMatches(true, 0, name + ":", 0, name.length() + 1)) {
                return line.substring(name.length() + 1).trim();
            }
        }
        return null;
    }
}
