package dev.kiln.cli;

import dev.kiln.api.testing.Locks;
import static dev.kiln.cli.CliRun.HOME;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.kiln.api.Kiln;
import dev.kiln.assembler.deb.DebPackage;
import dev.kiln.assembler.tree.Entry;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every spec in examples/ built on the host's mirror as committed (amd64 and arm64), read by
 * skopeo, unpacked by umoci for each architecture, run under bubblewrap on the host's, and, where
 * distroless has the same image, no bigger than distroless's recipe applied to the same packages.
 * The tests share one store, so each package is fetched once.
 */
class ExampleImagesTest {
    private static final List<String> EXAMPLES = List.of("static", "base", "cc", "python3", "busybox", "java17", "nginx");
    /** The examples that install recipe-built packages: {@link ExampleRecipesTest} builds their recipes first. */
    static final List<String> RECIPE_EXAMPLES = List.of("tree", "hello");
    private static final List<String> ARCHS = List.of("amd64", "arm64");

    /** distroless's package sets (GoogleContainerTools/distroless, debian12): static/, base/, cc/config.bzl. */
    private static final List<String> DISTROLESS_STATIC = List.of("base-files", "netbase", "tzdata", "media-types");
    private static final List<String> DISTROLESS_BASE = concat(DISTROLESS_STATIC, List.of("libc6", "libssl3"));
    private static final List<String> DISTROLESS_CC = concat(DISTROLESS_BASE, List.of("libgomp1", "libstdc++6", "libgcc-s1", "gcc-12-base"));

    @TempDir
    static Path tmp;

    @BeforeAll
    static void kilnHome() {
        CliRun.useCheckoutAsHome();
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return List.copyOf(out);
    }

    /** The host's Debian architecture, or "" if the examples cannot run here. */
    private static String hostArchOrNone() {
        return switch (System.getProperty("os.arch")) {
            case "amd64", "x86_64" -> "amd64";
            case "aarch64", "arm64" -> "arm64";
            default -> "";
        };
    }

    /** The host's Debian architecture; the test is skipped where the examples cannot run. */
    private static String hostArch() {
        String arch = hostArchOrNone();
        assumeTrue(ARCHS.contains(arch), "the examples run on amd64 and arm64 hosts only");
        return arch;
    }

