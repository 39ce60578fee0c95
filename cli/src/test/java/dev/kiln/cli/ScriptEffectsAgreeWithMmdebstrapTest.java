package dev.kiln.cli;

import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.api.SystemDefaults;
import dev.kiln.api.testing.Locks;
import dev.kiln.cli.TreeListing.Node;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.resolver.spec.ImageSpecParser;
import dev.kiln.resolver.spec.PackageRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The oracle of what maintainer scripts would have done (issue 15): for each package set,
 * {@code mmdebstrap --variant=apt --mode=root} installs it from the host's mirror with dpkg,
 * running every maintainer script in a chroot, and kiln builds an image of <em>the same closure</em>:
 * every package mmdebstrap installed, pinned to the version it installed (the Essential set and apt,
 * which the variant brings, included, so their scripts' effects are compared too rather than
 * showing up as thousands of files kiln never installs). The two trees must then agree on every
 * path, its type, mode, owner and link target, but for the differences kiln keeps on purpose, listed
 * once in {@link OracleAllowList} with a reason each. Live: the host's Debian mirror; the
 * mmdebstrap runs (about 50 s each) go two at a time while kiln builds the sets already installed.
 */
class ScriptEffectsAgreeWithMmdebstrapTest {
    private static final String SUITE = "bookworm";
    private static final List<String> EXAMPLES = List.of("static", "base", "cc", "python3", "busybox");

    /**
     * One comparison: what mmdebstrap is asked to include, and the path filter both sides apply
     * (dpkg's {@code path-exclude}/{@code path-include} for mmdebstrap, the spec's {@code path-filter} for kiln).
     */
    record PackageSet(String name, List<String> include, List<ImageSpec.PathRule> pathFilter) {
        @Override
        public String toString() {
            return name;
        }
    }

    private static Path tmp;
    private static ExecutorService mmdebstrap;
    private static final Map<String, Future<Path>> CHROOTS = new ConcurrentHashMap<>();
    private static final Set<OracleAllowList.Allowed> PENDING_SEEN = ConcurrentHashMap.newKeySet();
    private static final Set<String> COMPARED = ConcurrentHashMap.newKeySet();

    /**
     * The package lists, and the examples' packages grouped by their path filter (the
     * examples sharing a filter are installed together: a closure covering each of theirs, one run).
     */
    static List<PackageSet> sets() {
        List<PackageSet> sets = new ArrayList<>(List.of(
                new PackageSet("openjdk-17-jre-headless", List.of("openjdk-17-jre-headless"), List.of()),
                new PackageSet("nginx", List.of("nginx"), List.of()),
                new PackageSet("gcc g++ make", List.of("gcc", "g++", "make"), List.of()),
                new PackageSet("python3", List.of("python3"), List.of()),
                new PackageSet("mawk xz-utils debianutils tar", List.of("mawk", "xz-utils", "debianutils", "tar"), List.of())));
        Map<List<String>, List<String>> byFilter = new LinkedHashMap<>();
        Map<List<String>, TreeSet<String>> packages = new LinkedHashMap<>();
        Map<List<String>, List<ImageSpec.PathRule>> filters = new LinkedHashMap<>();
        for (String example : EXAMPLES) {
            ImageSpec spec = ImageSpecParser.parse(HOME.resolve("examples").resolve(example + ".yaml"));
            List<String> key = spec.contents().pathFilter().stream().map(ImageSpec.PathRule::dpkgOption).toList();
            byFilter.computeIfAbsent(key, k -> new ArrayList<>()).add(example);
            packages.computeIfAbsent(key, k -> new TreeSet<>()).addAll(
                    spec.contents().packages().stream().map(PackageRequest::name).toList());
            filters.put(key, spec.contents().pathFilter());
        }
        byFilter.forEach((key, examples) -> sets.add(new PackageSet("examples " + String.join(" ", examples),
                List.copyOf(packages.get(key)), filters.get(key))));
        // -Dkiln.oracle.only=nginx,python3 runs only the sets named
        String only = System.getProperty("kiln.oracle.only", "");
        return only.isEmpty() ? sets : sets.stream().filter(s -> List.of(only.split(",")).contains(s.name())).toList();
    }

