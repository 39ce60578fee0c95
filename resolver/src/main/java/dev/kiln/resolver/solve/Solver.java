package dev.kiln.resolver.solve;

import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.debian.DebianVersion;
import dev.kiln.resolver.debian.Relation;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Chooses the packages of one architecture's closure. It first walks the dependencies the way apt's
 * {@code MarkInstall} does from an empty system (same alternative order, same provider preference,
 * same protection of requested packages), so that where apt finds an answer kiln finds the same one.
 * If that greedy answer breaks a Conflicts or Breaks, or a dependency stays unmet, a deterministic
 * backtracking search takes over instead of emitting a broken set.
 */
public final class Solver {
    /** apt treats these as Essential whatever their index says ({@code pkgCacheGen::ForceEssential}). */
    private static final Set<String> FORCE_ESSENTIAL = Set.of("apt");
    private static final int BACKTRACK_BUDGET = 200_000;

    private final Universe universe;
    private final SolveOptions options;
    private final String arch;

    private final Map<String, Candidate> candidateOverride = new HashMap<>();
    private final Set<String> discarded = new HashSet<>();
    private final LinkedHashMap<String, Candidate> marked = new LinkedHashMap<>();
    private final Set<String> protectedNames = new HashSet<>();
    private final Map<String, String> reasons = new HashMap<>();
    private final Map<String, String> greedyReasons = new HashMap<>();
    private final List<String> problems = new ArrayList<>();
    /** Pins kept from the previous lock: each wins over the universe's candidate for its name. */
    private final Map<String, Candidate> preferred;
    /** Names whose preferred pin a versioned relation ruled out (they must move). */
    private final Set<String> gaveWay = new java.util.TreeSet<>();
    private boolean backtracked;

    public Solver(Universe universe, SolveOptions options) {
        this(universe, options, Map.of());
    }

    /**
     * A solver that keeps {@code preferred} candidates (each one of {@code universe}'s versions of
     * its name) where it can: as apt keeps installed packages, each is used instead of the newest
     * version unless a versioned relation rules it out.
     */
    public Solver(Universe universe, SolveOptions options, Map<String, Candidate> preferred) {
        this.universe = universe;
        this.options = options;
        this.arch = universe.architecture();
        this.preferred = Map.copyOf(preferred);
    }

    /** A solution that kept what it could of the preferred pins, and the names that had to move. */
    public record Kept(Solution solution, Set<String> moved) {
        public Kept {
            moved = java.util.Collections.unmodifiableSet(new java.util.TreeSet<>(moved));
        }
    }

    /**
     * Solves keeping the {@code preferred} pins, conservatively: a pin that a versioned dependency
     * rules out (so that apt's walk would fail, or only a backtracking search would fit it) gives
     * way to the universe's candidate, and only that pin, then the walk starts again. A solution
     * that needs no pin moved keeps them all. A kept pin fills an or-group or a virtual name
     * before any other choice, as an installed package does for apt ({@code SolveKeepingAgreesWithAptTest}
     * holds these rules against apt with the pins installed).
     */
    public static Kept solveKeeping(Universe universe, SolveOptions options, List<Request> requests,
            Map<String, Candidate> preferred) {
        Map<String, Candidate> keep = new HashMap<>(preferred);
        Set<String> moved = new java.util.TreeSet<>();
        while (true) {
            Solver s = new Solver(universe, options, keep);
            try {
                Solution sol = s.solve(requests);
                if (s.gaveWay.isEmpty() || !s.backtracked) {
                    return new Kept(sol, moved);
                }
            } catch (UnsatisfiableException e) {
                if (s.gaveWay.isEmpty()) {
                    throw e;
                }
            }
            moved.addAll(s.gaveWay);
            keep.keySet().removeAll(s.gaveWay);
        }
    }

    /** The version used for {@code name} unless a request or a relation says otherwise. */
    private Candidate defaultCandidate(String name) {
        Candidate p = preferred.get(name);
        return p != null ? p : universe.candidate(name);
    }

