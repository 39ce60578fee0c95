package dev.kiln.api.internal.sbom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class PurlTest {
    /** scheme:type/namespace/name@version?qualifiers, from the purl spec's grammar, in the canonical character set. */
    static final Pattern PURL = Pattern.compile(
            "pkg:(?<type>[a-z][a-z0-9.+-]*)/(?:(?<namespace>[^/@?#]+)/)?(?<name>[^/@?#]+)(?:@(?<version>[^?#]+))?"
                    + "(?:\\?(?<qualifiers>[a-z0-9._-]+=[^&#]+(?:&[a-z0-9._-]+=[^&#]+)*))?");
    static final Pattern CANONICAL_CHARS = Pattern.compile("[A-Za-z0-9.\\-_~%:/@?=&#]+");

    static Matcher parse(String purl) {
        assertTrue(CANONICAL_CHARS.matcher(purl).matches(), "only the permitted characters: " + purl);
        Matcher m = PURL.matcher(purl);
        assertTrue(m.matches(), "a purl: " + purl);
        return m;
    }

    static String decode(String s) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%') {
                out.write(Integer.parseInt(s.substring(i + 1, i + 3), 16));
                i += 2;
            } else {
                out.write(c);
            }
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void everyLockedPackageGivesAWellFormedDebPurlThatDecodesBackToItsNameAndVersion() {
        Lock lock = LockFixture.lock();
        for (Lock.Package p : lock.allPackages()) {
            Matcher m = parse(Purl.deb(lock, p));
            assertEquals("deb", m.group("type"));
            assertEquals("debian", m.group("namespace"));
            assertEquals(p.name(), decode(m.group("name")));
            assertEquals(p.version(), decode(m.group("version")));
            assertTrue(m.group("qualifiers").startsWith("arch=" + p.architecture() + "&distro="), m.group("qualifiers"));
        }
    }

    @Test
    void plusIsEncodedColonAndTildeAreNot() {
        assertEquals("pkg:deb/debian/libstdc%2B%2B6@1:12.2.0-14~b1%2Bdeb12u1?arch=amd64",
                Purl.deb("debian", "libstdc++6", "1:12.2.0-14~b1+deb12u1", Map.of("arch", "amd64")));
    }

    @Test
    void namesAreLowercasedQualifiersSortedAndEmptyOnesLeftOut() {
        Map<String, String> q = new TreeMap<>();
        q.put("distro", "bookworm");
        q.put("Arch", "arm64");
        q.put("upstream", "");
        assertEquals("pkg:deb/debian/foo@1.0?arch=arm64&distro=bookworm", Purl.deb("Debian", "Foo", "1.0", q));
        assertEquals("pkg:deb/debian/a%20b@1?arch=a%26b", Purl.deb("debian", "a b", "1", Map.of("arch", "a&b")));
    }

    @Test
    void theDistroIsTheCodenameOfTheRepositorysSuite() {
        Lock lock = LockFixture.lock();
        Lock.Package fromSecurity = lock.packages("amd64").get(1);
        assertEquals(1, fromSecurity.repository());
        assertTrue(Purl.deb(lock, fromSecurity).endsWith("&distro=bookworm"), Purl.deb(lock, fromSecurity));
        Lock.Package nowhere = new Lock.Package("x", "1", "amd64", "x", "pool/x.deb", 1, Digest.of("x"), 7);
        assertEquals("pkg:deb/debian/x@1?arch=amd64", Purl.deb(lock, nowhere), "no repository, no distro qualifier");
    }

    @Test
    void anOciPurlNamesTheDigestAsItsVersion() {
        Digest d = Digest.of("m");
        Matcher m = parse(Purl.oci("My/Image", d, Optional.of("arm64")));
        assertEquals("oci", m.group("type"));
        assertEquals("my%2Fimage", m.group("name"));
        assertEquals(d.toString(), m.group("version"));
        assertEquals("arch=arm64", m.group("qualifiers"));
    }
}
