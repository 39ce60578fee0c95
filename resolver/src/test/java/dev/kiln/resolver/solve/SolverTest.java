package dev.kiln.resolver.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import dev.kiln.resolver.debian.VersionRelation;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The solver on small universes written as Packages stanzas. */
class SolverTest {

    /** Stanzas separated by blank lines; Filename/Size/SHA256 are filled in. */
    private static List<PackageRecord> repo(String text) {
        StringBuilder full = new StringBuilder();
        for (String stanza : text.strip().split("\n\\s*\n")) {
            full.append(stanza.strip()).append('\n');
            if (!stanza.contains("Architecture:")) {
                full.append("Architecture: amd64\n");
            }
            full.append("Priority: optional\nFilename: pool/x.deb\nSize: 1\nSHA256: ")
                    .append("0".repeat(64)).append("\n\n");
        }
        return PackagesParser.parse(full.toString().getBytes(StandardCharsets.UTF_8), "fixture");
    }

    private static String solve(SolveOptions o, List<List<PackageRecord>> repos, String... names) {
        List<Request> reqs = new ArrayList<>();
        for (String n : names) {
            reqs.add(Request.of(n));
        }
        Solution s = new Solver(Universe.of("amd64", repos), o).solve(reqs);
        return s.packages().stream().map(c -> c.name() + "=" + c.record().version()).collect(Collectors.joining(" "));
    }

    private static String solve(String repoText, String... names) {
        return solve(SolveOptions.DEFAULT, List.of(repo(repoText)), names);
    }

    @Test
    void followsDependsAndPreDependsButNotRecommends() {
        assertEquals("a=1 b=1 c=1", solve("""
                Package: a
                Version: 1
                Pre-Depends: b
                Depends: c
                Recommends: d

                Package: b
                Version: 1

                Package: c
                Version: 1

                Package: d
                Version: 1
                """, "a"));
    }

    private static final String NAMES = """
            Package: debconf
            Version: 1
            Provides: debconf-2.0

            Package: mawk
            Version: 1
            Provides: awk

            Package: libc6
            Version: 1
            Depends: libgcc-s1

            Package: libgcc-s1
            Version: 1
            """;

    @Test
    void excludedAndSkippedNamesMayBeRealOrVirtualOrKnownOnOneArchitectureOnly() {
        List<PackageRecord> amd64 = repo(NAMES);
        List<PackageRecord> arm64 = repo("Package: only-on-arm\nVersion: 1\nArchitecture: arm64\n");
        SolveOptions o = new SolveOptions(Set.of("debconf", "debconf-2.0", "only-on-arm"),
                Map.of("libc6", Set.of("libgcc-s1", "awk")), false);
        Solver.requireKnownNames(List.of(Universe.of("amd64", List.of(amd64)), Universe.of("arm64", List.of(arm64))), o);
    }

