package dev.kiln.api.internal.sbom;

import dev.kiln.oci.OciJson;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.Digest;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Package URLs (purl-spec) for what kiln builds from: {@code pkg:deb/debian/libc6@2.36-9%2Bdeb12u7?arch=amd64&distro=bookworm}
 * and {@code pkg:oci/static@sha256:...?arch=amd64}. Components are percent-encoded as the spec
 * says: every byte of the UTF-8 form except letters, digits, {@code .-_~} and the colon; qualifier
 * keys are lowercase and sorted; a qualifier with an empty value is left out.
 */
public final class Purl {
    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private Purl() {
    }

    /** A Debian package: the type's rules lowercase the name. */
    public static String deb(String namespace, String name, String version, Map<String, String> qualifiers) {
        return "pkg:deb/" + encode(namespace.toLowerCase(Locale.ROOT)) + "/" + encode(name.toLowerCase(Locale.ROOT))
                + "@" + encode(version) + qualifiers(qualifiers);
    }

    /**
     * A locked package: {@code pkg:deb/debian/NAME@VERSION?arch=ARCH&distro=CODENAME}, the
     * codename taken from the suite of the repository it came from ({@code bookworm-security} is
     * {@code bookworm}).
     */
    public static String deb(Lock lock, Lock.Package p) {
        Map<String, String> q = new TreeMap<>();
        q.put("arch", p.architecture());
        distro(lock, p).ifPresent(d -> q.put("distro", d));
        return deb("debian", p.name(), p.version(), q);
    }

    /** An OCI image by digest; {@code arch} is the OCI architecture when the digest names one platform's manifest. */
    public static String oci(String name, Digest digest, Optional<String> arch) {
        Map<String, String> q = new TreeMap<>();
        arch.ifPresent(a -> q.put("arch", a));
        return "pkg:oci/" + encode(name.toLowerCase(Locale.ROOT)) + "@" + encode(digest.toString()) + qualifiers(q);
    }

    private static Optional<String> distro(Lock lock, Lock.Package p) {
        if (p.repository() < 0 || p.repository() >= lock.repositories().size()) {
            return Optional.empty();
        }
        String suite;
        try {
            suite = SourceLine.parse(lock.repositories().get(p.repository()).line()).suite();
        } catch (RuntimeException unparsable) {
            return Optional.empty();
        }
        int cut = suite.length();
        for (char c : new char[] {'-', '/'}) {
            int i = suite.indexOf(c);
            if (i > 0) {
                cut = Math.min(cut, i);
            }
        }
        return Optional.of(suite.substring(0, cut));
    }

    private static String qualifiers(Map<String, String> qualifiers) {
        TreeMap<String, String> sorted = new TreeMap<>(OciJson.KEY_ORDER);
        qualifiers.forEach((k, v) -> {
            if (v != null && !v.isEmpty()) {
                sorted.put(k.toLowerCase(Locale.ROOT), v);
            }
        });
        StringBuilder s = new StringBuilder();
        sorted.forEach((k, v) -> s.append(s.length() == 0 ? '?' : '&').append(k).append('=').append(encode(v)));
        return s.toString();
    }

    /** Percent-encodes a component: everything but {@code A-Za-z0-9.-_~} and {@code :}. */
    static String encode(String component) {
        StringBuilder s = new StringBuilder();
        for (byte b : component.getBytes(StandardCharsets.UTF_8)) {
            int c = b & 0xff;
            boolean plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
                    || c == '.' || c == '-' || c == '_' || c == '~' || c == ':';
            if (plain) {
                s.append((char) c);
            } else {
                s.append('%').append(HEX[c >> 4]).append(HEX[c & 0xf]);
            }
        }
        return s.toString();
    }
}
