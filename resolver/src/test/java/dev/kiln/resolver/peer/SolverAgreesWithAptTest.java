package dev.kiln.resolver.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.fetcher.HttpTransport;
import dev.kiln.fetcher.pgp.Keyring;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.Resolver;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.spec.HostAptSources;
import dev.kiln.resolver.spec.MirrorEnvironment;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Live peer test: for the same signed repositories of the host's Debian mirror, kiln's closure
 * must be exactly the one apt chooses from an empty system without Recommends.
 */
class SolverAgreesWithAptTest {
    private static final Path KEYS = Path.of("..", "keys").toAbsolutePath().normalize();
    private static final String BASE = "base-files netbase tzdata ca-certificates media-types";

    @TempDir
    static Path work;

    private static HttpTransport transport;

    static Stream<Arguments> sets() {
        List<Arguments> out = new ArrayList<>();
        List<String> sets = List.of(BASE, BASE + " libc6 libssl3", BASE + " libc6 libssl3 libgcc-s1 libstdc++6 libgomp1",
                "python3", "curl", "busybox");
        for (String s : sets) {
            out.add(Arguments.of("bookworm", "amd64", s));
        }
        for (String s : sets) {
            out.add(Arguments.of("trixie", "arm64", s));
        }
        return out.stream();
    }

    @ParameterizedTest(name = "{0} {1}: {2}")
    @MethodSource("sets")
    void kilnChoosesWhatAptChooses(String suite, String arch, String packages) throws IOException {
        List<String> lines = List.of(
                "deb ${DEBIAN_MIRROR} " + suite + " main",
                "deb ${DEBIAN_MIRROR} " + suite + "-updates main",
                "deb ${DEBIAN_SECURITY_MIRROR} " + suite + "-security main");
        Map<String, String> mirrors = MirrorEnvironment.of(System.getenv(), HostAptSources.readHost()).variables();
        List<String> names = Arrays.asList(packages.split(" "));

        List<SourceLine> sources = lines.stream().map(SourceLine::parse).toList();
        if (transport == null) {
            transport = HttpTransport.withDefaults();
        }
        Resolver resolver = new Resolver(transport, ContentStore.open(work.resolve("store")), Keyring.load(KEYS), mirrors, Instant.now());
        Lock lock = resolver.lock(new Resolver.LockRequest("peer", Digest.of(packages), work, sources,
                names.stream().map(Request::of).toList(), List.of(arch), SolveOptions.DEFAULT));
        SortedMap<String, String> kiln = new TreeMap<>();
        for (Lock.Package p : lock.packages(arch)) {
            kiln.put(p.name(), p.version());
        }

        String signedBy = keyFiles();
        List<String> aptLines = sources.stream()
                .map(s -> "deb [signed-by=" + signedBy + "] " + s.expandUri(mirrors) + " " + s.suite() + " main")
                .toList();
        SortedMap<String, String> apt = new TreeMap<>();
        new AptOracle(aptLines, arch, work.resolve("apt")).install(names)
                .forEach((name, pkg) -> apt.put(name, pkg.version()));

        assertEquals(format(apt), format(kiln), "kiln's closure differs from apt's for " + packages);
    }

    private static String format(SortedMap<String, String> m) {
        return m.entrySet().stream().map(e -> e.getKey() + " " + e.getValue()).collect(Collectors.joining("\n"));
    }

    private static String keyFiles() throws IOException {
        try (Stream<Path> s = Files.list(KEYS)) {
            return s.filter(p -> p.toString().endsWith(".asc")).sorted().map(Path::toString).collect(Collectors.joining(","));
        }
    }

    @AfterAll
    static void close() {
        if (transport != null) {
            transport.close();
        }
    }
}