    @BeforeAll
    static void startMmdebstrap() throws IOException {
        assumeTrue("0".equals(exec(List.of("id", "-u")).strip()), "mmdebstrap --mode=root needs root (CI runs as root)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/mmdebstrap")), "mmdebstrap is not installed (.ci/run installs it)");
        CliRun.useCheckoutAsHome();
        tmp = Files.createTempDirectory("kiln-oracle");
        mmdebstrap = Executors.newFixedThreadPool(2);
        for (PackageSet set : sets()) {
            CHROOTS.put(set.name(), mmdebstrap.submit(() -> mmdebstrap(set)));
        }
    }

    /** Once every set is compared: each pending entry still stands for a difference (else remove it). */
    @AfterAll
    static void pendingEntriesAreStillNeeded() {
        if (COMPARED.size() == sets().size() && System.getProperty("kiln.oracle.only", "").isEmpty()) {
            List<String> stale = OracleAllowList.PENDING.stream().filter(p -> !PENDING_SEEN.contains(p))
                    .map(p -> p.glob() + " (" + p.reason() + ")").toList();
            assertEquals(List.of(), stale, "pending entries that match no difference any more: remove them from OracleAllowList.PENDING");
        }
    }

    @AfterAll
    static void stop() throws Exception {
        if (mmdebstrap != null) {
            mmdebstrap.shutdownNow();
            mmdebstrap.awaitTermination(10, TimeUnit.MINUTES);
        }
        if (tmp != null) {
            exec(List.of("rm", "-rf", "--one-file-system", tmp.toString()));
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("sets")
    void kilnsImageOfTheSameClosureHoldsWhatTheScriptsMade(PackageSet set) throws Exception {
        Path chroot = CHROOTS.get(set.name()).get(15, TimeUnit.MINUTES);
        SortedMap<String, String> installed = installed(chroot);
        String arch = SystemDefaults.architecture();
        Path dir = Files.createDirectories(tmp.resolve(set.name().replace(' ', '_') + "-kiln"));
        Path spec = dir.resolve("image.yaml");
        Files.writeString(spec, spec(installed, set.pathFilter(), arch));
        Path layout = dir.resolve("oci");
        String[] run = CliRun.run("build", "-q", "--store", tmp.resolve("store").toString(), "-o", layout.toString(), spec.toString());
        assertEquals("0", run[0], run[2]);

        SortedMap<String, String> locked = new TreeMap<>();
        for (Lock.Package p : Locks.read(dir.resolve("image.lock.json")).packages(arch)) {
            locked.put(p.name(), p.version());
        }
        assertEquals(installed, locked, "kiln's closure of mmdebstrap's packages, pinned, is mmdebstrap's");

        OracleAllowList.Comparison comparison = OracleAllowList.compare(
                TreeListing.ofImage(layout, arch), TreeListing.ofDirectory(chroot), set.pathFilter());
        String report = comparison.report("kiln's image vs mmdebstrap --variant=apt --include="
                + String.join(",", set.include()) + " (" + installed.size() + " packages, pinned alike)");
        Path reports = Files.createDirectories(Path.of("target", "mmdebstrap-oracle"));
        Files.writeString(reports.resolve(set.name().replace(' ', '_') + ".txt"), report);
        PENDING_SEEN.addAll(comparison.pending().keySet());
        COMPARED.add(set.name());
        assertTrue(comparison.unexplained().isEmpty(), report);
    }

    /** mmdebstrap's install of {@code set} into a fresh directory (scripts run, as root, in a chroot). */
    private static Path mmdebstrap(PackageSet set) throws IOException, InterruptedException {
        Path target = tmp.resolve(set.name().replace(' ', '_') + "-mmdebstrap");
        Map<String, String> mirrors = SystemDefaults.mirrors();
        List<String> cmd = new ArrayList<>(List.of("mmdebstrap", "--variant=apt", "--mode=root", "--format=directory",
                "--include=" + String.join(",", set.include())));
        set.pathFilter().forEach(rule -> cmd.add("--dpkgopt=" + rule.dpkgOption()));
        cmd.addAll(List.of(SUITE, target.toString()));
        sourceLines(mirrors).forEach(cmd::add);
        Path log = tmp.resolve(set.name().replace(' ', '_') + "-mmdebstrap.log");
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        if (!p.waitFor(15, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new IllegalStateException(String.join(" ", cmd) + " ran longer than 15 minutes");
        }
        if (p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed:\n" + Files.readString(log));
        }
        return target;
    }

    /** The repositories both sides install from: the examples' lines, with the host's mirrors. */
    private static List<String> sourceLines(Map<String, String> mirrors) {
        return List.of("deb " + mirrors.get("DEBIAN_MIRROR") + " " + SUITE + " main",
                "deb " + mirrors.get("DEBIAN_MIRROR") + " " + SUITE + "-updates main",
                "deb " + mirrors.get("DEBIAN_SECURITY_MIRROR") + " " + SUITE + "-security main");
    }

    /** A spec installing exactly {@code installed} (name to version), with {@code pathFilter}. */
    private static String spec(SortedMap<String, String> installed, List<ImageSpec.PathRule> pathFilter, String arch) {
        StringBuilder yaml = new StringBuilder("contents:\n  repositories:\n");
        yaml.append("    - deb ${DEBIAN_MIRROR} ").append(SUITE).append(" main\n");
        yaml.append("    - deb ${DEBIAN_MIRROR} ").append(SUITE).append("-updates main\n");
        yaml.append("    - deb ${DEBIAN_SECURITY_MIRROR} ").append(SUITE).append("-security main\n");
        yaml.append("  packages:\n");
        installed.forEach((name, version) -> yaml.append("    - '").append(name).append('=').append(version).append("'\n"));
        if (!pathFilter.isEmpty()) {
            yaml.append("  path-filter:\n");
            for (ImageSpec.PathRule rule : pathFilter) {
                yaml.append("    - ").append(rule.include() ? "include" : "exclude").append(": '").append(rule.pattern().text()).append("'\n");
            }
        }
        yaml.append("archs: [").append(arch).append("]\n");
        return yaml.toString();
    }

    /** What dpkg installed in {@code root}: package name to version. */
    private static SortedMap<String, String> installed(Path root) throws IOException {
        SortedMap<String, String> out = new TreeMap<>();
        String listing = exec(List.of("dpkg-query", "--admindir=" + root.resolve("var/lib/dpkg"), "-W",
                "-f=${db:Status-Abbrev}\t${Package}\t${Version}\n"));
        for (String line : listing.split("\n")) {
            String[] f = line.split("\t");
            if (f.length == 3 && f[0].strip().equals("ii")) {
                out.put(f[1], f[2]);
            }
        }
        return out;
    }

    private static String exec(List<String> cmd) throws IOException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        try {
            if (p.waitFor() != 0) {
                throw new IOException(String.join(" ", cmd) + " failed:\n" + out);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
        return out;
    }
}
