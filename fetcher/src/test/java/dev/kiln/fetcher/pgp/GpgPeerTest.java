package dev.kiln.fetcher.pgp;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.testing.TestKey;
import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Holds kiln's signing test utilities and verifier against GnuPG, the implementation apt runs:
 * gpgv must accept what {@link TestKey} signs, and kiln must accept what gpg signs.
 */
class GpgPeerTest {
    /** Text that exercises canonicalization: trailing blanks, tabs, CRLF, dashes, "From ", empty lines. */
    private static final String TEXT = "Origin: Peer  \nSuite: stable\t\nDescription: crlf line\r\n"
            + "-----BEGIN PGP SIGNATURE-----\n- dash space\nFrom the start\n\n  indented\nLast: line\n";
    private static final String SIGNED_TEXT = "Origin: Peer\nSuite: stable\nDescription: crlf line\n"
            + "-----BEGIN PGP SIGNATURE-----\n- dash space\nFrom the start\n\n  indented\nLast: line";

    @TempDir
    Path dir;

    @Test
    void gpgvAcceptsOurClearsignedFileWithSeveralSigners() throws Exception {
        assertTrue(onPath("gpgv"), "gpgv is not installed: .ci/run installs it");
        TestKey ed25519 = TestKey.generate("Peer Ed25519 <ed@kiln.test>");
        TestKey rsa = TestKey.generateRsa("Peer RSA <rsa@kiln.test>", 2048).withSigningSubkey();
        Path keyring = writeKeyring(ed25519, rsa);
        Path signed = dir.resolve("InRelease");
        Files.write(signed, TestKey.clearsign(TEXT.getBytes(UTF_8), List.of(ed25519, rsa)));

        Result gpgv = run(List.of("gpgv", "--homedir", gnupgHome().toString(), "--status-fd", "1",
                "--keyring", keyring.toString(), signed.toString()));

        assertEquals(0, gpgv.exit(), gpgv.output());
        assertEquals(2, gpgv.output().lines().filter(line -> line.startsWith("[GNUPG:] VALIDSIG")).count(), gpgv.output());
    }

    @Test
    void gpgvAcceptsOurDetachedSignature() throws Exception {
        assertTrue(onPath("gpgv"), "gpgv is not installed: .ci/run installs it");
        TestKey key = TestKey.generate("Peer <peer@kiln.test>");
        Path keyring = writeKeyring(key);
        Path release = Files.write(dir.resolve("Release"), TEXT.getBytes(UTF_8));
        Path signature = Files.write(dir.resolve("Release.gpg"), key.detachSign(TEXT.getBytes(UTF_8)));

        Result gpgv = run(List.of("gpgv", "--homedir", gnupgHome().toString(), "--keyring", keyring.toString(),
                signature.toString(), release.toString()));

        assertEquals(0, gpgv.exit(), gpgv.output());
    }

    @Test
    void gpgvRefusesOurClearsignedFileOnceAltered() throws Exception {
        assertTrue(onPath("gpgv"), "gpgv is not installed: .ci/run installs it");
        TestKey key = TestKey.generate("Peer <peer@kiln.test>");
        Path keyring = writeKeyring(key);
        String signed = new String(key.clearsign(TEXT.getBytes(UTF_8)), UTF_8);
        Path altered = Files.writeString(dir.resolve("InRelease"), signed.replace("Suite: stable", "Suite: stabel"));

        Result gpgv = run(List.of("gpgv", "--homedir", gnupgHome().toString(), "--keyring", keyring.toString(),
                altered.toString()));

        assertNotEquals(0, gpgv.exit(), gpgv.output());
    }

    @Test
    void kilnAcceptsWhatGpgClearsigns() throws Exception {
        assertTrue(onPath("gpg") && onPath("gpgconf"), "gpg is not installed: .ci/run installs it");
        Path home = gnupgHome();
        try {
            List<String> gpg = List.of("gpg", "--homedir", home.toString(), "--batch", "--pinentry-mode", "loopback",
                    "--passphrase", "");
            Result generated = run(concat(gpg, "--quick-generate-key", "GnuPG Peer <gpg@kiln.test>", "ed25519", "sign", "never"));
            assertEquals(0, generated.exit(), generated.output());
            Path text = Files.write(dir.resolve("Release"), TEXT.getBytes(UTF_8));
            Result signed = run(concat(gpg, "--digest-algo", "SHA512", "--clearsign", "--output",
                    dir.resolve("InRelease").toString(), text.toString()));
            assertEquals(0, signed.exit(), signed.output());
            Result exported = run(concat(gpg, "--output", dir.resolve("peer.gpg").toString(), "--export", "gpg@kiln.test"));
            assertEquals(0, exported.exit(), exported.output());

            Keyring keyring = Keyring.load(dir.resolve("peer.gpg"));
            VerifiedDocument document = new SignatureVerifier(keyring, Instant.now())
                    .verifyClearsigned(Files.readAllBytes(dir.resolve("InRelease")), "gpg's InRelease");

            assertArrayEquals(SIGNED_TEXT.getBytes(UTF_8), document.content());
            assertEquals(keyring.fingerprints(), document.signerFingerprints());
        } finally {
            run(List.of("gpgconf", "--homedir", home.toString(), "--kill", "gpg-agent"));
        }
    }

    private Path gnupgHome() throws IOException {
        Path home = dir.resolve("gnupg");
        if (!Files.isDirectory(home)) {
            Files.createDirectory(home);
            home.toFile().setReadable(false, false);
            home.toFile().setReadable(true, true);
            home.toFile().setExecutable(false, false);
            home.toFile().setExecutable(true, true);
        }
        return home;
    }

    private Path writeKeyring(TestKey... keys) throws IOException {
        Path keyring = dir.resolve("trusted.gpg");
        for (TestKey key : keys) {
            Files.write(keyring, key.publicKeyBinary(), java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        }
        return keyring;
    }

    private record Result(int exit, String output) {}

    private Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), UTF_8);
        assertTrue(process.waitFor(60, TimeUnit.SECONDS), "timed out: " + command);
        return new Result(process.exitValue(), String.join(" ", command) + "\n" + output);
    }

    private static List<String> concat(List<String> first, String... more) {
        List<String> all = new ArrayList<>(first);
        all.addAll(List.of(more));
        return all;
    }

    private static boolean onPath(String program) {
        return Stream.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))
                .anyMatch(directory -> Files.isExecutable(Path.of(directory, program)));
    }
}
