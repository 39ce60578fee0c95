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
    private final Map<String, Slot> slots;
    private final Map<String, List<Provision>> providers;

    /** A candidate that provides a name, with the version it provides (null when unversioned). */
    public record Provision(Candidate provider, Relation provided) {
    }

    private Universe(String architecture, Map<String, Slot> slots, Map<String, List<Provision>> providers) {
        this.architecture = architecture;
        this.slots = slots;
        this.providers = providers;
    }

    /**
     * Builds a universe from repositories' indexes in spec order. Packages of other architectures are
     * left out; {@code all} packages count as native, as in apt.
     */
    public static Universe of(String architecture, List<? extends Collection<PackageRecord>> repositories) {
        int size = 0;
        for (Collection<PackageRecord> r : repositories) {
            size += r.size();
        }
        // one map for both: most names have a single candidate, so no list is made for them
        Map<String, Slot> slots = new HashMap<>(Math.max(16, size * 4 / 3 + 1));
        Map<String, List<Provision>> providers = new HashMap<>(1 << 13);
        int seen = 0;
        for (int r = 0; r < repositories.size(); r++) {
            for (PackageRecord rec : repositories.get(r)) {
                String arch = rec.architecture();
                if (!arch.equals(architecture) && !arch.equals("all")) {
                    continue;
                }
                Candidate c = new Candidate(rec, r);
                Slot slot = slots.get(rec.name());
                if (slot == null) {
                    slots.put(rec.name(), new Slot(seen++, c));
                } else {
                    slot.add(c);
                }
                if (rec.provides() != null) {
                    for (Relation p : c.provides()) {
                        List<Provision> list = providers.get(p.name());
                        if (list == null) {
                            list = new ArrayList<>(2);
                            providers.put(p.name(), list);
                        }
                        list.add(new Provision(c, p));
                        if (!slots.containsKey(p.name())) {
                            slots.put(p.name(), new Slot(seen++, null));
                        }
                    }
                }
            }
        }
        return new Universe(architecture, slots, providers);
    }

    /** A name's candidates (none for a purely virtual name) and when it was first met. */
    private static final class Slot {
        final int firstSeen;
        Object candidates; // null, one Candidate, or a List<Candidate>

        Slot(int firstSeen, Candidate first) {
            this.firstSeen = firstSeen;
            this.candidates = first;
        }

        @SuppressWarnings("unchecked")
        void add(Candidate c) {
            if (candidates == null) {
                candidates = c;
            } else if (candidates instanceof Candidate one) {
                List<Candidate> list = new ArrayList<>(2);
                list.add(one);
                list.add(c);
                candidates = list;
            } else {
                ((List<Candidate>) candidates).add(c);
            }
        }

        @SuppressWarnings("unchecked")
        List<Candidate> list() {
            if (candidates == null) {
                return List.of();
            }
            if (candidates instanceof Candidate one) {
                return List.of(one);
            }
            return (List<Candidate>) candidates;
        }
    }

    public String architecture() {
        return architecture;
    }

    /** All versions of a real package, in repository order. */
    public List<Candidate> versions(String name) {
        Slot s = slots.get(name);
        return s == null ? List.of() : s.list();
    }

    /** The version apt would pick by default: highest version, earliest repository on a tie. */
    public Candidate candidate(String name) {
        List<Candidate> vs = versions(name);
        if (vs.isEmpty()) {
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
        return !versions(name).isEmpty() || providers.containsKey(name);
    }

    /** The names of real packages (not purely virtual ones). */
    public Set<String> names() {
        Set<String> out = new java.util.HashSet<>();
        for (Map.Entry<String, Slot> e : slots.entrySet()) {
            if (e.getValue().candidates != null) {
                out.add(e.getKey());
            }
        }
        return out;
    }

    /**
     * The order in which a name was first met while reading the indexes. apt breaks the last tie
     * between equally good providers by this (its package IDs), preferring the later one.
     */
    public int firstSeen(String name) {
        Slot s = slots.get(name);
        return s == null ? Integer.MAX_VALUE : s.firstSeen;
    }
}