    public Solution solve(List<Request> requests) {
        List<String> names = new ArrayList<>();
        for (Request r : requests) {
            names.add(selectRequested(r));
        }
        // apt-get install: every requested package is protected and marked first, then each gets
        // its dependencies in command-line order.
        for (String n : names) {
            protectedNames.add(n);
            markInstall(n, false, true);
            reasons.put(n, "requested");
        }
        for (String n : names) {
            markInstall(n, true, true);
        }
        List<String> broken = check(marked);
        if (broken.isEmpty()) {
            return solution(marked);
        }
        return backtrack(names, broken);
    }

    // ---- requests -------------------------------------------------------------------------------

    private String selectRequested(Request r) {
        if (options.exclude().contains(r.name())) {
            throw new UnsatisfiableException("the spec asks for " + r.name() + " and also excludes it"
                    + "\n  fix: remove it from contents.packages or from contents.exclude");
        }
        List<Candidate> versions = universe.versions(r.name());
        if (versions.isEmpty()) {
            List<Universe.Provision> prov = universe.providers(r.name());
            Set<String> providerNames = new java.util.TreeSet<>();
            for (Universe.Provision p : prov) {
                providerNames.add(p.provider().name());
            }
            if (providerNames.size() == 1 && r.relation() == null) {
                return selectRequested(Request.of(providerNames.iterator().next()));
            }
            if (!providerNames.isEmpty()) {
                throw new UnsatisfiableException("package " + r.name() + " is a virtual package provided by: "
                        + String.join(", ", providerNames) + " (" + arch + ")"
                        + "\n  fix: name one of them in contents.packages");
            }
            throw new UnsatisfiableException(ResolveException.Kind.NO_SUCH_PACKAGE,
                    "no package named '" + r.name() + "' for " + arch
                    + " in the spec's repositories" + closestNames(r.name()));
        }
        Candidate chosen;
        Candidate pin = preferred.get(r.name());
        if (r.relation() == null) {
            chosen = defaultCandidate(r.name());
        } else if (pin != null && r.relation().holds(pin.version(), DebianVersion.parse(r.version()))) {
            chosen = pin;
            candidateOverride.put(r.name(), chosen);
        } else {
            if (pin != null) {
                gaveWay.add(r.name());
            }
            DebianVersion bound = DebianVersion.parse(r.version());
            chosen = null;
            for (Candidate c : versions) {
                if (r.relation().holds(c.version(), bound) && (chosen == null || c.version().compareTo(chosen.version()) > 0)) {
                    chosen = c;
                }
            }
            if (chosen == null) {
                List<String> avail = new ArrayList<>();
                for (Candidate c : versions) {
                    avail.add(c.record().version());
                }
                throw new UnsatisfiableException("the spec asks for " + r + " but the repositories have "
                        + r.name() + " " + String.join(", ", new LinkedHashSet<>(avail)) + " for " + arch
                        + "\n  fix: change the version constraint, or add the repository that has that version");
            }
            candidateOverride.put(r.name(), chosen);
        }
        return chosen.name();
    }

    /**
     * Every name {@code options} excludes or skips must be a package (or a virtual package) that
     * some repository of the spec has, on at least one of its architectures: a misspelt exclude
     * would otherwise be ignored without a word, and the package it meant would go into the image.
     *
     * @throws UnsatisfiableException naming each unknown name, where the spec has it, and the closest known names
     */
    public static void requireKnownNames(List<Universe> universes, SolveOptions options) {
        java.util.TreeMap<String, java.util.Set<String>> unknown = new java.util.TreeMap<>();
        java.util.function.BiConsumer<String, String> check = (name, where) -> {
            if (!name.equals("*") && universes.stream().noneMatch(u -> u.knows(name))) {
                unknown.computeIfAbsent(name, n -> new java.util.TreeSet<>()).add(where);
            }
        };
        options.exclude().forEach(n -> check.accept(n, "contents.exclude"));
        options.skipDependencies().forEach((pkg, deps) -> {
            check.accept(pkg, "contents.skip-dependencies");
            deps.forEach(d -> check.accept(d, "contents.skip-dependencies." + pkg));
        });
        if (unknown.isEmpty()) {
            return;
        }
        Set<String> names = new HashSet<>();
        universes.forEach(u -> names.addAll(u.names()));
        List<String> archs = universes.stream().map(Universe::architecture).toList();
        StringBuilder m = new StringBuilder(unknown.size() == 1 ? "a name the spec excludes or skips is" : "names the spec excludes or skips are");
        m.append(" no package of its repositories (").append(String.join(", ", archs)).append("):");
        unknown.forEach((name, where) -> {
            m.append("\n  ").append(String.join(", ", where)).append(": '").append(name).append("'");
            List<String> near = closest(name, names);
            if (!near.isEmpty()) {
                m.append("; did you mean ").append(String.join(", ", near)).append("?");
            }
        });
        m.append("\n  fix: correct the name, or remove it: an unknown name excludes nothing");
        throw new UnsatisfiableException(m.toString());
    }

