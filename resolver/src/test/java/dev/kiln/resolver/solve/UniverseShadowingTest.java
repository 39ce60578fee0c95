package dev.kiln.resolver.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import dev.kiln.resolver.debian.VersionRelation;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** A shadowing repository (kiln's file: ones) is the only source of the names it offers. */
class UniverseShadowingTest {
    private static final String DEBIAN = """
            Package: hello
            Version: 2.10-3
            Provides: greeter

            Package: base
            Version: 1.0
            Depends: hello (>= 2.10)

            Package: only-debian
            Version: 1.0
            """;
    private static final String RECIPES = """
            Package: hello
            Version: 2.10-0kiln1
            """;

    private static PackageSource repo(String text) {
        StringBuilder full = new StringBuilder();
        for (String stanza : text.strip().split("\n\\s*\n")) {
            full.append(stanza.strip()).append("\nArchitecture: amd64\nFilename: pool/x.deb\nSize: 1\nSHA256: ")
                    .append("0".repeat(64)).append("\n\n");
        }
        List<PackageRecord> records = PackagesParser.parse(full.toString().getBytes(StandardCharsets.UTF_8), "fixture");
        return PackageSource.of(records);
    }

    private static String solve(Universe u, String... names) {
        return new Solver(u, SolveOptions.DEFAULT).solve(java.util.Arrays.stream(names).map(Request::of).toList()).packages().stream()
                .map(c -> c.name() + "=" + c.record().version() + "@" + c.repository()).sorted().collect(Collectors.joining(" "));
    }

    @Test
    void theShadowingRepositoryWinsEvenWithALowerVersion() {
        Universe plain = Universe.over("amd64", List.of(repo(DEBIAN), repo(RECIPES)));
        assertEquals("base=1.0@0 hello=2.10-3@0", solve(plain, "base"), "without shadowing: apt's default, the highest version");
        Universe shadowed = Universe.overRanked("amd64", List.of(repo(DEBIAN), repo(RECIPES)), new int[] {0, 1});
        assertEquals("base=1.0@0 hello=2.10-0kiln1@1 only-debian=1.0@0", solve(shadowed, "base", "only-debian"));
        assertEquals(List.of("2.10-3"), shadowed.hidden("hello").stream().map(c -> c.record().version()).toList());
        assertTrue(shadowed.hidden("base").isEmpty(), "a name the shadowing repository does not offer is unaffected");
        assertTrue(shadowed.providers("greeter").isEmpty(), "what a hidden package provides is hidden with it");
    }

    @Test
    void aRelationOnlyTheHiddenVersionMeetsIsNotMetFromTheShadowedRepository() {
        Universe shadowed = Universe.overRanked("amd64", List.of(repo(DEBIAN), repo(RECIPES)), new int[] {0, 1});
        Solver solver = new Solver(shadowed, SolveOptions.DEFAULT);
        assertThrows(UnsatisfiableException.class, () -> solver.solve(List.of(new Request("hello",
                VersionRelation.LATER_OR_EQUAL, "2.10-3"))));
    }

    @Test
    void aHigherRankShadowsEvenTheShadowingRepositories() {
        // what recipes will make (rank 2) over a file: repository (rank 1) over Debian (rank 0), even at a lower version
        String made = """
                Package: hello
                Version: 2.10-0kiln0
                """;
        Universe ranked = Universe.overRanked("amd64", List.of(repo(DEBIAN), repo(RECIPES), repo(made)), new int[] {0, 1, 2});
        assertEquals("base=1.0@0 hello=2.10-0kiln0@2", solve(ranked, "base"));
        assertEquals(List.of("2.10-3", "2.10-0kiln1"), ranked.hidden("hello").stream().map(c -> c.record().version()).toList());
        assertThrows(IllegalArgumentException.class, () -> Universe.overRanked("amd64", List.of(repo(DEBIAN)), new int[] {0, 1}));
    }
}
