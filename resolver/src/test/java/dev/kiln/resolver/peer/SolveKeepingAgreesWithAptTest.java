package dev.kiln.resolver.peer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.fetcher.testing.TestMirror;
import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import dev.kiln.resolver.debian.VersionRelation;
import dev.kiln.resolver.solve.Candidate;
import dev.kiln.resolver.solve.Request;
import dev.kiln.resolver.solve.SolveOptions;
import dev.kiln.resolver.solve.Solver;
import dev.kiln.resolver.solve.Universe;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Peer test of conservative locking: {@link Solver#solveKeeping} against apt's own conservative
 * answer, {@code apt-get install -s} on a system whose dpkg status lists the previous lock's pins
 * as installed. The repository is made at test time and served on 127.0.0.1 (apt takes it as
 * {@code [trusted=yes]}: the point is the choices, signatures are tested elsewhere).
 *
 * <p>kiln's closure must equal apt's final installed set: the installed pins, with apt's
 * {@code Inst} lines added and its upgrades replacing the old versions. apt never removes anything
 * here, while kiln drops pins the spec no longer needs; so every scenario is additions and
 * upgrades, with each pin still needed by the new closure.
 *
 * <p>One difference kiln makes on purpose: {@code apt-get install NAME} upgrades an installed NAME
 * to its candidate, whereas a package the spec asks for keeps its pin (only {@code --update} moves
 * it). So apt is asked for a pinned requested package as {@code NAME=PINNED}, which is what kiln's
 * pin means. A requested version is passed to apt as the exact version it selects.
 */
class SolveKeepingAgreesWithAptTest {
    private static final String ARCH = "amd64";

    /** Two versions of most names, as a repository keeping the superseded ones would offer. */
    private static final String INDEX = """
            Package: libc
            Version: 2.36-9+deb12u3
            Multi-Arch: same
            Priority: required

            Package: libc
            Version: 2.36-9+deb12u4
            Multi-Arch: same
            Priority: required

            Package: libssl
            Version: 3.0.11-1~deb12u1
            Depends: libc (>= 2.36)

            Package: libssl
            Version: 3.0.13-1~deb12u1
            Depends: libc (>= 2.36)

            Package: tool
            Version: 1.0-1
            Depends: libc

            Package: tool
            Version: 1.1-1
            Depends: libc (>= 2.36-9+deb12u4)

            Package: app
            Version: 1.0-1
            Depends: libc (>= 2.36), libssl, tool

            Package: app
            Version: 1.0-2
            Depends: libc (>= 2.36), libssl (>= 3.0.13), tool

            Package: zed
            Version: 0.5-1
            Pre-Depends: libc
            Depends: tool, libssl

            Package: extra
            Version: 2.0-1
            Depends: libc (>= 2.36-9+deb12u4)

            Package: mailer
            Version: 1-1
            Architecture: all
            Depends: mta-a | mta-b

            Package: logger
            Version: 1:0.9-1
            Depends: mail-transport-agent

            Package: mta-a
            Version: 2.0-1
            Priority: important
            Provides: mail-transport-agent
            Depends: libc

            Package: mta-b
            Version: 4.96-1
            Provides: mail-transport-agent
            Depends: libc

            Package: mta-b
            Version: 4.96-2
            Provides: mail-transport-agent
            Depends: libc

            Package: web
            Version: 1-1
            Provides: httpd-cgi (= 1)
            Depends: libc

            Package: web
            Version: 2-1
            Provides: httpd-cgi (= 2)
            Depends: libc

            Package: webapp
            Version: 3-1
            Depends: httpd-cgi (>= 2), libssl
            """;

    @TempDir
    static Path work;

    private static TestMirror mirror;
    /** Each stanza of the index (as served, with the archive's fields) by "name=version". */
    private static final Map<String, String> STANZAS = new LinkedHashMap<>();
    private static Universe universe;
    private static AptOracle apt;

    @BeforeAll
    static void publish() {
        StringBuilder packages = new StringBuilder();
        for (String stanza : INDEX.strip().split("\n\\s*\n")) {
            String full = complete(stanza.strip());
            STANZAS.put(field(full, "Package") + "=" + field(full, "Version"), full);
            packages.append(full).append('\n');
        }
        byte[] bytes = packages.toString().getBytes(StandardCharsets.UTF_8);
        String release = "Origin: Fixture\nLabel: Fixture\nSuite: stable\nCodename: stable\n"
                + "Date: Fri, 20 Nov 2026 10:00:00 UTC\nArchitectures: " + ARCH + "\nComponents: main\nSHA256:\n "
                + Digest.of(bytes).hex() + " " + bytes.length + " main/binary-" + ARCH + "/Packages\n";
        mirror = TestMirror.start()
                .serve("/debian/dists/stable/Release", release.getBytes(StandardCharsets.UTF_8))
                .serve("/debian/dists/stable/main/binary-" + ARCH + "/Packages", bytes);
        List<PackageRecord> records = PackagesParser.parse(bytes, "fixture");
        universe = Universe.of(ARCH, List.of(records));
        apt = new AptOracle(List.of("deb [trusted=yes] " + mirror.uri("/debian") + " stable main"), ARCH, work);
    }

    @AfterAll
    static void stop() {
        if (mirror != null) {
            mirror.close();
        }
    }

    @Test
    void pinsAreKeptThoughNewerVersionsExist() throws IOException {
        agree(List.of("app=1.0-1", "libc=2.36-9+deb12u3", "libssl=3.0.11-1~deb12u1", "tool=1.0-1"),
                List.of(Request.of("app"), Request.of("zed")), List.of("app=1.0-1", "zed"),
                "app=1.0-1 libc=2.36-9+deb12u3 libssl=3.0.11-1~deb12u1 tool=1.0-1 zed=0.5-1");
    }

    @Test
    void aNewPackageNeedingANewerDependencyMovesOnlyThatPin() throws IOException {
        // extra needs libc >= u4: libc moves; tool 1.0-1 and libssl, which take any libc 2.36, stay
        agree(List.of("app=1.0-1", "libc=2.36-9+deb12u3", "libssl=3.0.11-1~deb12u1", "tool=1.0-1"),
                List.of(Request.of("app"), Request.of("extra")), List.of("app=1.0-1", "extra"),
                "app=1.0-1 extra=2.0-1 libc=2.36-9+deb12u4 libssl=3.0.11-1~deb12u1 tool=1.0-1");
    }

    @Test
    void aRequestedVersionThePinDoesNotMeetMovesItAndWhatItNeeds() throws IOException {
        agree(List.of("app=1.0-1", "libc=2.36-9+deb12u3", "libssl=3.0.11-1~deb12u1", "tool=1.0-1"),
                List.of(Request.of("app"), new Request("tool", VersionRelation.LATER_OR_EQUAL, "1.1")),
                List.of("app=1.0-1", "tool=1.1-1"),
                "app=1.0-1 libc=2.36-9+deb12u4 libssl=3.0.11-1~deb12u1 tool=1.1-1");
    }

    @Test
    void thePinnedAlternativeIsKeptThoughAnEarlierOneExists() throws IOException {
        // mailer: Depends: mta-a | mta-b; a fresh solve takes mta-a, the installed mta-b (not the newest) stays
        agree(List.of("libc=2.36-9+deb12u3", "mta-b=4.96-1"),
                List.of(Request.of("mailer")), List.of("mailer"),
                "libc=2.36-9+deb12u3 mailer=1-1 mta-b=4.96-1");
    }

    @Test
    void aPinnedProviderKeepsSatisfyingTheVirtualName() throws IOException {
        // logger: Depends: mail-transport-agent; mta-a (important) would win a fresh solve
        agree(List.of("libc=2.36-9+deb12u3", "mta-b=4.96-1"),
                List.of(Request.of("logger")), List.of("logger"),
                "libc=2.36-9+deb12u3 logger=1:0.9-1 mta-b=4.96-1");
    }

    @Test
    void aPinnedProviderTooOldForAVersionedRelationMoves() throws IOException {
        // webapp: Depends: httpd-cgi (>= 2), which only web 2-1 provides; libc and libssl stay
        agree(List.of("libc=2.36-9+deb12u3", "libssl=3.0.11-1~deb12u1", "web=1-1"),
                List.of(Request.of("webapp")), List.of("webapp"),
                "libc=2.36-9+deb12u3 libssl=3.0.11-1~deb12u1 web=2-1 webapp=3-1");
    }

    /**
     * Solves {@code requests} keeping {@code pins} and simulates {@code aptArgs} with the pins
     * installed: both must give {@code expected}.
     */
    private static void agree(List<String> pins, List<Request> requests, List<String> aptArgs, String expected)
            throws IOException {
        Map<String, Candidate> preferred = new TreeMap<>();
        List<String> installed = new ArrayList<>();
        for (String pin : pins) {
            String name = pin.substring(0, pin.indexOf('='));
            String version = pin.substring(pin.indexOf('=') + 1);
            preferred.put(name, universe.versions(name).stream()
                    .filter(c -> c.record().version().equals(version)).findFirst().orElseThrow());
            installed.add(STANZAS.get(pin));
        }
        Solver.Kept kept = Solver.solveKeeping(universe, SolveOptions.DEFAULT, requests, preferred);
        String kiln = kept.solution().packages().stream()
                .map(c -> c.name() + "=" + c.record().version()).collect(Collectors.joining(" "));

        AptOracle.Simulation sim = apt.simulate(aptArgs, installed);
        assertTrue(sim.output().lines().noneMatch(l -> l.startsWith("Remv ")), sim::output);
        SortedMap<String, String> after = new TreeMap<>();
        for (String pin : pins) {
            after.put(pin.substring(0, pin.indexOf('=')), pin.substring(pin.indexOf('=') + 1));
        }
        sim.packages().forEach((name, pkg) -> after.put(name, pkg.version()));
        String aptSet = after.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue())
                .collect(Collectors.joining(" "));

        assertEquals(expected, aptSet, () -> "apt's answer is not the scenario's:\n" + sim.output());
        assertEquals(aptSet, kiln, "kiln's conservative closure differs from apt's (moved " + kept.moved() + ")");
        // the pins kiln reports as moved are the installed packages apt upgrades
        SortedMap<String, String> upgraded = new TreeMap<>(sim.packages().keySet().stream()
                .filter(preferred::containsKey).collect(Collectors.toMap(n -> n, n -> "")));
        assertEquals(upgraded.keySet(), kept.moved(), "moved pins differ from apt's upgrades:\n" + sim.output());
    }

    /** A stanza as an archive's index has it: architecture, maintainer, description, the file's fields. */
    private static String complete(String stanza) {
        String name = field(stanza, "Package");
        String version = field(stanza, "Version");
        StringBuilder s = new StringBuilder(stanza).append('\n');
        if (field(stanza, "Architecture") == null) {
            s.append("Architecture: ").append(ARCH).append('\n');
        }
        if (field(stanza, "Priority") == null) {
            s.append("Priority: optional\n");
        }
        String file = "pool/main/" + name.charAt(0) + "/" + name + "/" + name + "_" + version.replace(":", "%3a") + "_"
                + (field(stanza, "Architecture") == null ? ARCH : field(stanza, "Architecture")) + ".deb";
        return s.append("Section: misc\n")
                .append("Maintainer: Kiln Fixtures <fixtures@mirror.example>\n")
                .append("Installed-Size: ").append(10 + name.length()).append('\n')
                .append("Description: ").append(name).append(" for the apt peer test\n")
                .append(" A fixture package, version ").append(version).append(".\n")
                .append(" .\n")
                .append(" Nothing is ever unpacked from it.\n")
                .append("Filename: ").append(file).append('\n')
                .append("Size: ").append(1000 + version.length()).append('\n')
                .append("SHA256: ").append(Digest.of(name + "=" + version).hex()).append('\n')
                .toString();
    }

    private static String field(String stanza, String name) {
        for (String line : stanza.split("\n")) {
            if (line.startsWith(name + ": ")) {
                return line.substring(name.length() + 2).strip();
            }
        }
        return null;
    }
}