    @Test
    void anExcludedOrSkippedNameNoRepositoryHasIsRefusedWithTheClosestNames() {
        SolveOptions o = new SolveOptions(Set.of("debconff", "debconf"), Map.of("libc7", Set.of("libgcc-s1"), "libc6", Set.of("zzzzzz")),
                false);
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class,
                () -> Solver.requireKnownNames(List.of(Universe.of("amd64", List.of(repo(NAMES)))), o));
        assertEquals("""
                names the spec excludes or skips are no package of its repositories (amd64):
                  contents.exclude: 'debconff'; did you mean debconf?
                  contents.skip-dependencies: 'libc7'; did you mean libc6?
                  contents.skip-dependencies.libc6: 'zzzzzz'
                  fix: correct the name, or remove it: an unknown name excludes nothing""", e.getMessage());
    }

    @Test
    void followsRecommendsWhenAsked() {
        String text = """
                Package: a
                Version: 1
                Recommends: d

                Package: d
                Version: 1
                """;
        assertEquals("a=1 d=1", solve(new SolveOptions(Set.of(), Map.of(), true), List.of(repo(text)), "a"));
    }

    @Test
    void essentialPackagesAreNotAddedImplicitly() {
        assertEquals("a=1", solve("""
                Package: a
                Version: 1

                Package: dash
                Version: 1
                Essential: yes
                """, "a"));
    }

    @Test
    void takesTheFirstInstallableAlternative() {
        assertEquals("a=1 c=1", solve("""
                Package: a
                Version: 1
                Depends: b | c

                Package: c
                Version: 1
                """, "a"));
    }

    @Test
    void anAlternativeAlreadyChosenSatisfiesTheGroup() {
        assertEquals("a=1 c=1 x=1", solve("""
                Package: x
                Version: 1
                Depends: c

                Package: a
                Version: 1
                Depends: b | c

                Package: b
                Version: 1

                Package: c
                Version: 1
                """, "x", "a"));
    }

    @Test
    void theHighestVersionAcrossRepositoriesIsTheCandidate() {
        List<PackageRecord> main = repo("""
                Package: a
                Version: 1.0-1
                """);
        List<PackageRecord> security = repo("""
                Package: a
                Version: 1.0-1+deb12u1
                """);
        assertEquals("a=1.0-1+deb12u1", solve(SolveOptions.DEFAULT, List.of(main, security), "a"));
    }

    @Test
    void aVersionedDependencyTheCandidateFailsIsUnmetWithApTsWording() {
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class, () -> solve("""
                Package: a
                Version: 1
                Depends: b (>= 2)

                Package: b
                Version: 1
                """, "a"));
        assertTrue(e.getMessage().contains("a : Depends: b (>= 2) but 1 is to be installed"), e.getMessage());
        assertEquals("resolve.unsatisfiable", e.code());
        assertTrue(e.getMessage().contains("a (requested)"), e.getMessage());
    }

    @Test
    void anUnmetDependencyDeepDownNamesTheChain() {
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class, () -> solve("""
                Package: a
                Version: 1
                Depends: b

                Package: b
                Version: 1
                Depends: c

                Package: c
                Version: 1
                Depends: missing
                """, "a"));
        assertTrue(e.getMessage().contains("c : Depends: missing but it is not installable"), e.getMessage());
        assertTrue(e.getMessage().contains("c <- b <- a (requested)"), e.getMessage());
    }

    @Test
    void anUnknownPackageGetsTheClosestNames() {
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class, () -> solve("""
                Package: libssl3
                Version: 1

                Package: openssl
                Version: 1
                """, "libssl"));
        assertTrue(e.getMessage().contains("did you mean: libssl3"), e.getMessage());
        assertEquals("resolve.no-such-package", e.code());
    }

    @Test
    void aVirtualPackageWithOneProviderOnTheCommandLineSelectsIt() {
        assertEquals("mawk=1", solve("""
                Package: mawk
                Version: 1
                Provides: awk
                """, "awk"));
    }

    @Test
    void aVirtualPackageWithSeveralProvidersMustBeNamed() {
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class, () -> solve("""
                Package: mawk
                Version: 1
                Provides: awk

                Package: gawk
                Version: 1
                Provides: awk
                """, "awk"));
        assertTrue(e.getMessage().contains("virtual package provided by: gawk, mawk"), e.getMessage());
    }

    @Test
    void amongProvidersTheRequiredPriorityWins() {
        assertEquals("a=1 mawk=1", solve("""
                Package: a
                Version: 1
                Depends: awk

                Package: gawk
                Version: 1
                Provides: awk

                Package: mawk
                Version: 1
                Priority: required
                Provides: awk
                """.replace("Priority: required\n", "").replace("Package: mawk\nVersion: 1\n", "Package: mawk\nVersion: 1\nEssential: yes\n"), "a"));
    }

    @Test
    void versionedProvidesMeetVersionedDependenciesAndUnversionedDoNot() {
        assertEquals("a=1 new=1", solve("""
                Package: a
                Version: 1
                Depends: virt (>= 2)

                Package: old
                Version: 1
                Provides: virt

                Package: new
                Version: 1
                Provides: virt (= 2.5)
                """, "a"));
    }

    @Test
    void anyQualifierNeedsMultiArchAllowed() {
        assertEquals("a=1 py=1", solve("""
                Package: a
                Version: 1
                Depends: py:any

                Package: py
                Version: 1
                Multi-Arch: allowed
                """, "a"));
        assertThrows(UnsatisfiableException.class, () -> solve("""
                Package: a
                Version: 1
                Depends: py:any

                Package: py
                Version: 1
                """, "a"));
    }

    @Test
    void architectureAllCountsAsNativeAndOtherArchitecturesAreIgnored() {
        assertEquals("a=1 data=1", solve("""
                Package: a
                Version: 1
                Depends: data, tool

                Package: data
                Version: 1
                Architecture: all

                Package: tool
                Version: 1
                Architecture: arm64

                Package: tool
                Version: 1
                Architecture: all
                """.replace("Architecture: all\n\nPackage: tool\nVersion: 1\nArchitecture: arm64\n\nPackage: tool\nVersion: 1\nArchitecture: all\n",
                "Architecture: all\n\nPackage: tool\nVersion: 1\nArchitecture: arm64\n").replace("Depends: data, tool", "Depends: data"), "a"));
    }

    @Test
    void aConflictMakesTheSolverBacktrackToTheNextAlternative() {
        assertEquals("a=1 c=1 x=1", solve("""
                Package: x
                Version: 1
                Conflicts: b

                Package: a
                Version: 1
                Depends: b | c

                Package: b
                Version: 1

                Package: c
                Version: 1
                """, "x", "a"));
    }

    @Test
    void breaksIsHonouredLikeConflicts() {
        assertEquals("a=1 c=1 x=1", solve("""
                Package: x
                Version: 1
                Breaks: b (<< 2)

                Package: a
                Version: 1
                Depends: b | c

                Package: b
                Version: 1

                Package: c
                Version: 1
                """, "x", "a"));
    }

    @Test
    void conflictingRequestsAreUnsatisfiable() {
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class, () -> solve("""
                Package: x
                Version: 1
                Conflicts: y

                Package: y
                Version: 1
                """, "x", "y"));
        assertTrue(e.getMessage().contains("x : Conflicts: y"), e.getMessage());
    }

    @Test
    void excludedPackagesStayOutAndCountAsPresent() {
        String text = """
                Package: a
                Version: 1
                Depends: debconf (>= 0.5) | debconf-2.0, b

                Package: debconf
                Version: 1

                Package: b
                Version: 1
                """;
        assertEquals("a=1 b=1", solve(new SolveOptions(Set.of("debconf", "debconf-2.0"), Map.of(), false), List.of(repo(text)), "a"));
    }

    @Test
    void skippedDependenciesOfOnePackageAreNotFollowed() {
        String text = """
                Package: libc6
                Version: 1
                Depends: libgcc-s1

                Package: other
                Version: 1
                Depends: libgcc-s1

                Package: libgcc-s1
                Version: 1
                """;
        SolveOptions o = new SolveOptions(Set.of(), Map.of("libc6", Set.of("libgcc-s1")), false);
        assertEquals("libc6=1", solve(o, List.of(repo(text)), "libc6"));
        assertEquals("libc6=1 libgcc-s1=1 other=1", solve(o, List.of(repo(text)), "libc6", "other"));
    }

    @Test
    void aPinnedVersionIsUsedInsteadOfTheCandidate() {
        List<PackageRecord> r = repo("""
                Package: a
                Version: 1

                Package: a
                Version: 2
                """);
        Solution s = new Solver(Universe.of("amd64", List.of(r)), SolveOptions.DEFAULT)
                .solve(List.of(new Request("a", VersionRelation.EQUAL, "1")));
        assertEquals("1", s.packages().get(0).record().version());
        UnsatisfiableException e = assertThrows(UnsatisfiableException.class, () ->
                new Solver(Universe.of("amd64", List.of(r)), SolveOptions.DEFAULT)
                        .solve(List.of(new Request("a", VersionRelation.LATER_OR_EQUAL, "3"))));
        assertTrue(e.getMessage().contains("a (>= 3)") && e.getMessage().contains("1, 2"), e.getMessage());
    }

    @Test
    void cyclesTerminate() {
        assertEquals("a=1 b=1", solve("""
                Package: a
                Version: 1
                Depends: b

                Package: b
                Version: 1
                Depends: a
                """, "a"));
    }

    @Test
    void resultsAreDeterministic() {
        String text = """
                Package: a
                Version: 1
                Depends: v

                Package: p1
                Version: 1
                Provides: v

                Package: p2
                Version: 1
                Provides: v
                """;
        String first = solve(text, "a");
        for (int i = 0; i < 5; i++) {
            assertEquals(first, solve(text, "a"));
        }
    }
}
