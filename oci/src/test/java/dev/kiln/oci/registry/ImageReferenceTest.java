package dev.kiln.oci.registry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.store.Digest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ImageReferenceTest {
    static final Digest D = Digest.of("x");

    @Test
    void hostPortRepositoryAndTag() {
        ImageReference r = ImageReference.parse("127.0.0.1:5000/kiln/static:1.0-rc_1");
        assertEquals("127.0.0.1:5000", r.registry());
        assertEquals("kiln/static", r.repository());
        assertEquals(Optional.of("1.0-rc_1"), r.tag());
        assertEquals(Optional.empty(), r.digest());
        assertEquals("1.0-rc_1", r.reference());
        assertEquals("127.0.0.1:5000/kiln/static:1.0-rc_1", r.toString());
    }

    @Test
    void withoutTagOrDigestTheTagIsLatest() {
        ImageReference r = ImageReference.parse("registry.example.com/a/b/c");
        assertEquals(Optional.empty(), r.tag());
        assertEquals("latest", r.reference());
        assertEquals(Optional.of("latest"), r.tagOrDefault());
    }

    @Test
    void aDigestAloneOrWithATag() {
        ImageReference byDigest = ImageReference.parse("localhost/base@" + D);
        assertEquals(Optional.of(D), byDigest.digest());
        assertEquals(D.toString(), byDigest.reference());
        assertEquals(Optional.empty(), byDigest.tagOrDefault());
        ImageReference both = ImageReference.parse("localhost:5000/base:v1@" + D);
        assertEquals(Optional.of("v1"), both.tag());
        assertEquals(D.toString(), both.reference(), "the digest is what is fetched");
        assertEquals("localhost:5000/base:v1@" + D, both.toString());
    }

    @Test
    void ipv6HostsAreBracketed() {
        ImageReference r = ImageReference.parse("[::1]:5000/kiln:2");
        assertEquals("[::1]:5000", r.registry());
        assertEquals("kiln", r.repository());
        assertEquals(Optional.of("2"), r.tag());
    }

    @Test
    void dockerHubNamesGetLibraryAndTheOldHostIsDockerIo() {
        assertEquals("library/debian", ImageReference.parse("docker.io/debian:12").repository());
        assertEquals("docker.io", ImageReference.parse("index.docker.io/me/app").registry());
        assertEquals("me/app", ImageReference.parse("docker.io/me/app").repository());
    }

    @Test
    void aNameWithoutARegistryHostIsRefusedWithTheFix() {
        RegistryException e = assertThrows(RegistryException.class, () -> ImageReference.parse("debian:12"));
        assertTrue(e.getMessage().contains("names no registry"), e.getMessage());
        assertTrue(e.getMessage().contains("docker.io/library/debian"), e.getMessage());
        RegistryException e2 = assertThrows(RegistryException.class, () -> ImageReference.parse("me/app"));
        assertTrue(e2.getMessage().contains("'registry.example.com/me/app'"), e2.getMessage());
    }

    @Test
    void badPartsAreNamed() {
        assertBad("localhost/Kiln", "the repository part 'Kiln'");
        assertBad("localhost/kiln:-x", "the tag '-x'");
        assertBad("localhost/kiln@sha512:abcd", "kiln knows only sha256");
        assertBad("localhost/kiln@sha256:abcd", "is not sha256:<64 lowercase hex digits>");
        assertBad("localhost:99999/kiln", "the port '99999'");
        assertBad("bad_host.example/kiln", "the host 'bad_host.example'");
        assertBad("localhost/a//b", "the repository part ''");
        assertBad("localhost/", "the repository is empty");
        assertBad("", "it is empty");
        assertBad("localhost/" + "a".repeat(260), "longer than 255");
    }

    static void assertBad(String text, String why) {
        RegistryException e = assertThrows(RegistryException.class, () -> ImageReference.parse(text), text);
        assertTrue(e.getMessage().contains(why), e.getMessage());
        assertTrue(e.getMessage().contains("expected: HOST[:PORT]/REPO[:TAG]"), e.getMessage());
    }

    @Test
    void copiesWithDigestAndTag() {
        ImageReference r = ImageReference.parse("localhost/kiln:1");
        assertEquals("localhost/kiln:1@" + D, r.withDigest(D).toString());
        assertEquals("localhost/kiln:2", r.withDigest(D).withTag("2").toString());
        assertEquals("localhost/kiln", r.repositoryOnly().toString());
    }
}
