package dev.kiln.resolver.solve;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.debian.PackagesParser;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Which dependency of which locked package led to which other, as the solver followed them. */
class ClosureGraphTest {
    /** A closure as a Packages index writes it. */
    private static final String CLOSURE = """
            Package: app
            Version: 1.0
            Architecture: amd64
            Pre-Depends: init-helper
            Depends: libfoo (>= 1.0), missing-one | shell, mta, python3:any, gone | libc6
            Recommends: docs

            Package: init-helper
            Version: 1
            Architecture: all

            Package: libfoo
            Version: 1.2
            Architecture: amd64
            Depends: libc6 (>= 2.36)

            Package: dash
            Version: 0.5
            Architecture: amd64
            Provides: shell (= 1.0)

            Package: exim
            Version: 4.96
            Architecture: amd64
            Provides: mta

            Package: python3
            Version: 3.11
            Architecture: amd64
            Multi-Arch: allowed

            Package: libc6
            Version: 2.36
            Architecture: amd64
            Depends: libgcc-s1

            Package: libgcc-s1
            Version: 12
            Architecture: amd64

            Package: docs
            Version: 1
            Architecture: all
            """;

    private static ClosureGraph graph(SolveOptions options) {
        return ClosureGraph.of("amd64", PackagesParser.parse(CLOSURE.getBytes(UTF_8), "closure"), options);
    }

    private static List<String> path(Optional<List<ClosureGraph.Edge>> chain) {
        assertTrue(chain.isPresent(), "a chain");
        List<String> names = new java.util.ArrayList<>();
        names.add(chain.get().get(0).from());
        chain.get().forEach(e -> names.add(e.to()));
        return names;
    }

    @Test
    void aPackageTwoLevelsDownIsReachedThroughTheDependencyThatPulledIt() {
        Optional<List<ClosureGraph.Edge>> chain = graph(SolveOptions.DEFAULT).shortestChain("app", Set.of("libgcc-s1"));
        assertEquals(List.of("app", "libc6", "libgcc-s1"), path(chain));
        assertEquals("Depends: gone | libc6", chain.get().get(0).relation());
        assertEquals("Depends: libgcc-s1", chain.get().get(1).relation());
    }

    @Test
    void theShortestChainWinsAndAmongEqualOnesTheEarlierField() {
        ClosureGraph g = graph(SolveOptions.DEFAULT);
        assertEquals(List.of("app", "init-helper"), path(g.shortestChain("app", Set.of("init-helper"))));
        assertEquals("Pre-Depends", g.shortestChain("app", Set.of("init-helper")).get().get(0).field());
        assertEquals(List.of("app", "libc6"), path(g.shortestChain("app", Set.of("libc6"))));
        assertEquals(List.of("libfoo", "libc6"), path(g.shortestChain("libfoo", Set.of("libc6"))));
    }

    @Test
    void anAlternativeLeadsToTheFirstOneTheClosureMeetsEvenThroughAVersionedProvides() {
        ClosureGraph.Edge e = graph(SolveOptions.DEFAULT).shortestChain("app", Set.of("dash")).get().get(0);
        assertEquals("Depends: missing-one | shell", e.relation());
        assertEquals("shell", e.alternative().name());
        assertEquals("shell (= 1.0)", e.provided().orElseThrow().toString());
    }

    @Test
    void aVirtualPackageLeadsToItsProviderAndAnyToAMultiArchAllowedPackage() {
        ClosureGraph g = graph(SolveOptions.DEFAULT);
        ClosureGraph.Edge mta = g.shortestChain("app", Set.of("exim")).get().get(0);
        assertEquals("mta", mta.provided().orElseThrow().toString());
        assertEquals(List.of("exim"), g.providersOf("mta"));
        assertEquals(Optional.of("exim"), g.requested("mta"));
        assertEquals("Depends: python3:any", g.shortestChain("app", Set.of("python3")).get().get(0).relation());
    }

    @Test
    void aVersionedDependencyIsNotMetByAnUnversionedProvides() {
        String index = """
                Package: app
                Version: 1
                Architecture: amd64
                Depends: mta (>= 2)

                Package: exim
                Version: 4.96
                Architecture: amd64
                Provides: mta
                """;
        ClosureGraph g = ClosureGraph.of("amd64", PackagesParser.parse(index.getBytes(UTF_8), "closure"), SolveOptions.DEFAULT);
        assertEquals(List.of(), g.edgesFrom("app"));
    }

    @Test
    void recommendsAreFollowedOnlyWhenTheOptionsSay() {
        assertEquals(Optional.empty(), graph(SolveOptions.DEFAULT).shortestChain("app", Set.of("docs")));
        SolveOptions recommends = new SolveOptions(Set.of(), Map.of(), true);
        assertEquals("Recommends: docs", graph(recommends).shortestChain("app", Set.of("docs")).get().get(0).relation());
    }

    @Test
    void skippedAndExcludedNamesLeadNowhere() {
        SolveOptions skip = new SolveOptions(Set.of(), Map.of("libc6", Set.of("libgcc-s1")), false);
        assertEquals(Optional.empty(), graph(skip).shortestChain("app", Set.of("libgcc-s1")));
        // a group naming an excluded package is met by the exclusion: the solver took nothing for it
        SolveOptions exclude = new SolveOptions(Set.of("gone"), Map.of(), false);
        assertEquals(List.of("app", "libfoo", "libc6"), path(graph(exclude).shortestChain("app", Set.of("libc6"))));
    }

    @Test
    void aRootThatIsTheTargetHasNoChain() {
        assertEquals(Optional.empty(), graph(SolveOptions.DEFAULT).shortestChain("libc6", Set.of("libc6")));
        assertEquals(Optional.empty(), graph(SolveOptions.DEFAULT).shortestChain("libc6", Set.of("app")));
    }
}