    private static String exec(String... cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.waitFor(), String.join(" ", cmd) + "\n" + out);
        return out;
    }

    /** A built and unpacked example: its layout, the lock it was built from and the host architecture's bundle. */
    record Built(Path layout, Path lock, Path bundle) {
        Path rootfs() {
            return bundle.resolve("rootfs");
        }
    }

    /**
     * Builds examples/NAME.yaml (a copy, so its lock stays out of the checkout), checks that skopeo
     * reads the index and each architecture's image, and that umoci unpacks each architecture.
     */
    private static Built build(String name) throws Exception {
        Path spec = tmp.resolve(name + ".yaml");
        Files.copy(HOME.resolve("examples").resolve(name + ".yaml"), spec);
        Path layout = tmp.resolve(name + "-oci");
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"build", "-q", "--store", tmp.resolve("store").toString(), "-o", layout.toString(),
            spec.toString()}, new PrintWriter(out, true), new PrintWriter(err, true));
        assertEquals(0, code, err.toString());

        JsonNode index = new ObjectMapper().readTree(exec("skopeo", "inspect", "--raw", "oci:" + layout + ":latest"));
        assertEquals(ARCHS.size(), index.get("manifests").size(), index.toString());
        Path host = null;
        for (String arch : ARCHS) {
            JsonNode inspect = new ObjectMapper().readTree(exec("skopeo", "inspect", "oci:" + layout + ":latest-" + arch));
            assertEquals(arch, inspect.get("Architecture").asText());
            Path bundle = tmp.resolve(name + "-" + arch);
            exec("umoci", "unpack", "--rootless", "--image", layout + ":latest-" + arch, bundle.toString());
            assertTrue(Files.readString(bundle.resolve("rootfs/etc/passwd")).startsWith("root:"), arch);
            // scanners learn the distribution here: every example has it (a relative link, read inside the bundle)
            Path osRelease = bundle.resolve("rootfs/etc/os-release");
            assertTrue(!Files.isSymbolicLink(osRelease) || !Files.readSymbolicLink(osRelease).isAbsolute(), name + " " + arch);
            assertTrue(Files.readString(osRelease).contains("\nID=debian\n"), name + " " + arch);
            if (arch.equals(hostArchOrNone())) {
                host = bundle;
            }
        }
        return new Built(layout, tmp.resolve(name + ".lock.json"), host);
    }

    /**
     * Runs {@code args} after the image's entrypoint and cmd are replaced by them, inside the
     * unpacked root filesystem as the image's user, in its work-dir and with its environment.
     */
    private static String run(Built built, String... args) throws Exception {
        return run(built, List.of(), args);
    }

    /** As {@link #run(Built, String...)}, with {@code binds} (bubblewrap options) after the image's own mounts. */
    private static String run(Built built, List<String> binds, String... args) throws Exception {
        hostArch();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
        JsonNode process = new ObjectMapper().readTree(built.bundle().resolve("config.json").toFile()).get("process");
        List<String> cmd = new ArrayList<>(List.of("bwrap", "--unshare-all", "--die-with-parent",
                "--ro-bind", built.rootfs().toString(), "/", "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
                "--uid", process.get("user").get("uid").asText(), "--gid", process.get("user").get("gid").asText(),
                "--chdir", process.get("cwd").asText(), "--clearenv"));
        cmd.addAll(binds);
        for (JsonNode kv : process.get("env")) {
            String[] pair = kv.asText().split("=", 2);
            cmd.addAll(List.of("--setenv", pair[0], pair[1]));
        }
        cmd.addAll(List.of(args));
        return exec(cmd.toArray(String[]::new));
    }

    private static List<String> entrypoint(Built built) throws IOException {
        List<String> out = new ArrayList<>();
        new ObjectMapper().readTree(built.bundle().resolve("config.json").toFile()).get("process").get("args")
                .forEach(a -> out.add(a.asText()));
        return out;
    }

    /**
     * What the image's files weigh as {@code docker images} counts it: regular files and symlinks
     * by their size, each inode once, directories nothing.
     */
    private static long imageBytes(Path rootfs) throws IOException {
        long total = 0;
        Set<Object> seen = new HashSet<>();
        try (Stream<Path> walk = Files.walk(rootfs)) {
            for (Path p : walk.toList()) {
                BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                if ((a.isRegularFile() || a.isSymbolicLink()) && seen.add(a.fileKey())) {
                    total += a.size();
                }
            }
        }
        return total;
    }

    /**
     * distroless's recipe on the packages this lock pinned for {@code arch}: each package's files whole,
     * its dpkg record and md5sums, the CA bundle (as big as ours: the same certificates) and
     * ca-certificates' copyright. Its passwd, group and os-release are left out, in its favour.
     */
    private static long distrolessBytes(Built built, String arch, List<String> packages) throws IOException {
        Lock lock = Locks.read(built.lock());
        long total = Files.size(built.rootfs().resolve("etc/ssl/certs/ca-certificates.crt"));
        Set<String> wanted = new HashSet<>(concat(packages, List.of("ca-certificates")));
        Set<String> found = new HashSet<>();
        try (ContentStore store = ContentStore.open(tmp.resolve("store"))) {
            for (Lock.Package p : lock.packages(arch)) {
                if (!wanted.contains(p.name())) {
                    continue;
                }
                found.add(p.name());
                DebPackage deb = DebPackage.read(store.blobPath(p.sha256()), p.name());
                total += deb.controlFile().length + deb.md5sums().map(s -> s.getBytes(StandardCharsets.UTF_8).length).orElse(0);
                if (p.name().equals("ca-certificates")) {
                    total += deb.data().get("/usr/share/doc/ca-certificates/copyright").orElseThrow().content().size();
                    continue;
                }
                for (Entry e : deb.data()) {
                    if (e.content() != null) {
                        total += e.content().size();
                    } else if (e.type() == Entry.Type.SYMLINK) {
                        total += e.linkTarget().getBytes(StandardCharsets.UTF_8).length;
                    }
                }
            }
        }
        assertEquals(wanted, found, "the lock holds every package of distroless's set");
        return total;
    }

    private static void assertNoBiggerThanDistroless(String name, Built built, List<String> packages) throws Exception {
        for (String arch : ARCHS) {
            Built one = new Built(built.layout(), built.lock(), tmp.resolve(name + "-" + arch));
            long ours = imageBytes(one.rootfs());
            long theirs = distrolessBytes(one, arch, packages);
            assertTrue(ours <= theirs, String.format(Locale.ROOT, "%s %s: ours %.2f MB, distroless's recipe %.2f MB",
                    name, arch, ours / 1e6, theirs / 1e6));
        }
    }

    @Test
    void everyExampleIsCoveredHere() throws IOException {
        try (Stream<Path> files = Files.list(HOME.resolve("examples"))) {
            assertEquals(Set.copyOf(concat(EXAMPLES, RECIPE_EXAMPLES)), Set.copyOf(files.map(f -> f.getFileName().toString())
                    .filter(f -> f.endsWith(".yaml")).map(f -> f.substring(0, f.length() - ".yaml".length())).toList()));
        }
    }

    @Test
    void staticIsNoBiggerThanDistrolessStaticAndKeepsTheBundleAndLicences() throws Exception {
        Built built = build("static");
        assertNoBiggerThanDistroless("static", built, DISTROLESS_STATIC);
        Path rootfs = tmp.resolve("static-amd64/rootfs");
        assertTrue(Files.size(rootfs.resolve("etc/ssl/certs/ca-certificates.crt")) > 100_000, "the bundle is built before the filter");
        assertTrue(Files.exists(rootfs.resolve("usr/share/doc/tzdata/copyright")));
        assertTrue(!Files.exists(rootfs.resolve("usr/share/doc/tzdata/changelog.gz")), "the path filter applies");
        String md5sums = Files.readString(rootfs.resolve("var/lib/dpkg/status.d/tzdata.md5sums"));
        assertTrue(md5sums.contains("usr/share/doc/tzdata/copyright") && !md5sums.contains("changelog.gz"), md5sums);
    }

    @Test
    void baseRunsOpensslAsNonrootAndIsNoBiggerThanDistrolessBase() throws Exception {
        Built built = build("base");
        assertNoBiggerThanDistroless("base", built, DISTROLESS_BASE);
        assertEquals(List.of("/usr/bin/openssl", "version"), entrypoint(built));
        String out = run(built, "/usr/bin/openssl", "version");
        assertTrue(out.startsWith("OpenSSL 3."), out);
    }

    @Test
    void ccLoadsTheCxxRuntimeAndIsNoBiggerThanDistrolessCc() throws Exception {
        Built built = build("cc");
        assertNoBiggerThanDistroless("cc", built, DISTROLESS_CC);
        String triplet = hostArch().equals("amd64") ? "x86_64-linux-gnu" : "aarch64-linux-gnu";
        String loader = hostArch().equals("amd64") ? "/lib64/ld-linux-x86-64.so.2" : "/lib/ld-linux-aarch64.so.1";
        for (String lib : List.of("libstdc++.so.6", "libgomp.so.1")) {
            String out = run(built, loader, "--list", "/usr/lib/" + triplet + "/" + lib);
            assertTrue(out.contains("libc.so.6 =>") && !out.contains("not found"), lib + ":\n" + out);
        }
        assertTrue(run(built, loader, "--list", "/usr/lib/" + triplet + "/libstdc++.so.6").contains("libgcc_s.so.1 =>"));
    }

    @Test
    void python3RunsPythonWithItsStandardLibrary() throws Exception {
        Built built = build("python3");
        List<String> args = new ArrayList<>(entrypoint(built));
        assertEquals(List.of("/usr/bin/python3"), args);
        args.addAll(List.of("-c", "import json, ssl, sqlite3, zlib, os; print(json.dumps([os.getuid(), ssl.OPENSSL_VERSION.split()[0]]))"));
        assertEquals("[65532, \"OpenSSL\"]\n", run(built, args.toArray(String[]::new)));
    }

    /**
     * bubblewrap as a container runtime run by root gives it: no user namespace (so nginx's master
     * can switch its workers to www-data), the root filesystem writable, its own network namespace.
     * Rootless bubblewrap maps one uid only, and port 80 needs root: the test needs root, as CI has.
     */
    private static List<String> asRoot(Built built, String... args) throws IOException {
        hostArch();
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/bwrap")), "bubblewrap is not installed");
        assumeTrue(Integer.valueOf(0).equals(Files.getAttribute(Path.of("/proc/self"), "unix:uid")),
                "nginx's stock configuration needs root (workers as www-data, port 80)");
        List<String> cmd = new ArrayList<>(List.of("bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts",
                "--die-with-parent", "--bind", built.rootfs().toString(), "/", "--proc", "/proc", "--dev", "/dev",
                "--tmpfs", "/tmp", "--chdir", "/", "--clearenv"));
        cmd.addAll(List.of(args));
        return cmd;
    }

    @Test
    void nginxsStockConfigurationPassesItsTestAndServesTheDefaultSite() throws Exception {
        Built built = build("nginx");
        assertEquals(List.of("/usr/sbin/nginx", "-g", "daemon off;"), entrypoint(built));
        Path rootfs = built.rootfs();
        assertEquals("/etc/nginx/sites-available/default", Files.readSymbolicLink(rootfs.resolve("etc/nginx/sites-enabled/default")).toString());
        assertTrue(Files.readString(rootfs.resolve("etc/passwd")).contains("\nwww-data:*:33:33:"), "base-passwd's accounts");
        assertTrue(Files.readString(rootfs.resolve("etc/os-release")).contains("VERSION_CODENAME=bookworm"));
        String test = exec(asRoot(built, "/usr/sbin/nginx", "-t").toArray(String[]::new));
        assertTrue(test.contains("test is successful"), test);

        assumeTrue(Files.isExecutable(Path.of("/usr/bin/nsenter")) && Files.isExecutable(Path.of("/usr/bin/curl")),
                "nsenter and curl make the request inside the server's network namespace");
        Path run = rootfs.resolve("run");
        try (WatchService watch = run.getFileSystem().newWatchService()) {
            run.register(watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
            Process server = new ProcessBuilder(asRoot(built, entrypoint(built).toArray(String[]::new)))
                    .redirectErrorStream(true).redirectOutput(tmp.resolve("nginx.out").toFile()).start();
            try {
                // nginx writes its pid into the file once it listens ('nginx -t' left it there, empty)
                while (!Files.exists(run.resolve("nginx.pid")) || Files.size(run.resolve("nginx.pid")) == 0) {
                    WatchKey key = watch.poll(30, TimeUnit.SECONDS);
                    assertTrue(key != null && server.isAlive(), "nginx did not start: " + Files.readString(tmp.resolve("nginx.out")));
                    key.pollEvents();
                    key.reset();
                }
                // bubblewrap's child holds the sandbox's namespaces (ProcessHandle.children misses it)
                String sandbox = Files.readString(Path.of("/proc/" + server.pid() + "/task/" + server.pid() + "/children")).strip().split(" ")[0];
                String page = exec("nsenter", "--target", sandbox, "--net", "curl", "-sS", "http://127.0.0.1/");
                assertTrue(page.contains("<title>Welcome to nginx!</title>"), page);
                List<Object> uids = new ArrayList<>();
                Path pidNamespace = Files.readSymbolicLink(Path.of("/proc/" + sandbox + "/ns/pid"));
                for (ProcessHandle h : ProcessHandle.allProcesses().toList()) {
                    try {
                        if (Files.readSymbolicLink(Path.of("/proc/" + h.pid() + "/ns/pid")).equals(pidNamespace)) {
                            uids.add(Files.getAttribute(Path.of("/proc/" + h.pid()), "unix:uid"));
                        }
                    } catch (IOException gone) {
                        // a process that ended meanwhile
                    }
                }
                assertTrue(uids.contains(33), "a worker runs as www-data (33): " + uids);
            } finally {
                server.destroy();
                server.waitFor();
            }
        }
        assertTrue(Files.readString(rootfs.resolve("var/log/nginx/access.log")).contains("\"GET / HTTP/1.1\" 200"));
    }

    @Test
    void busyboxRunsItsShellAndTheLinkedApplets() throws Exception {
        Built built = build("busybox");
        assertEquals(List.of("/bin/sh"), entrypoint(built));
        assertEquals("hello from busybox\n", run(built, "/bin/sh", "-c", "echo hello from busybox"));
        assertEquals("etc\n", run(built, "/usr/bin/busybox", "sh", "-c", "ls / | grep -x etc"));
    }

    @Test
    void java17RunsJavaAndTrustsEveryCertificateOfTheBundle() throws Exception {
        Built built = build("java17");
        assertEquals(List.of("/usr/bin/java"), entrypoint(built));
        String jvm = "/usr/lib/jvm/java-17-openjdk-" + hostArch();
        String version = run(built, "/usr/bin/java", "-version");
        assertTrue(version.startsWith("openjdk version \"17."), version);
        assertEquals(Path.of("/etc/alternatives/java"), Files.readSymbolicLink(built.rootfs().resolve("usr/bin/java")));

        // the JRE's own cacerts is a link to the store kiln made; Java opens it with no password
        Path rootfs = built.rootfs();
        assertEquals(Path.of("/etc/ssl/certs/java/cacerts"), Files.readSymbolicLink(rootfs.resolve(jvm.substring(1) + "/lib/security/cacerts")));
        long bundle = Files.readAllLines(rootfs.resolve("etc/ssl/certs/ca-certificates.crt")).stream()
                .filter(l -> l.equals("-----BEGIN CERTIFICATE-----")).count();
        assertTrue(bundle > 100, "the bundle holds Debian's certificates: " + bundle);
        Path probe = Files.createDirectories(tmp.resolve("java17-probe"));
        Files.writeString(probe.resolve("CountTrustedCas.java"), """
                import javax.net.ssl.TrustManagerFactory;
                import javax.net.ssl.X509TrustManager;

                public class CountTrustedCas {
                    public static void main(String[] args) throws Exception {
                        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                        f.init((java.security.KeyStore) null);
                        System.out.println(((X509TrustManager) f.getTrustManagers()[0]).getAcceptedIssuers().length);
                    }
                }
                """);
        String count = run(built, List.of("--ro-bind", probe.toString(), "/tmp/probe"), "/usr/bin/java", "/tmp/probe/CountTrustedCas.java");
        assertEquals(bundle + "\n", count);
        String listed = run(built, "/usr/bin/keytool", "-list", "-cacerts", "-storepass", "changeit");
        assertTrue(listed.contains("Your keystore contains " + bundle + " entries") && listed.contains("debian:isrg_root_x1.pem"), listed);
    }
}
