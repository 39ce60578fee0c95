package dev.kiln.resolver.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import dev.kiln.resolver.debian.VersionRelation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Conservative solving: pins of a previous lock are kept where the request and every versioned
 * relation allow, and only the pins that stand in the way move (to the newest version).
 */
class SolveKeepingTest {
    private static final String REPO = """
            Package: app
            Version: 1
            Depends: libc (>= 1), tool

            Package: libc
            Version: 1

            Package: libc
            Version: 2

            Package: tool
            Version: 1
            Depends: libc

            Package: tool
            Version: 2
            Depends: libc (>= 2)

            Package: extra
            Version: 1
            Depends: libc (>= 2)

            Package: old
            Version: 1
            Depends: libc (<< 2)
            """;

    private static Universe universe(String text) {
        StringBuilder full = new StringBuilder();
        for (String stanza : text.strip().split("\n\\s*\n")) {
            full.append(stanza.strip()).append("\nArchitecture: amd64\nFilename: pool/x.deb\nSize: 1\nSHA256: ")
                    .append("0".repeat(64)).append("\n\n");
        }
        List<PackageRecord> records = PackagesParser.parse(full.toString().getBytes(StandardCharsets.UTF_8), "fixture");
        return Universe.of("amd64", List.of(records));
    }

    /** The candidates "name=version" of {@code u}, as a previous lock's pins. */
    private static Map<String, Candidate> pins(Universe u, String... pins) {
        Map<String, Candidate> out = new HashMap<>();
        for (String p : pins) {
            String[] nv = p.split("=");
            out.put(nv[0], u.versions(nv[0]).stream().filter(c -> c.record().version().equals(nv[1])).findFirst().orElseThrow());
        }
        return out;
    }

    private static String show(Solver.Kept k) {
        return k.solution().packages().stream().map(c -> c.name() + "=" + c.record().version()).collect(Collectors.joining(" "))
                + (k.moved().isEmpty() ? "" : " moved " + k.moved());
    }

    private static List<Request> requests(String... names) {
        List<Request> out = new ArrayList<>();
        for (String n : names) {
            out.add(Request.of(n));
        }
        return out;
    }

    @Test
    void withoutPinsItIsTheFreshSolve() {
        Universe u = universe(REPO);
        assertEquals("app=1 libc=2 tool=2", show(Solver.solveKeeping(u, SolveOptions.DEFAULT, requests("app"), Map.of())));
    }

    @Test
    void keepsEveryPinThatStillFitsThoughNewerVersionsExist() {
        Universe u = universe(REPO);
        assertEquals("app=1 libc=1 tool=1",
                show(Solver.solveKeeping(u, SolveOptions.DEFAULT, requests("app"), pins(u, "app=1", "libc=1", "tool=1"))));
    }

    @Test
    void aNewPackageThatNeedsANewerVersionMovesOnlyThatPin() {
        Universe u = universe(REPO);
        // extra needs libc >= 2: libc moves, tool 1 (which takes any libc) stays
        assertEquals("app=1 extra=1 libc=2 tool=1 moved [libc]",
                show(Solver.solveKeeping(u, SolveOptions.DEFAULT, requests("app", "extra"), pins(u, "app=1", "libc=1", "tool=1"))));
    }

    @Test
    void aPinOutsideARequestedVersionMoves() {
        Universe u = universe(REPO);
        List<Request> reqs = new ArrayList<>(requests("app"));
        reqs.add(new Request("tool", VersionRelation.LATER_OR_EQUAL, "2"));
        assertEquals("app=1 libc=2 tool=2 moved [libc, tool]",
                show(Solver.solveKeeping(u, SolveOptions.DEFAULT, reqs, pins(u, "app=1", "libc=1", "tool=1"))));
    }

    @Test
    void aRequestedVersionThatThePinMeetsKeepsIt() {
        Universe u = universe(REPO);
        List<Request> reqs = new ArrayList<>(requests("app"));
        reqs.add(new Request("libc", VersionRelation.EARLIER_OR_EQUAL, "2"));
        assertEquals("app=1 libc=1 tool=1",
                show(Solver.solveKeeping(u, SolveOptions.DEFAULT, reqs, pins(u, "app=1", "libc=1", "tool=1"))));
    }

    @Test
    void pinsOfPackagesNoLongerNeededAreDropped() {
        Universe u = universe(REPO);
        assertEquals("libc=1", show(Solver.solveKeeping(u, SolveOptions.DEFAULT, requests("libc"), pins(u, "app=1", "libc=1", "tool=1"))));
    }

    private static final String CHOICES = """
            Package: mailer
            Version: 1
            Depends: mta-a | mta-b

            Package: logger
            Version: 1
            Depends: mail-transport-agent

            Package: mta-a
            Version: 1
            Priority: important
            Provides: mail-transport-agent

            Package: mta-b
            Version: 1
            Priority: optional
            Provides: mail-transport-agent

            Package: mta-b
            Version: 2
            Priority: optional
            Provides: mail-transport-agent

            Package: web
            Version: 1
            Provides: httpd-cgi (= 1)

            Package: web
            Version: 2
            Provides: httpd-cgi (= 2)

            Package: webapp
            Version: 1
            Depends: httpd-cgi (>= 2)

            Package: both
            Version: 1
            Depends: mta-a | mta-b, p1 | p2, z

            Package: p1
            Version: 1
            Conflicts: z

            Package: p2
            Version: 1

            Package: z
            Version: 1
            """;

    /** A fresh solve of {@code request} gives {@code fresh}; keeping {@code pin}, it gives {@code kept}. */
    private static void assertPinChangesTheChoice(String request, String fresh, String pin, String kept) {
        Universe u = universe(CHOICES);
        assertEquals(fresh, show(Solver.solveKeeping(u, SolveOptions.DEFAULT, requests(request), Map.of())));
        assertEquals(kept, show(Solver.solveKeeping(u, SolveOptions.DEFAULT, requests(request), pins(u, pin))));
    }

    @Test
    void aPinnedAlternativeFillsItsGroupThoughAnEarlierOneExists() {
        assertPinChangesTheChoice("mailer", "mailer=1 mta-a=1", "mta-b=1", "mailer=1 mta-b=1");
    }

    @Test
    void aPinnedProviderFillsAVirtualNameBeforeAMoreImportantOne() {
        assertPinChangesTheChoice("logger", "logger=1 mta-a=1", "mta-b=1", "logger=1 mta-b=1");
    }

    @Test
    void aPinnedProviderOfTooOldAVersionMovesAndSaysSo() {
        assertPinChangesTheChoice("webapp", "web=2 webapp=1", "web=1", "web=2 webapp=1 moved [web]");
    }

    @Test
    void aPinnedAlternativeIsPreferredWhenTheWalkHasToBacktrack() {
        // p1 conflicts with z: the walk fails and the search decides, still taking the pinned mta-b
        assertPinChangesTheChoice("both", "both=1 mta-a=1 p2=1 z=1", "mta-b=1", "both=1 mta-b=1 p2=1 z=1");
    }

    @Test
    void anUnsatisfiableSpecIsStillRefused() {
        Universe u = universe(REPO);
        assertThrows(UnsatisfiableException.class,
                () -> Solver.solveKeeping(u, SolveOptions.DEFAULT, requests("old", "extra"), pins(u, "libc=1")));
        assertEquals(Set.of(), Solver.solveKeeping(u, SolveOptions.DEFAULT, requests("old"), pins(u, "libc=1")).moved());
    }
}
