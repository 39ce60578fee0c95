package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class LockDiffTest {
    private static final Digest SPEC = Digest.of("contents:\n  packages: [base-files, tzdata]\n");
    private static final Digest EDITED_SPEC = Digest.of("contents:\n  packages: [base-files, tzdata, curl]\n");
    private static final String MAIN = "deb [signed-by=keys/debian.asc] ${DEBIAN_MIRROR} bookworm main";
    private static final String SECURITY = "deb [signed-by=keys/debian-security.asc] ${DEBIAN_SECURITY_MIRROR} bookworm-security main";
    private static final String UPDATES = "deb [signed-by=keys/debian.asc] ${DEBIAN_MIRROR} bookworm-updates main";

    private static Lock.Repository repo(String line, String releaseText) {
        return new Lock.Repository(line, Digest.of(releaseText), Instant.parse("2024-06-29T09:41:37Z"), Optional.empty(),
                List.of("4CB50190207B4758A3F73A796ED0E7B82643E131"));
    }

    private static Lock.Package pkg(String name, String version, String arch, int repository) {
        String file = name + "_" + version + "_" + arch + ".deb";
        return new Lock.Package(name, version, arch, name, "pool/main/" + name.charAt(0) + "/" + name + "/" + file,
                file.length() * 1000L, Digest.of(file), repository);
    }

    private static final Lock.Options OPTIONS = new Lock.Options(Set.of("systemd"), Map.of("tzdata", Set.of("debconf")), false);

    /** bookworm main + security, amd64 and arm64, as the lock on disk says. */
    private static Lock old() {
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>();
        archs.put("amd64", List.of(pkg("base-files", "12.4+deb12u6", "amd64", 0), pkg("libc6", "2.36-9+deb12u7", "amd64", 1),
                pkg("tzdata", "2024a-0+deb12u1", "all", 0)));
        archs.put("arm64", List.of(pkg("base-files", "12.4+deb12u6", "arm64", 0), pkg("libc6", "2.36-9+deb12u7", "arm64", 1),
                pkg("tzdata", "2024a-0+deb12u1", "all", 0)));
        return new Lock(Lock.VERSION, new Lock.Spec("images/base.yaml", SPEC),
                List.of(repo(MAIN, "Date: Sat, 29 Jun 2024"), repo(SECURITY, "Date: Sat, 10 Aug 2024")), OPTIONS, archs);
    }

    /** The old lock with the packages of {@code arch} changed by {@code edit}. */
    private static Lock withPackages(Lock l, String arch, UnaryOperator<List<Lock.Package>> edit) {
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>(l.archs());
        archs.put(arch, edit.apply(new ArrayList<>(l.packages(arch))));
        return new Lock(l.lockVersion(), l.spec(), l.repositories(), l.options(), archs);
    }

    private static List<Lock.Package> replacing(List<Lock.Package> ps, String name, Lock.Package with) {
        ps.replaceAll(p -> p.name().equals(name) ? with : p);
        return ps;
    }

    private static List<String> diff(Lock fresh) {
        return LockDiff.between(old(), fresh).lines();
    }

    @Test
    void anIdenticalResolutionIsNotStale() {
        LockDiff d = LockDiff.between(old(), old());
        assertFalse(d.stale());
        assertEquals(List.of(), d.lines());
    }

    @Test
    void aNewerReleaseThatPicksTheSamePackagesIsNotStale() {
        Lock l = old();
        Lock fresh = new Lock(l.lockVersion(), l.spec(),
                List.of(repo(MAIN, "Date: Sat, 06 Jul 2024"), repo(SECURITY, "Date: Sat, 17 Aug 2024")), l.options(), l.archs());
        assertFalse(LockDiff.between(l, fresh).stale());
    }

    @Test
    void aVersionChangeIsOneTildeLine() {
        Lock fresh = withPackages(old(), "amd64",
                ps -> replacing(ps, "libc6", pkg("libc6", "2.36-9+deb12u8", "amd64", 1)));
        LockDiff d = LockDiff.between(old(), fresh);
        assertTrue(d.stale());
        assertEquals(List.of("~ amd64 libc6 2.36-9+deb12u7 -> 2.36-9+deb12u8"), d.lines());
    }

    @Test
    void anAddedPackageIsAPlusLine() {
        Lock fresh = withPackages(old(), "arm64", ps -> {
            ps.add(pkg("ca-certificates", "20230311", "all", 0));
            return ps;
        });
        assertEquals(List.of("+ arm64 ca-certificates 20230311"), diff(fresh));
    }

    @Test
    void aRemovedPackageIsAMinusLine() {
        Lock fresh = withPackages(old(), "amd64", ps -> {
            ps.removeIf(p -> p.name().equals("tzdata"));
            return ps;
        });
        assertEquals(List.of("- amd64 tzdata 2024a-0+deb12u1"), diff(fresh));
    }

    @Test
    void theSameVersionWithDifferentBytesIsReported() {
        Lock.Package before = pkg("base-files", "12.4+deb12u6", "amd64", 0);
        Lock.Package rebuilt = new Lock.Package(before.name(), before.version(), before.architecture(), before.source(),
                before.path(), before.size(), Digest.of("a rebuild with the same version"), before.repository());
        Lock fresh = withPackages(old(), "amd64", ps -> replacing(ps, "base-files", rebuilt));
        assertEquals(List.of("~ amd64 base-files 12.4+deb12u6: same version, different file ("
                + before.sha256().shortHex() + " -> " + rebuilt.sha256().shortHex() + ")"), diff(fresh));
    }

    @Test
    void theSameVersionAndBytesAtAnotherPathIsReported() {
        Lock.Package before = pkg("libc6", "2.36-9+deb12u7", "arm64", 1);
        Lock.Package moved = new Lock.Package(before.name(), before.version(), before.architecture(), before.source(),
                "pool/updates/main/g/glibc/libc6_2.36-9+deb12u7_arm64.deb", before.size(), before.sha256(), before.repository());
        Lock fresh = withPackages(old(), "arm64", ps -> replacing(ps, "libc6", moved));
        assertEquals(1, diff(fresh).size());
        assertTrue(diff(fresh).get(0).startsWith("~ arm64 libc6 2.36-9+deb12u7: same version, different file"), diff(fresh).get(0));
    }

    @Test
    void aChangedSpecIsReportedWithBothDigests() {
        Lock l = old();
        Lock fresh = new Lock(l.lockVersion(), new Lock.Spec("images/base.yaml", EDITED_SPEC), l.repositories(), l.options(), l.archs());
        assertEquals(List.of("~ spec images/base.yaml changed since the lock was made ("
                + SPEC.shortHex() + " -> " + EDITED_SPEC.shortHex() + ")"), diff(fresh));
    }

    @Test
    void anAddedRepositoryLineIsAPlusLine() {
        Lock l = old();
        List<Lock.Repository> repos = new ArrayList<>(l.repositories());
        repos.add(repo(UPDATES, "Date: Sat, 29 Jun 2024 09:41:37 UTC"));
        Lock fresh = new Lock(l.lockVersion(), l.spec(), repos, l.options(), l.archs());
        assertEquals(List.of("+ repository " + UPDATES), diff(fresh));
    }

    @Test
    void aRemovedRepositoryLineIsAMinusLine() {
        Lock l = old();
        Lock fresh = new Lock(l.lockVersion(), l.spec(), List.of(l.repositories().get(0)), l.options(), l.archs());
        assertEquals(List.of("- repository " + SECURITY), diff(fresh));
    }

    @Test
    void anEditedRepositoryLineIsAMinusAndAPlusLine() {
        Lock l = old();
        String withArch = MAIN.replace("[signed-by=keys/debian.asc]", "[signed-by=keys/debian.asc arch=amd64]");
        Lock fresh = new Lock(l.lockVersion(), l.spec(),
                List.of(repo(withArch, "Date: Sat, 29 Jun 2024"), l.repositories().get(1)), l.options(), l.archs());
        assertEquals(List.of("- repository " + MAIN, "+ repository " + withArch), diff(fresh));
    }

    @Test
    void changedOptionsAreOneLineShowingBothSidesInAStableOrder() {
        Lock l = old();
        // several elements, so that an unordered rendering of the sets would show
        Lock.Options wider = new Lock.Options(new LinkedHashSet<>(List.of("systemd", "perl-base", "bash", "e2fsprogs")),
                Map.of("tzdata", new LinkedHashSet<>(List.of("debconf-2.0", "debconf")), "libc6", Set.of("libgcc-s1")), true);
        Lock fresh = new Lock(l.lockVersion(), l.spec(), l.repositories(), wider, l.archs());
        assertEquals(List.of("~ options Options[exclude=[systemd], skipDependencies={tzdata=[debconf]}, recommends=false]"
                        + " -> Options[exclude=[bash, e2fsprogs, perl-base, systemd], skipDependencies={libc6=[libgcc-s1],"
                        + " tzdata=[debconf, debconf-2.0]}, recommends=true]"),
                diff(fresh));
    }

    @Test
    void optionsThatOnlyDifferInInsertionOrderAreEqual() {
        Lock l = old();
        Lock.Options same = new Lock.Options(new LinkedHashSet<>(List.of("systemd")),
                new TreeMap<>(Map.of("tzdata", new LinkedHashSet<>(List.of("debconf")))), false);
        assertFalse(LockDiff.between(l, new Lock(l.lockVersion(), l.spec(), l.repositories(), same, l.archs())).stale());
    }

    @Test
    void aWholeArchitectureAddedOrRemovedListsItsPackages() {
        Lock l = old();
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>(l.archs());
        archs.remove("arm64");
        archs.put("riscv64", List.of(pkg("base-files", "12.4+deb12u6", "riscv64", 0)));
        Lock fresh = new Lock(l.lockVersion(), l.spec(), l.repositories(), l.options(), archs);
        assertEquals(List.of(
                "- arm64 base-files 12.4+deb12u6",
                "- arm64 libc6 2.36-9+deb12u7",
                "- arm64 tzdata 2024a-0+deb12u1",
                "+ riscv64 base-files 12.4+deb12u6"), diff(fresh));
    }

    @Test
    void linesComeInAFixedOrderSpecRepositoriesOptionsThenPackagesByArchAndName() {
        Lock l = old();
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>(l.archs());
        archs.put("arm64", List.of(pkg("zlib1g", "1:1.2.13.dfsg-1", "arm64", 0), pkg("base-files", "12.5", "arm64", 0),
                pkg("libc6", "2.36-9+deb12u7", "arm64", 1), pkg("tzdata", "2024a-0+deb12u1", "all", 0)));
        archs.put("amd64", List.of(pkg("base-files", "12.4+deb12u6", "amd64", 0), pkg("libc6", "2.36-9+deb12u7", "amd64", 1)));
        Lock fresh = new Lock(l.lockVersion(), new Lock.Spec("images/base.yaml", EDITED_SPEC),
                List.of(l.repositories().get(0)), new Lock.Options(Set.of(), Map.of(), false), archs);
        List<String> lines = diff(fresh);
        List<String> starts = List.of("~ spec ", "- repository ", "~ options ", "- amd64 tzdata ", "~ arm64 base-files ",
                "+ arm64 zlib1g ");
        assertEquals(starts.size(), lines.size(), String.join("\n", lines));
        for (int i = 0; i < starts.size(); i++) {
            assertTrue(lines.get(i).startsWith(starts.get(i)), i + ": " + String.join("\n", lines));
        }
    }

    // ---- local sources

    private static dev.kiln.resolver.lock.CopyListing listing(String index) {
        return new dev.kiln.resolver.lock.CopyListing(dev.kiln.resolver.lock.CopyListing.Kind.DIRECTORY, List.of(
                dev.kiln.resolver.lock.CopyListing.Item.file("index.html", 0644, index.length(), Digest.of(index))));
    }

    private static Lock.Copy pinned(dev.kiln.resolver.lock.CopyListing l) {
        return new Lock.Copy("/app", "./app", l.digest(), l.files(), l.size());
    }

    @Test
    void aLocalSourceWhoseContentChangedIsNamedWithTheFilesThatChangedWhenBothListingsAreKnown() {
        var before = listing("<h1>hello</h1>\n");
        var after = listing("<h1>hello!</h1>\n");
        Lock was = old().withCopies(List.of(pinned(before)));
        Lock now = old().withCopies(List.of(pinned(after)));
        String head = "~ source /app from ./app: its content changed (1 file, 15 bytes, " + before.digest().shortHex()
                + " -> 1 file, 16 bytes, " + after.digest().shortHex() + ")";
        assertEquals(List.of(head), LockDiff.between(was, now).lines(), "without the listings, the digests");
        Map<Digest, dev.kiln.resolver.lock.CopyListing> store = Map.of(before.digest(), before, after.digest(), after);
        assertEquals(List.of(head, "    ~ index.html: content (15 bytes " + Digest.of("<h1>hello</h1>\n").shortHex() + " -> 16 bytes "
                        + Digest.of("<h1>hello!</h1>\n").shortHex() + ")"),
                LockDiff.between(was, now, d -> Optional.ofNullable(store.get(d))).lines());
        assertFalse(LockDiff.between(was, was.withCopies(List.of(pinned(before)))).stale());
    }

    @Test
    void aLocalSourceAddedOrRemovedIsALine() {
        Lock with = old().withCopies(List.of(pinned(listing("x"))));
        assertEquals(List.of("+ source /app from ./app (1 file, 1 bytes, " + listing("x").digest().shortHex() + ")"),
                LockDiff.between(old(), with).lines());
        assertEquals(List.of("- source /app from ./app"), LockDiff.between(with, old()).lines());
    }
}