    private String closestNames(String wanted) {
        List<String> best = closest(wanted, universe.names());
        return best.isEmpty() ? "\n  fix: check the name (apt-cache search on a Debian system finds packages by description)"
                : "\n  did you mean: " + String.join(", ", best) + "?";
    }

    /** Up to five known names nearest to {@code wanted}. */
    public static List<String> closest(String wanted, Set<String> names) {
        // closest by edit distance; names that merely start with the wanted one rank after close typos
        record Near(String name, int distance, int lengthGap) {
        }
        List<Near> near = new ArrayList<>();
        for (String n : names) {
            boolean prefix = n.startsWith(wanted);
            if (Math.abs(n.length() - wanted.length()) > 3 && !prefix) {
                continue;
            }
            int d = editDistance(wanted, n, 3);
            if (prefix) {
                d = Math.min(d, 2);
            }
            if (d <= 3) {
                near.add(new Near(n, d, Math.abs(n.length() - wanted.length())));
            }
        }
        near.sort(Comparator.comparingInt(Near::distance).thenComparingInt(Near::lengthGap).thenComparing(Near::name));
        return near.stream().limit(5).map(Near::name).toList();
    }

    static int editDistance(String a, String b, int cap) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            int rowMin = cur[0];
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                cur[j] = Math.min(Math.min(cur[j - 1] + 1, prev[j] + 1), prev[j - 1] + cost);
                rowMin = Math.min(rowMin, cur[j]);
            }
            if (rowMin > cap) {
                return cap + 1;
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    // ---- apt's MarkInstall, from an empty system ---------------------------------------------

    private Candidate candidateOf(String name) {
        if (discarded.contains(name) || options.exclude().contains(name)) {
            return null;
        }
        Candidate o = candidateOverride.get(name);
        return o != null ? o : defaultCandidate(name);
    }

    private record Group(String owner, List<Relation> alternatives, String type, boolean critical) {
        @Override
        public String toString() {
            StringBuilder s = new StringBuilder();
            for (Relation r : alternatives) {
                if (s.length() > 0) {
                    s.append(" | ");
                }
                s.append(r);
            }
            return s.toString();
        }
    }

    private List<Group> positiveDependencies(Candidate c) {
        List<Group> out = new ArrayList<>();
        Set<String> skip = options.skipDependencies().getOrDefault(c.name(), Set.of());
        addGroups(out, c.name(), c.preDepends(), "PreDepends", true, skip);
        addGroups(out, c.name(), c.depends(), "Depends", true, skip);
        if (options.recommends()) {
            addGroups(out, c.name(), c.recommends(), "Recommends", false, skip);
        }
        return out;
    }

    private static void addGroups(List<Group> out, String owner, List<List<Relation>> groups, String type, boolean critical, Set<String> skip) {
        for (List<Relation> g : groups) {
            if (!skip.isEmpty()) {
                List<Relation> kept = new ArrayList<>(g.size());
                for (Relation r : g) {
                    if (!skip.contains(r.name()) && !skip.contains("*")) {
                        kept.add(r);
                    }
                }
                if (kept.isEmpty()) {
                    continue;
                }
                g = kept;
            }
            out.add(new Group(owner, g, type, critical));
        }
    }

    private boolean markInstall(String name, boolean autoInst, boolean fromUser) {
        Candidate cand = candidateOf(name);
        if (cand == null) {
            return false;
        }
        boolean isProtected = protectedNames.contains(name);
        if (!isProtected && marked.get(name) == cand) {
            return true;
        }
        if (fromUser) {
            marked.put(name, cand);
        }
        if (!autoInst) {
            return true;
        }
        List<Group> toInstall = new ArrayList<>();
        for (Group g : positiveDependencies(cand)) {
            if (anySatisfied(g, marked) && !isProtected) {
                continue;
            }
            toInstall.add(g);
        }
        if (!fromUser) {
            marked.put(name, cand);
        }
        boolean scoped = !isProtected;
        if (scoped) {
            protectedNames.add(name);
        }
        boolean failed = false;
        try {
            for (Group g : toInstall) {
                boolean found = anySatisfied(g, marked);
                if (found && !isProtected) {
                    continue;
                }
                if (found) {
                    if (!g.critical()) {
                        continue;
                    }
                    List<Candidate> sols = possibleSolutions(g, false);
                    if (sols.size() != 1) {
                        continue;
                    }
                    String inst = sols.get(0).name();
                    if (protectedNames.contains(inst)) {
                        continue;
                    }
                    protectedNames.add(inst);
                    if (!markInstall(inst, true, false)) {
                        failed = true;
                    }
                    continue;
                }
                // apt counts an installed package as satisfying the group and installs nothing for it
                Candidate pin = keptPinSatisfying(g);
                if (pin != null) {
                    reasons.putIfAbsent(pin.name(), name + " " + g.type() + ": " + g);
                    if (markInstall(pin.name(), true, false)) {
                        continue;
                    }
                }
                List<Candidate> sols = possibleSolutions(g, true);
                for (Candidate sol : sols) {
                    String inst = sol.name();
                    if (candidateOf(inst) != sol) {
                        continue;
                    }
                    reasons.putIfAbsent(inst, name + " " + g.type() + ": " + g);
                    if (isProtected && g.critical() && sols.size() == 1) {
                        if (!markInstall(inst, false, false)) {
                            continue;
                        }
                        protectedNames.add(inst);
                    }
                    if (!markInstall(inst, true, false)) {
                        continue;
                    }
                    found = true;
                    break;
                }
                if (!found && g.critical()) {
                    failed = true;
                    problems.add(name + " : " + g.type() + ": " + g + " " + whyUnmet(g));
                    if (!isProtected && !fromUser) {
                        break;
                    }
                }
            }
        } finally {
            if (scoped) {
                protectedNames.remove(name);
            }
        }
        if (failed && !isProtected && !fromUser) {
            // apt discards the install and the candidate with it: this package is not tried again
            marked.remove(name);
            discarded.add(name);
            return false;
        }
        return !failed;
    }

    private String whyUnmet(Group g) {
        List<String> why = new ArrayList<>();
        for (Relation r : g.alternatives()) {
            Candidate c = candidateOf(r.name());
            if (c == null) {
                if (discarded.contains(r.name())) {
                    why.add("but it is not going to be installed");
                } else if (!universe.providers(r.name()).isEmpty()) {
                    why.add("but it is a virtual package and no provider fits");
                } else {
                    why.add("but it is not installable");
                }
            } else if (!relationMatches(r, c)) {
                why.add("but " + c.record().version() + " is to be installed");
            } else {
                why.add("but it is not going to be installed");
            }
        }
        return String.join(" or ", new LinkedHashSet<>(why));
    }

    /**
     * The first kept pin that satisfies {@code g}, itself or through its Provides, in alternative
     * order: as an installed package does for apt, it fills the group before any other choice.
     */
    private Candidate keptPinSatisfying(Group g) {
        if (preferred.isEmpty()) {
            return null;
        }
        for (Relation alt : g.alternatives()) {
            Candidate own = preferred.get(alt.name());
            if (own != null && candidateOf(alt.name()) == own && relationMatches(alt, own)) {
                return own;
            }
            for (Universe.Provision p : universe.providers(alt.name())) {
                Candidate pc = p.provider();
                if (preferred.get(pc.name()) == pc && candidateOf(pc.name()) == pc && provisionMatches(alt, p)) {
                    return pc;
                }
            }
        }
        return null;
    }

    /** apt's getAllPossibleSolutions for one or-group: each alternative's candidates, in order. */
    private List<Candidate> possibleSolutions(Group g, boolean sorted) {
        List<Candidate> out = new ArrayList<>();
        for (Relation alt : g.alternatives()) {
            List<Candidate> vers = fromDependency(alt);
            if (sorted) {
                vers.sort(compareProviders(alt.name()));
            }
            out.addAll(vers);
        }
        if (!sorted) {
            out.sort(Comparator.comparingInt(c -> universe.firstSeen(c.name())));
        }
        List<Candidate> unique = new ArrayList<>(out.size());
        for (Candidate c : out) {
            if (unique.isEmpty() || unique.get(unique.size() - 1) != c) {
                unique.add(c);
            }
        }
        unique.removeIf(c -> protectedNames.contains(c.name()) && !marked.containsKey(c.name()));
        return unique;
    }

    /** The candidate versions that satisfy one alternative: the package itself, then its providers. */
    private List<Candidate> fromDependency(Relation alt) {
        List<Candidate> out = new ArrayList<>(2);
        if (options.exclude().contains(alt.name())) {
            return out;
        }
        Candidate own = candidateOf(alt.name());
        if (own != null && relationMatches(alt, own)) {
            out.add(own);
        } else if (own != null && own == preferred.get(alt.name()) && !candidateOverride.containsKey(alt.name())) {
            Candidate newest = universe.candidate(alt.name());
            if (newest != null && newest != own && relationMatches(alt, newest)) {
                gaveWay.add(alt.name()); // the kept pin is too old for this relation: it has to move
            }
        }
        List<Universe.Provision> provisions = universe.providers(alt.name());
        for (Universe.Provision p : provisions) {
            Candidate pc = candidateOf(p.provider().name());
            if (pc == p.provider() && provisionMatches(alt, p) && !out.contains(pc)) {
                out.add(pc);
            }
        }
        for (Universe.Provision p : provisions) {
            String name = p.provider().name();
            Candidate pin = preferred.get(name);
            if (pin != null && candidateOf(name) == pin && !out.contains(pin) && !candidateOverride.containsKey(name)
                    && p.provider() == universe.candidate(name) && provisionMatches(alt, p)) {
                gaveWay.add(name); // the kept pin provides too old a version (or not at all): it has to move
            }
        }
        return out;
    }

    private boolean relationMatches(Relation r, Candidate c) {
        return Satisfaction.bySelf(r, c, arch);
    }

    private boolean provisionMatches(Relation r, Universe.Provision p) {
        return Satisfaction.byProvision(r, p, arch);
    }

    private boolean anySatisfied(Group g, Map<String, Candidate> state) {
        for (Relation r : g.alternatives()) {
            if (satisfied(r, state)) {
                return true;
            }
        }
        return false;
    }

    private boolean satisfied(Relation r, Map<String, Candidate> state) {
        if (options.exclude().contains(r.name())) {
            return true;
        }
        Candidate m = state.get(r.name());
        if (m != null && relationMatches(r, m)) {
            return true;
        }
        for (Universe.Provision p : universe.providers(r.name())) {
            if (state.get(p.provider().name()) == p.provider() && provisionMatches(r, p)) {
                return true;
            }
        }
        return false;
    }

    private Comparator<Candidate> compareProviders(String target) {
        return (a, b) -> {
            boolean pa = protectedNames.contains(a.name());
            boolean pb = protectedNames.contains(b.name());
            if (pa != pb) {
                return pa ? -1 : 1;
            }
            boolean ga = a.name().equals(target);
            boolean gb = b.name().equals(target);
            if (ga != gb) {
                return ga ? -1 : 1;
            }
            boolean ea = essential(a);
            boolean eb = essential(b);
            if (ea != eb) {
                return ea ? -1 : 1;
            }
            boolean ia = a.record().important() || ea;
            boolean ib = b.record().important() || eb;
            if (ia != ib) {
                return ia ? -1 : 1;
            }
            if (a.record().priority() != b.record().priority()) {
                return Integer.compare(a.record().priority(), b.record().priority());
            }
            return Integer.compare(universe.firstSeen(b.name()), universe.firstSeen(a.name()));
        };
    }

    private static boolean essential(Candidate c) {
        return c.record().essential() || FORCE_ESSENTIAL.contains(c.name());
    }

    // ---- checking and backtracking ----------------------------------------------------------

    /** Unmet dependencies and violated Conflicts/Breaks of a set, as apt would print them. */
    private List<String> check(Map<String, Candidate> state) {
        List<String> out = new ArrayList<>();
        for (Candidate c : state.values()) {
            for (Group g : positiveDependencies(c)) {
                if (g.critical() && !anySatisfied(g, state)) {
                    out.add(c.name() + " : " + g.type() + ": " + g + " " + whyUnmet(g));
                }
            }
            String clash = firstClash(c, state);
            if (clash != null) {
                out.add(clash);
            }
        }
        return out;
    }

    /** The first Conflicts/Breaks of {@code c} that some other member of {@code state} violates. */
    private String firstClash(Candidate c, Map<String, Candidate> state) {
        for (int k = 0; k < 2; k++) {
            List<Relation> negatives = k == 0 ? c.conflicts() : c.breaks();
            String type = k == 0 ? "Conflicts" : "Breaks";
            for (Relation r : negatives) {
                Candidate m = state.get(r.name());
                if (m != null && m != c && relationMatches(r, m)) {
                    return c.name() + " : " + type + ": " + r + " but " + m.record().version() + " is to be installed";
                }
                for (Universe.Provision p : universe.providers(r.name())) {
                    Candidate pc = p.provider();
                    if (pc != c && state.get(pc.name()) == pc && provisionMatches(r, p)) {
                        return c.name() + " : " + type + ": " + r + " but " + pc.name() + " provides it";
                    }
                }
            }
        }
        return null;
    }

    private boolean clashes(Candidate c, Map<String, Candidate> state) {
        if (firstClash(c, state) != null) {
            return true;
        }
        Map<String, Candidate> one = Map.of(c.name(), c);
        for (Candidate other : state.values()) {
            if (firstClash(other, one) != null) {
                return true;
            }
        }
        return false;
    }

    private int steps;
    private String deepestFailure;

    private Solution backtrack(List<String> requested, List<String> greedyProblems) {
        backtracked = true;
        LinkedHashMap<String, Candidate> chosen = new LinkedHashMap<>();
        greedyReasons.putAll(reasons);
        reasons.clear();
        List<Group> agenda = new ArrayList<>();
        for (String n : requested) {
            Candidate c = candidateOverride.getOrDefault(n, defaultCandidate(n));
            if (clashes(c, chosen)) {
                throw unsatisfiable(List.of("the requested packages conflict with each other: " + firstClashAny(c, chosen)));
            }
            chosen.put(n, c);
            reasons.put(n, "requested");
            agenda.addAll(positiveDependencies(c));
        }
        steps = 0;
        deepestFailure = null;
        Map<String, Candidate> result = search(chosen, agenda, 0);
        if (result == null) {
            List<String> lines = new ArrayList<>(problems);
            lines.addAll(greedyProblems);
            if (deepestFailure != null && !lines.contains(deepestFailure)) {
                lines.add(deepestFailure);
            }
            throw unsatisfiable(lines);
        }
        return solution(result);
    }

    private String firstClashAny(Candidate c, Map<String, Candidate> state) {
        String s = firstClash(c, state);
        if (s != null) {
            return s;
        }
        for (Candidate other : state.values()) {
            s = firstClash(other, Map.of(c.name(), c));
            if (s != null) {
                return s;
            }
        }
        return c.name();
    }

    private Map<String, Candidate> search(LinkedHashMap<String, Candidate> chosen, List<Group> agenda, int from) {
        if (++steps > BACKTRACK_BUDGET) {
            throw unsatisfiable(List.of("gave up after " + BACKTRACK_BUDGET
                    + " steps of backtracking; the dependency problem is too tangled to settle"));
        }
        int i = from;
        while (i < agenda.size() && (!agenda.get(i).critical() || anySatisfied(agenda.get(i), chosen))) {
            i++;
        }
        if (i == agenda.size()) {
            return chosen;
        }
        Group g = agenda.get(i);
        List<Candidate> options = new ArrayList<>();
        for (Relation alt : g.alternatives()) {
            List<Candidate> vers = new ArrayList<>();
            if (!this.options.exclude().contains(alt.name())) {
                for (Candidate c : universe.versions(alt.name())) {
                    if (relationMatches(alt, c) && !discardedByOverride(c)) {
                        vers.add(c);
                    }
                }
                for (Universe.Provision p : universe.providers(alt.name())) {
                    if (provisionMatches(alt, p) && !vers.contains(p.provider()) && !discardedByOverride(p.provider())) {
                        vers.add(p.provider());
                    }
                }
            }
            Comparator<Candidate> pref = compareProviders(alt.name());
            vers.sort((a, b) -> {
                boolean ca = defaultCandidate(a.name()) == a;
                boolean cb = defaultCandidate(b.name()) == b;
                if (ca != cb) {
                    return ca ? -1 : 1;
                }
                if (!a.name().equals(b.name())) {
                    return pref.compare(a, b);
                }
                return b.version().compareTo(a.version());
            });
            for (Candidate v : vers) {
                if (!options.contains(v)) {
                    options.add(v);
                }
            }
        }
        // a kept pin that fills the group comes first, whichever alternative it is, as in the walk
        options.sort(Comparator.comparing(c -> preferred.get(c.name()) != c));
        for (Candidate c : options) {
            Candidate already = chosen.get(c.name());
            if (already != null) {
                continue; // a different version of a chosen package cannot join
            }
            if (clashes(c, chosen)) {
                continue;
            }
            LinkedHashMap<String, Candidate> next = new LinkedHashMap<>(chosen);
            next.put(c.name(), c);
            List<Group> nextAgenda = new ArrayList<>(agenda);
            nextAgenda.addAll(positiveDependencies(c));
            Map<String, Candidate> r = search(next, nextAgenda, i + 1);
            if (r != null) {
                reasons.putIfAbsent(c.name(), g.owner() + " " + g.type() + ": " + g);
                return r;
            }
        }
        {
            deepestFailure = g.owner() + " : " + g.type() + ": " + g + " but no choice fits with the packages already chosen";
        }
        return null;
    }

    private boolean discardedByOverride(Candidate c) {
        Candidate o = candidateOverride.get(c.name());
        return o != null && o != c;
    }

    private UnsatisfiableException unsatisfiable(List<String> lines) {
        StringBuilder s = new StringBuilder("the spec cannot be satisfied for " + arch + "; unmet dependencies:");
        for (String l : new LinkedHashSet<>(lines)) {
            s.append("\n  ").append(l);
            String who = l.contains(" : ") ? l.substring(0, l.indexOf(" : ")) : null;
            if (who != null) {
                s.append("\n    (").append(chain(who)).append(')');
            }
        }
        s.append("\n  fix: pin a different version, add the repository that has the missing package,"
                + " or exclude / skip the dependency in contents.exclude / contents.skip-dependencies");
        return new UnsatisfiableException(s.toString());
    }

    private String chain(String name) {
        List<String> path = new ArrayList<>();
        String cur = name;
        Set<String> seen = new HashSet<>();
        while (cur != null && seen.add(cur)) {
            String why = reasons.getOrDefault(cur, greedyReasons.get(cur));
            if (why == null || why.equals("requested")) {
                path.add(cur + (why == null ? "" : " (requested)"));
                break;
            }
            path.add(cur);
            int sp = why.indexOf(' ');
            cur = sp > 0 ? why.substring(0, sp) : null;
        }
        return "pulled in by: " + String.join(" <- ", path);
    }

    private Solution solution(Map<String, Candidate> state) {
        List<Candidate> pkgs = new ArrayList<>(state.values());
        pkgs.sort(Comparator.comparing(Candidate::name));
        Map<String, String> why = new LinkedHashMap<>();
        for (Candidate c : pkgs) {
            why.put(c.name(), reasons.getOrDefault(c.name(), "dependency"));
        }
        return new Solution(arch, pkgs, why);
    }
}
