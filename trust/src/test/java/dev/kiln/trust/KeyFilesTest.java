package dev.kiln.trust;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class KeyFilesTest {
    @TempDir
    Path tmp;

    static String mode(Path p) throws IOException {
        return PosixFilePermissions.toString(Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS));
    }

    static long count(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return 0;
        }
        try (Stream<Path> s = Files.list(dir)) {
            return s.count();
        }
    }

    @Test
    void anUnencryptedPairIsAPublicKeyPemAndAPkcs8PemThatParseBackAsOnePair() throws IOException {
        KeyFiles.Written w = KeyFiles.generate(tmp.resolve("keys"), "release", Optional.empty(), false);
        assertEquals(tmp.resolve("keys/release.pub"), w.publicKey());
        assertEquals(tmp.resolve("keys/release.key"), w.privateKey());
        String pub = Files.readString(w.publicKey());
        String key = Files.readString(w.privateKey());
        assertTrue(pub.startsWith("-----BEGIN PUBLIC KEY-----\n"), pub);
        assertTrue(key.startsWith("-----BEGIN PRIVATE KEY-----\n"), key);
        VerificationKey verification = VerificationKey.read(w.publicKey());
        SigningKey signing = SigningKey.read(w.privateKey(), Optional.empty());
        assertEquals(verification, signing.verificationKey());
        assertEquals(w.fingerprint(), verification.fingerprint());
        assertFalse(w.encrypted());
        byte[] message = "an image digest".getBytes();
        assertTrue(verification.verifies(message, signing.sign(message)));
    }

    @Test
    void thePrivateKeyIs0600AndThePublicKey0644() throws IOException {
        KeyFiles.Written w = KeyFiles.generate(tmp, "k", Optional.empty(), false);
        assertEquals("rw-------", mode(w.privateKey()));
        assertEquals("rw-r--r--", mode(w.publicKey()));
    }

    @Test
    void aPasswordEncryptsThePrivateKeyAndIsNeededToReadIt() throws IOException {
        KeyFiles.Written w = KeyFiles.generate(tmp, "k", Optional.of("correct horse".toCharArray()), false);
        assertTrue(w.encrypted());
        assertTrue(Files.readString(w.privateKey()).startsWith("-----BEGIN ENCRYPTED PRIVATE KEY-----\n"));
        SigningKey key = SigningKey.read(w.privateKey(), Optional.of("correct horse".toCharArray()));
        assertEquals(w.fingerprint(), key.verificationKey().fingerprint());
        TrustException none = assertThrows(TrustException.class, () -> SigningKey.read(w.privateKey(), Optional.empty()));
        assertTrue(none.getMessage().contains("encrypted and no password was given"), none.getMessage());
        assertTrue(none.getMessage().endsWith("\n  fix: give the key's password"), none.getMessage());
        assertEquals("trust.key-password", none.code());
        TrustException wrong = assertThrows(TrustException.class,
                () -> SigningKey.read(w.privateKey(), Optional.of("battery staple".toCharArray())));
        assertTrue(wrong.getMessage().contains("wrong password"), wrong.getMessage());
        assertEquals("trust.key-password", wrong.code());
    }

    @Test
    void anEmptyPasswordIsRefused() {
        TrustException e = assertThrows(TrustException.class,
                () -> KeyFiles.generate(tmp, "k", Optional.of(new char[0]), false));
        assertTrue(e.getMessage().contains("empty password"), e.getMessage());
    }

    @Test
    void existingKeysAreNeverOverwritten() throws IOException {
        KeyFiles.Written first = KeyFiles.generate(tmp, "k", Optional.empty(), false);
        String pub = Files.readString(first.publicKey());
        String key = Files.readString(first.privateKey());
        TrustException e = assertThrows(TrustException.class, () -> KeyFiles.generate(tmp, "k", Optional.empty(), true));
        assertTrue(e.getMessage().contains("refusing to overwrite the existing key"), e.getMessage());
        assertEquals(pub, Files.readString(first.publicKey()));
        assertEquals(key, Files.readString(first.privateKey()));
    }

    @Test
    void aLonePublicKeyOfThatNameIsNotOverwrittenEither() throws IOException {
        Files.writeString(tmp.resolve("k.pub"), "trusted");
        assertThrows(TrustException.class, () -> KeyFiles.generate(tmp, "k", Optional.empty(), false));
        assertEquals("trusted", Files.readString(tmp.resolve("k.pub")));
        assertFalse(Files.exists(tmp.resolve("k.key")), "nothing partial");
    }

    @Test
    void aNameWithASlashIsRefused() {
        assertThrows(TrustException.class, () -> KeyFiles.generate(tmp, "../k", Optional.empty(), false));
        assertThrows(TrustException.class, () -> KeyFiles.generate(tmp, ".hidden", Optional.empty(), false));
    }

    @Test
    void insideAGitWorkTreeThePrivateKeyIsRefusedAndNothingIsWritten() throws IOException {
        Files.createDirectories(tmp.resolve("repo/.git"));
        Path keys = tmp.resolve("repo/deep/keys");
        TrustException e = assertThrows(TrustException.class, () -> KeyFiles.generate(keys, "k", Optional.empty(), false));
        assertTrue(e.getMessage().contains("inside the git work tree " + tmp.resolve("repo")), e.getMessage());
        assertTrue(e.getMessage().contains("fix: write it outside the work tree"), e.getMessage());
        assertEquals(0, count(keys));
    }

    @Test
    void aGitWorktreesDotGitFileCountsToo() throws IOException {
        Files.createDirectories(tmp.resolve("wt"));
        Files.writeString(tmp.resolve("wt/.git"), "gitdir: /elsewhere/.git/worktrees/wt\n");
        assertThrows(TrustException.class, () -> KeyFiles.generate(tmp.resolve("wt/keys"), "k", Optional.empty(), false));
        assertEquals(Optional.of(tmp.resolve("wt")), KeyFiles.gitWorkTree(tmp.resolve("wt/keys/sub")));
        assertEquals(Optional.empty(), KeyFiles.gitWorkTree(tmp.resolve("elsewhere")));
    }

    @Test
    void forcedInsideAGitWorkTreeTheKeyIsGitIgnored() throws Exception {
        assumeTrue(Tools.onPath("git"), "git is not installed");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Tools.ok(repo, "git", "init", "-q");
        KeyFiles.Written w = KeyFiles.generate(repo.resolve("keys"), "release", Optional.empty(), true);
        assertEquals(Optional.of(repo.resolve("keys/.gitignore")), w.ignoredBy());
        assertEquals(0, Tools.run(repo, "git", "check-ignore", "-q", "keys/release.key").exit(), "the private key is ignored");
        assertEquals(1, Tools.run(repo, "git", "check-ignore", "-q", "keys/release.pub").exit(), "the public key is not");
        String status = Tools.ok(repo, "git", "status", "--porcelain", "--untracked-files=all");
        assertFalse(status.contains("release.key"), status);
    }

    @Test
    void forcedWhereGitAlreadyIgnoresTheKeyNothingIsAdded() throws Exception {
        assumeTrue(Tools.onPath("git"), "git is not installed");
        Path repo = Files.createDirectories(tmp.resolve("repo"));
        Tools.ok(repo, "git", "init", "-q");
        Files.writeString(repo.resolve(".gitignore"), "keys/*.key\n");
        KeyFiles.Written w = KeyFiles.generate(repo.resolve("keys"), "release", Optional.empty(), true);
        assertEquals(Optional.empty(), w.ignoredBy());
        assertFalse(Files.exists(repo.resolve("keys/.gitignore")));
    }

    @Test
    void kilnsOwnRepositoryIgnoresPrivateKeysInKeys() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assumeTrue(Tools.onPath("git") && Files.exists(root.resolve(".git")), "not a git checkout");
        assertEquals(0, Tools.run(root, "git", "check-ignore", "-q", "keys/release.key").exit());
        assertEquals(1, Tools.run(root, "git", "check-ignore", "-q", "keys/release.pub").exit());
    }

    // ---- peers: openssl reads kiln's keys and kiln reads openssl's ----

    @Test
    void opensslReadsBothKeysAndDerivesTheSamePublicKey() throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        KeyFiles.Written plain = KeyFiles.generate(tmp, "plain", Optional.empty(), false);
        assertEquals(Files.readString(plain.publicKey()),
                Tools.ok(tmp, "openssl", "pkey", "-in", plain.privateKey().toString(), "-pubout"));
        KeyFiles.Written encrypted = KeyFiles.generate(tmp, "enc", Optional.of("s3cret pass".toCharArray()), false);
        assertEquals(Files.readString(encrypted.publicKey()), Tools.ok(tmp, "openssl", "pkey", "-in",
                encrypted.privateKey().toString(), "-passin", "pass:s3cret pass", "-pubout"));
        String params = Tools.ok(tmp, "openssl", "asn1parse", "-in", encrypted.privateKey().toString());
        assertTrue(params.contains("PBES2") && params.contains("PBKDF2") && params.contains("hmacWithSHA256")
                && params.contains("aes-256-cbc"), params);
        String text = Tools.ok(tmp, "openssl", "pkey", "-pubin", "-in", plain.publicKey().toString(), "-text", "-noout");
        assertTrue(text.contains("prime256v1"), text);
    }

    @Test
    void kilnReadsOpensslKeysInPkcs8AndSec1Form() throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        Tools.ok(tmp, "openssl", "ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", "sec1.pem");
        Tools.ok(tmp, "openssl", "pkcs8", "-topk8", "-in", "sec1.pem", "-passout", "pass:pw", "-out", "enc.pem");
        Tools.ok(tmp, "openssl", "ec", "-in", "sec1.pem", "-pubout", "-out", "pub.pem");
        assertTrue(Files.readString(tmp.resolve("sec1.pem")).startsWith("-----BEGIN EC PRIVATE KEY-----"));
        VerificationKey pub = VerificationKey.read(tmp.resolve("pub.pem"));
        assertEquals(pub, SigningKey.read(tmp.resolve("sec1.pem"), Optional.empty()).verificationKey());
        assertEquals(pub, SigningKey.read(tmp.resolve("enc.pem"), Optional.of("pw".toCharArray())).verificationKey());
    }

    @Test
    void anRsaKeyIsRefusedSayingWhatIsExpected() throws Exception {
        assumeTrue(Tools.onPath("openssl"), "openssl is not installed");
        Tools.ok(tmp, "openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa.pem");
        Tools.ok(tmp, "openssl", "pkey", "-in", "rsa.pem", "-pubout", "-out", "rsa.pub");
        TrustException priv = assertThrows(TrustException.class,
                () -> SigningKey.read(tmp.resolve("rsa.pem"), Optional.empty()));
        assertTrue(priv.getMessage().contains("expected an ECDSA P-256 private key"), priv.getMessage());
        TrustException pub = assertThrows(TrustException.class, () -> VerificationKey.read(tmp.resolve("rsa.pub")));
        assertTrue(pub.getMessage().contains("expected an ECDSA P-256 public key"), pub.getMessage());
    }

    @Test
    void aPrivateKeyGivenAsPublicKeyIsRefusedWithAHint() throws IOException {
        KeyFiles.Written w = KeyFiles.generate(tmp, "k", Optional.empty(), false);
        TrustException e = assertThrows(TrustException.class, () -> VerificationKey.read(w.privateKey()));
        assertTrue(e.getMessage().contains("found 'PRIVATE KEY'"), e.getMessage());
        TrustException other = assertThrows(TrustException.class, () -> SigningKey.read(w.publicKey(), Optional.empty()));
        assertTrue(other.getMessage().contains("expected a PKCS#8"), other.getMessage());
    }
}
