package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.fetcher.Download;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import dev.kiln.store.KilnException;
import java.net.URI;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class LockDownloadsTest {
    private static final Digest LIBC = Digest.of("libc6");
    private static final Digest ALL = Digest.of("tzdata");

    private static Lock lock() {
        Digest d = Digest.of("x");
        List<Lock.Repository> repos = List.of(
                new Lock.Repository("deb ${DEBIAN_MIRROR} bookworm main", d, Instant.EPOCH, Optional.empty(), List.of()),
                new Lock.Repository("deb ${DEBIAN_SECURITY_MIRROR} bookworm-security main", d, Instant.EPOCH, Optional.empty(), List.of()));
        Lock.Package libc = new Lock.Package("libc6", "2.36-9", "amd64", "glibc", "pool/main/g/glibc/libc6_2.36-9_amd64.deb", 10, LIBC, 0);
        Lock.Package tz = new Lock.Package("tzdata", "2025b", "all", "tzdata", "pool/updates/main/t/tzdata/tzdata_2025b_all.deb", 20, ALL, 1);
        Lock.Package tzArm = new Lock.Package("tzdata", "2025b", "all", "tzdata", "pool/updates/main/t/tzdata/tzdata_2025b_all.deb", 20, ALL, 1);
        return new Lock(Lock.VERSION, new Lock.Spec("s.yaml", d), repos, new Lock.Options(Set.of(), Map.of(), false),
                new TreeMap<>(Map.of("amd64", List.of(libc, tz), "arm64", List.of(tzArm))));
    }

    @Test
    void eachPackageIsFetchedOnceFromItsRepositoryUnderEveryMirrorInOrder() {
        List<Download> ds = LockDownloads.of(lock(), Map.of(
                "DEBIAN_MIRROR", "http://a.example/debian http://b.example/debian/",
                "DEBIAN_SECURITY_MIRROR", "http://s.example/debian-security"));
        assertEquals(2, ds.size(), "an arch-all package shared by two archs is one download");
        Download libc = ds.get(0);
        assertEquals(List.of(URI.create("http://a.example/debian/pool/main/g/glibc/libc6_2.36-9_amd64.deb"),
                URI.create("http://b.example/debian/pool/main/g/glibc/libc6_2.36-9_amd64.deb")), libc.urls());
        assertEquals(LIBC, libc.sha256());
        assertEquals(10, libc.size());
        assertEquals(List.of(URI.create("http://s.example/debian-security/pool/updates/main/t/tzdata/tzdata_2025b_all.deb")),
                ds.get(1).urls());
    }

    @Test
    void anUnsetMirrorVariableIsAClearError() {
        assertThrows(KilnException.class, () -> LockDownloads.of(lock(), Map.of("DEBIAN_MIRROR", "http://a.example/debian")));
    }
}
