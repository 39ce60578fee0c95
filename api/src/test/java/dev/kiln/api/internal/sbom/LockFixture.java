package dev.kiln.api.internal.sbom;

import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/** A two-architecture lock as kiln writes one for bookworm with security updates: epochs, '+', '~', an Architecture: all package. */
public final class LockFixture {
    public static final String MAIN_KEY = "B8E5F13176D2A7A75220028078DBA3BC47EF2265";
    public static final String SECURITY_KEY = "5E61B217265DA9807A23C5FF4DFAB270CAA96DFA";
    public static final String SECURITY_KEY_2 = "A48F0F5AEEA9C8A0BF8ACA42B0A4FAD0F7ACEF7F";
    public static final Instant MAIN_DATE = Instant.parse("2025-01-11T10:53:13Z");
    public static final Instant SECURITY_DATE = Instant.parse("2025-02-02T21:04:11Z");

    private LockFixture() {
    }

    public static Lock.Package pkg(String name, String version, String arch, String source, int repository) {
        String file = name + "_" + version.replace(":", "%3a") + "_" + arch + ".deb";
        return new Lock.Package(name, version, arch, source, "pool/main/" + source.charAt(0) + "/" + source + "/" + file,
                1000 + name.length(), Digest.of(name + " " + version + " " + arch), repository);
    }

    public static final Lock.Package TZDATA = pkg("tzdata", "2024b-0+deb12u1", "all", "tzdata", 0);

    public static Lock lock() {
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>();
        archs.put("amd64", List.of(
                pkg("base-files", "12.4+deb12u9", "amd64", "base-files", 0),
                pkg("libc6", "2.36-9+deb12u10", "amd64", "glibc", 1),
                pkg("libstdc++6", "12.2.0-14", "amd64", "gcc-12", 0),
                TZDATA,
                pkg("zlib1g", "1:1.2.13.dfsg-1", "amd64", "zlib", 0)));
        archs.put("arm64", List.of(
                pkg("base-files", "12.4+deb12u9", "arm64", "base-files", 0),
                pkg("libc6", "2.36-9+deb12u10", "arm64", "glibc", 1),
                TZDATA,
                pkg("libfoo0", "1.0~rc1-1", "arm64", "foo", 0)));
        return new Lock(Lock.VERSION, new Lock.Spec("base.yaml", Digest.of("spec")),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} bookworm main", Digest.of("main InRelease"), MAIN_DATE,
                                Optional.empty(), List.of(MAIN_KEY)),
                        new Lock.Repository("deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main", Digest.of("security InRelease"),
                                SECURITY_DATE, Optional.of(SECURITY_DATE.plusSeconds(7 * 86400)), List.of(SECURITY_KEY, SECURITY_KEY_2))),
                new Lock.Options(Set.of("debconf"), Map.of(), false),
                archs);
    }
}
