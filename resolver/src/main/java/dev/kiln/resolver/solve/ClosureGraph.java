package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.Relation;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * The dependencies between the packages of one architecture's closure (a lock's), as the solver
 * followed them: for each package its Pre-Depends, Depends and (when the options follow them)
 * Recommends groups, without the names the options skip for it. A group that names an excluded
 * package is met by the exclusion and leads nowhere, as in the solver; any other group leads to the
 * first of its alternatives that a package of the closure meets, by itself or through its Provides
 * (versioned Provides and {@code :any} judged as apt does). A group nothing in the closure meets
 * leads nowhere either. Pure: stanzas in, edges and chains out.
 */
public final class ClosureGraph {
    private static final List<String> FIELDS = List.of("Pre-Depends", "Depends", "Recommends");

    /**
     * One dependency followed: {@code from}'s {@code field} group {@code group}, met by {@code to}
     * through {@code alternative}.
     *
     * @param provided what {@code to} provides that meets the alternative ({@code mail-transport-agent},
     *     {@code foo (= 1.0)}), when it meets it through Provides; empty when it is the package named
     */
    public record Edge(String from, String to, String field, List<Relation> group, Relation alternative,
                       Optional<Relation> provided) {
        public Edge {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
            Objects.requireNonNull(field, "field");
            group = List.copyOf(group);
            Objects.requireNonNull(alternative, "alternative");
            Objects.requireNonNull(provided, "provided");
        }

        /** The group as the control file writes it: {@code Depends: libbpf1 (>= 1:0.8)}, {@code Depends: x | y}. */
        public String relation() {
            StringBuilder s = new StringBuilder(field).append(": ");
            for (int i = 0; i < group.size(); i++) {
                s.append(i == 0 ? "" : " | ").append(group.get(i));
            }
            return s.toString();
        }
    }

    private final Universe universe;
    private final SolveOptions options;
    private final Map<String, List<Edge>> edges = new HashMap<>();

    private ClosureGraph(Universe universe, SolveOptions options) {
        this.universe = universe;
        this.options = options;
    }

    /** The graph of {@code packages}, the closure of architecture {@code arch} (one stanza per name). */
    public static ClosureGraph of(String arch, Collection<PackageRecord> packages, SolveOptions options) {
        return new ClosureGraph(Universe.of(arch, List.of(packages)), options);
    }

    /** Whether the closure holds a package of that name. */
    public boolean contains(String name) {
        return universe.candidate(name) != null;
    }

    /** The closure's packages that provide {@code name} (a virtual package), in name order. */
    public List<String> providersOf(String name) {
        return universe.providers(name).stream().map(p -> p.provider().name()).distinct().sorted().toList();
    }

    /** The package a request for {@code name} stands for in the closure: itself, else its first provider. */
    public Optional<String> requested(String name) {
        if (contains(name)) {
            return Optional.of(name);
        }
        return providersOf(name).stream().findFirst();
    }

    /** The dependencies of {@code name} the closure meets, in the order of its fields and groups. */
    public synchronized List<Edge> edgesFrom(String name) {
        return edges.computeIfAbsent(name, this::computeEdges);
    }

    /**
     * The shortest chain of edges from {@code root} to any of {@code targets}; among chains as short,
     * the one whose edges come first in their packages' fields. Empty when none leads there (or when
     * {@code root} is itself a target: then there is nothing to follow).
     */
    public Optional<List<Edge>> shortestChain(String root, Set<String> targets) {
        if (targets.contains(root) || !contains(root)) {
            return Optional.empty();
        }
        Map<String, Edge> reachedBy = new LinkedHashMap<>();
        reachedBy.put(root, null);
        ArrayDeque<String> queue = new ArrayDeque<>(List.of(root));
        while (!queue.isEmpty()) {
            for (Edge e : edgesFrom(queue.poll())) {
                if (reachedBy.containsKey(e.to())) {
                    continue;
                }
                reachedBy.put(e.to(), e);
                if (targets.contains(e.to())) {
                    List<Edge> chain = new ArrayList<>();
                    for (Edge back = e; back != null; back = reachedBy.get(back.from())) {
                        chain.add(0, back);
                    }
                    return Optional.of(List.copyOf(chain));
                }
                queue.add(e.to());
            }
        }
        return Optional.empty();
    }

    private List<Edge> computeEdges(String name) {
        Candidate c = universe.candidate(name);
        if (c == null) {
            return List.of();
        }
        Set<String> skip = options.skipDependencies().getOrDefault(name, Set.of());
        List<Edge> out = new ArrayList<>();
        for (String field : FIELDS) {
            List<List<Relation>> groups = switch (field) {
                case "Pre-Depends" -> c.preDepends();
                case "Depends" -> c.depends();
                default -> options.recommends() ? c.recommends() : List.of();
            };
            for (List<Relation> group : groups) {
                List<Relation> kept = group.stream().filter(r -> !skip.contains(r.name()) && !skip.contains("*")).toList();
                if (kept.isEmpty() || kept.stream().anyMatch(r -> options.exclude().contains(r.name()))) {
                    continue;
                }
                edgeOf(name, field, group, kept).ifPresent(out::add);
            }
        }
        return List.copyOf(out);
    }

    private Optional<Edge> edgeOf(String from, String field, List<Relation> group, List<Relation> kept) {
        String arch = universe.architecture();
        for (Relation alt : kept) {
            Candidate own = universe.candidate(alt.name());
            if (own != null && Satisfaction.bySelf(alt, own, arch)) {
                return Optional.of(new Edge(from, own.name(), field, group, alt, Optional.empty()));
            }
            Optional<Universe.Provision> provider = universe.providers(alt.name()).stream()
                    .filter(p -> Satisfaction.byProvision(alt, p, arch))
                    .min(Comparator.comparing(p -> p.provider().name()));
            if (provider.isPresent()) {
                return Optional.of(new Edge(from, provider.get().provider().name(), field, group, alt,
                        Optional.of(provider.get().provided())));
            }
        }
        return Optional.empty();
    }
}
