package dev.kiln.api.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.api.testing.FixtureRepository.PackageFile;
import dev.kiln.api.testing.FixtureRepository.Published;
import dev.kiln.fetcher.testing.TestKey;
import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.store.Digest;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A Debian mirror made at test time with several suites (say {@code stable} and
 * {@code stable-security}) and two architectures, amd64 and arm64: each suite with its own
 * packages, {@code Date} and {@code Valid-Until}, its InRelease clearsigned by a key made at test
 * time and re-signed by each {@link #publish}. The packages are .debs built as
 * {@link FixtureRepository} builds them; {@link #changelog} makes a {@code changelog.Debian.gz}.
 */
public final class SuitesRepository implements AutoCloseable {
    public static final List<String> ARCHS = List.of("amd64", "arm64");
    private static final DateTimeFormatter RFC2822 =
            DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss 'UTC'", Locale.ROOT).withZone(ZoneOffset.UTC);

    private final TestMirror mirror = TestMirror.start();
    private final TestKey key = TestKey.generate("kiln suites fixture <suites@example.invalid>");
    /** Each suite's index stanzas, per architecture. */
    private final Map<String, Map<String, StringBuilder>> suites = new LinkedHashMap<>();

    /**
     * Builds a .deb for {@code arch} ({@code all} goes into every architecture's index) and lists it
     * in {@code suite}'s index; {@link #publish} serves it.
     */
    public Published add(String suite, String name, String version, String arch, String source, List<PackageFile> files) {
        String control = "Package: " + name + "\nVersion: " + version + "\nArchitecture: " + arch + "\n"
                + (source.isEmpty() ? "" : "Source: " + source + "\n")
                + "Maintainer: Kiln Fixtures <fixtures@example.invalid>\nInstalled-Size: 1\n"
                + "Section: misc\nPriority: optional\nDescription: " + name + " for update tests\n a fixture package\n";
        byte[] deb = FixtureRepository.deb(control, files);
        String path = "pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_" + version + "_" + arch + ".deb";
        mirror.serve("/debian/" + path, deb);
        Published p = new Published(name, version, path, deb.length, Digest.of(deb));
        String stanza = control.substring(0, control.indexOf("Description:")) + "Filename: " + path + "\nSize: " + deb.length
                + "\nSHA256: " + p.sha256().hex() + "\n" + control.substring(control.indexOf("Description:")) + "\n";
        Map<String, StringBuilder> byArch = suites.computeIfAbsent(suite, s -> new LinkedHashMap<>());
        for (String a : ARCHS) {
            if (arch.equals("all") || arch.equals(a)) {
                byArch.computeIfAbsent(a, x -> new StringBuilder()).append(stanza);
            }
        }
        return p;
    }

    /** Serves {@code suite}'s indexes and a Release dated {@code date}, valid until {@code validUntil} (null: no limit), signed anew. */
    public void publish(String suite, Instant date, Instant validUntil) {
        Map<String, StringBuilder> byArch = suites.computeIfAbsent(suite, s -> new LinkedHashMap<>());
        StringBuilder release = new StringBuilder("Origin: Fixture\nLabel: Fixture\nSuite: " + suite + "\nCodename: " + suite
                + "\nDate: " + RFC2822.format(date) + "\n"
                + (validUntil == null ? "" : "Valid-Until: " + RFC2822.format(validUntil) + "\n")
                + "Architectures: " + String.join(" ", ARCHS) + "\nComponents: main\nSHA256:\n");
        for (String arch : ARCHS) {
            byte[] plain = byArch.getOrDefault(arch, new StringBuilder()).toString().getBytes(UTF_8);
            Map<String, byte[]> indexes = new LinkedHashMap<>();
            indexes.put("Packages", plain);
            indexes.put("Packages.gz", FixtureRepository.compress(plain, true));
            String dir = "main/binary-" + arch + "/";
            indexes.forEach((name, bytes) -> {
                release.append(' ').append(Digest.of(bytes).hex()).append(' ').append(bytes.length).append(' ')
                        .append(dir).append(name).append('\n');
                mirror.serve("/debian/dists/" + suite + "/" + dir + name, bytes);
            });
        }
        byte[] text = release.toString().getBytes(UTF_8);
        mirror.serve("/debian/dists/" + suite + "/Release", text);
        mirror.serve("/debian/dists/" + suite + "/InRelease", key.clearsign(text));
    }

    /** The spec's line for {@code suite}, trusting the fixture key (written to {@code keyFile}). */
    public String sourceLine(Path keyFile, String suite) {
        key.writePublicKey(keyFile);
        return "deb [signed-by=" + keyFile.toAbsolutePath() + "] " + mirror.uri("/debian") + " " + suite + " main";
    }

    /** How many requests the mirror has had (for tests that must show nothing was fetched). */
    public int requestCount() {
        return mirror.requestCount();
    }

    /** One changelog entry in Debian's form: header, the changes, trailer. */
    public static String entry(String source, String version, String suite, String urgency, String... changes) {
        StringBuilder s = new StringBuilder(source + " (" + version + ") " + suite + "; urgency=" + urgency + "\n\n");
        for (String c : changes) {
            s.append("  * ").append(c).append('\n');
        }
        return s.append("\n -- Kiln Fixtures <fixtures@example.invalid>  Mon, 20 Oct 2025 10:00:00 +0000\n\n").toString();
    }

    /** {@code /usr/share/doc/NAME/changelog.Debian.gz} holding {@code entries}, newest first. */
    public static PackageFile changelog(String name, String... entries) {
        byte[] gz = FixtureRepository.compress(String.join("", entries).getBytes(UTF_8), true);
        return new PackageFile("/usr/share/doc/" + name + "/changelog.Debian.gz", 0644, 1_700_000_000L, gz, null);
    }

    /** A package's doc directory as a link to another package's, as packages of one source often ship it. */
    public static PackageFile docLink(String name, String otherPackage) {
        return PackageFile.symlink("/usr/share/doc/" + name, otherPackage, 1_700_000_000L);
    }

    /** Files enough for a package to unpack (a changelog aside). */
    public static List<PackageFile> files(String name, PackageFile... more) {
        List<PackageFile> out = new ArrayList<>(List.of(more));
        out.add(0, PackageFile.file("/usr/lib/" + name + "/VERSION", 0644, 1_700_000_000L, name + "\n"));
        return out;
    }

    @Override
    public void close() {
        mirror.close();
    }
}
