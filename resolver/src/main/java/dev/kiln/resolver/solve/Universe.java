package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.Relation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every package installable on one architecture from an ordered list of repositories: by name,
 * and by the virtual names they provide. Candidate selection follows apt's default policy (all
 * repositories at priority 500): the highest version wins, and on equal versions the earlier
 * repository. Names are looked up on demand, so a solve touches only what it visits.
 *
 * <p>Some repositories may <em>shadow</em> the others ({@link #overRanked}): a name
 * that one of them offers is taken from those repositories only, whatever version the others
 * offer, as an apt pin above 1000 on their origin would; the others' packages of that name (and
 * what they provide) are hidden, and {@link #hidden} lists them. kiln's {@code file:}
 * repositories (a recipes repository beside Debian's) shadow the network ones. Shadowing has
 * ranks: the packages recipes will make, when a set of recipes is locked
 * together, shadow even the {@code file:} repositories.
 */
public final class Universe {
    private final String architecture;
    private final List<PackageSource> sources;
    private final int[] ordinalBase;
    private final Map<String, List<Candidate>> versions = new HashMap<>();
    private final Map<String, List<Provision>> providers = new HashMap<>();
    /** Each repository's shadowing rank: a name is taken only from the repositories of the highest rank offering it. */
    private final int[] ranks;
    private final Map<String, List<Candidate>> hidden = new HashMap<>();

    /** A candidate that provides a name, with the version it provides (null when unversioned). */
    public record Provision(Candidate provider, Relation provided) {
    }

    private Universe(String architecture, List<PackageSource> sources, int[] ranks) {
        this.architecture = architecture;
        this.sources = List.copyOf(sources);
        this.ranks = ranks.clone();
        this.ordinalBase = new int[sources.size()];
        int base = 0;
        for (int i = 0; i < sources.size(); i++) {
            ordinalBase[i] = base;
            base += sources.get(i).nameCount();
        }
    }

    /** A universe over repositories' sources, in spec order. */
    public static Universe over(String architecture, List<PackageSource> sources) {
        return new Universe(architecture, sources, new int[sources.size()]);
    }

    /**
     * A universe over repositories' sources, in spec order, where a name is taken only from the
     * repositories of the highest {@code ranks} entry that offer it (0: shadows nothing); the
     * others' packages of that name are hidden.
     */
    public static Universe overRanked(String architecture, List<PackageSource> sources, int[] ranks) {
        if (ranks.length != sources.size()) {
            throw new IllegalArgumentException(ranks.length + " ranks for " + sources.size() + " repositories");
        }
        return new Universe(architecture, sources, ranks);
    }

    /** A universe over stanzas in memory, one collection per repository in spec order. */
    public static Universe of(String architecture, List<? extends Collection<PackageRecord>> repositories) {
        List<PackageSource> sources = new ArrayList<>();
        for (Collection<PackageRecord> r : repositories) {
            sources.add(PackageSource.of(r));
        }
        return new Universe(architecture, sources, new int[sources.size()]);
    }

    public String architecture() {
        return architecture;
    }

    private boolean installable(PackageRecord r) {
        return r.architecture().equals(architecture) || r.architecture().equals("all");
    }

    /**
     * All versions of a real package, in repository order; when a shadowing repository offers the
     * name, only the shadowing repositories' versions. The same objects every time.
     */
    public synchronized List<Candidate> versions(String name) {
        List<Candidate> vs = versions.get(name);
        if (vs == null) {
            vs = new ArrayList<>(1);
            for (int i = 0; i < sources.size(); i++) {
                for (PackageRecord r : sources.get(i).byName(name)) {
                    if (installable(r)) {
                        vs.add(new Candidate(r, i));
                    }
                }
            }
            int top = 0;
            for (Candidate c : vs) {
                top = Math.max(top, ranks[c.repository()]);
            }
            if (top > 0) {
                List<Candidate> shown = new ArrayList<>(vs.size());
                List<Candidate> shadowed = new ArrayList<>(1);
                for (Candidate c : vs) {
                    (ranks[c.repository()] == top ? shown : shadowed).add(c);
                }
                if (!shadowed.isEmpty()) {
                    hidden.put(name, List.copyOf(shadowed));
                }
                vs = shown;
            }
            vs = List.copyOf(vs);
            versions.put(name, vs);
        }
        return vs;
    }

    /**
     * The versions of {@code name} that a shadowing repository hides (their repositories do not
     * shadow), in repository order; empty when nothing is hidden.
     */
    public synchronized List<Candidate> hidden(String name) {
        versions(name);
        return hidden.getOrDefault(name, List.of());
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

    public synchronized List<Provision> providers(String name) {
        List<Provision> ps = providers.get(name);
        if (ps == null) {
            ps = new ArrayList<>(2);
            for (PackageSource s : sources) {
                for (PackageSource.Provide p : s.providersOf(name)) {
                    if (!installable(p.record())) {
                        continue;
                    }
                    Candidate owner = null;
                    for (Candidate c : versions(p.record().name())) {
                        if (c.record() == p.record()) {
                            owner = c;
                            break;
                        }
                    }
                    if (owner != null) {
                        ps.add(new Provision(owner, PackageSource.parseProvision(p.relation(), p.record())));
                    }
                }
            }
            ps = List.copyOf(ps);
            providers.put(name, ps);
        }
        return ps;
    }

    public boolean knows(String name) {
        return !versions(name).isEmpty() || !providers(name).isEmpty();
    }

    /** The names of real packages (not purely virtual ones); used to suggest names. */
    public Set<String> names() {
        Set<String> out = new HashSet<>();
        for (PackageSource s : sources) {
            out.addAll(s.packageNames());
        }
        return out;
    }

    /**
     * The order in which a name was first met while reading the indexes. apt breaks the last tie
     * between equally good providers by this (its package IDs), preferring the later one.
     */
    public int firstSeen(String name) {
        for (int i = 0; i < sources.size(); i++) {
            int o = sources.get(i).ordinal(name);
            if (o >= 0) {
                return ordinalBase[i] + o;
            }
        }
        return Integer.MAX_VALUE;
    }
}
