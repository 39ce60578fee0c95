package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.Relation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every package installable on one architecture from an ordered list of repositories: by name,
 * and by the virtual names they provide. Candidate selection follows apt's default policy (all
 * repositories at priority 500): the highest version wins, and on equal versions the earlier
 * repository.
 */
public final class Universe {
    private final String architecture;
    private final Map<String, List<Candidate>> byName;
    private final Map<String, List<Provision>> providers;
    private final Map<String, Integer> order;

    /** A candidate that provides a name, with the version it provides (null when unversioned). */
    public record Provision(Candidate provider, Relation provided) {
    }

    private Universe(String architecture, Map<String, List<Candidate>> byName,
                     Map<String, List<Provision>> providers, Map<String, Integer> order) {
        this.architecture = architecture;
        this.byName = byName;
        this.providers = providers;
        this.order = order;
    }

    /**
     * Builds a universe from repositories' indexes in spec order. Packages of other architectures are
     * left out; {@code all} packages count as native, as in apt.
     */
    public static Universe of(String architecture, List<? extends Collection<PackageRecord>> repositories) {
        Map<String, List<Candidate>> byName = new HashMap<>(1 << 17);
        Map<String, List<Provision>> providers = new HashMap<>(1 << 13);
        Map<String, Integer> order = new HashMap<>(1 << 17);
        for (int r = 0; r < repositories.size(); r++) {
            for (PackageRecord rec : repositories.get(r)) {
                String arch = rec.architecture();
                if (!arch.equals(architecture) && !arch.equals("all")) {
                    continue;
                }
                Candidate c = new Candidate(rec, r);
                byName.computeIfAbsent(rec.name(), k -> new ArrayList<>(1)).add(c);
                order.putIfAbsent(rec.name(), order.size());
                if (rec.provides() != null) {
                    for (Relation p : c.provides()) {
                        providers.computeIfAbsent(p.name(), k -> new ArrayList<>(2)).add(new Provision(c, p));
                        order.putIfAbsent(p.name(), order.size());
                    }
                }
            }
        }
        return new Universe(architecture, byName, providers, order);
    }

    public String architecture() {
        return architecture;
    }

    /** All versions of a real package, in repository order. */
    public List<Candidate> versions(String name) {
        return byName.getOrDefault(name, List.of());
    }

    /** The version apt would pick by default: highest version, earliest repository on a tie. */
    public Candidate candidate(String name) {
        List<Candidate> vs = byName.get(name);
        if (vs == null || vs.isEmpty()) {
            return null;
        }
        Candidate best = vs.get(0);
        for (int i = 1; i < vs.size(); i++) {
            if (vs.get(i).version().compareTo(best.version()) > 0) {
                best = vs.get(i);
            }
        }
        return best;
    }

    public List<Provision> providers(String name) {
        return providers.getOrDefault(name, List.of());
    }

    public boolean knows(String name) {
        return byName.containsKey(name) || providers.containsKey(name);
    }

    public Set<String> names() {
        return byName.keySet();
    }

    /**
     * The order in which a name was first met while reading the indexes. apt breaks the last tie
     * between equally good providers by this (its package IDs), preferring the later one.
     */
    public int firstSeen(String name) {
        return order.getOrDefault(name, Integer.MAX_VALUE);
    }
}
