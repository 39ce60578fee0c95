package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.Relation;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The packages of one repository, looked up by name. A solve asks about a few hundred names of
 * ~60k, so a source may answer from an index without materializing the rest.
 */
public interface PackageSource {

    /** Every stanza named {@code name} (any architecture), in index order. */
    List<PackageRecord> byName(String name);

    /** Every stanza that provides {@code name}, with the provision as written ({@code foo (= 1.2)}). */
    List<Provide> providersOf(String name);

    /**
     * When the name was first met reading this source (as a package or as a provided name), or -1.
     * apt breaks its last tie between providers by this order.
     */
    int ordinal(String name);

    /** How many distinct names {@link #ordinal} numbers. */
    int nameCount();

    /** Names of real packages (for suggestions; may be slow). */
    Set<String> packageNames();

    /** A provision: the providing stanza and one entry of its Provides field. */
    record Provide(PackageRecord record, String relation) {
    }

    /** A source over stanzas in memory: what a freshly parsed index gives. */
    static PackageSource of(Collection<PackageRecord> records) {
        Map<String, Object> byName = new HashMap<>(Math.max(16, records.size() * 4 / 3 + 1));
        Map<String, List<Provide>> provides = new HashMap<>(1 << 13);
        Map<String, Integer> ordinals = new HashMap<>(Math.max(16, records.size() * 4 / 3 + 1));
        for (PackageRecord r : records) {
            Object prev = byName.get(r.name());
            if (prev == null) {
                byName.put(r.name(), r);
            } else if (prev instanceof PackageRecord one) {
                List<PackageRecord> l = new ArrayList<>(2);
                l.add(one);
                l.add(r);
                byName.put(r.name(), l);
            } else {
                @SuppressWarnings("unchecked")
                List<PackageRecord> l = (List<PackageRecord>) prev;
                l.add(r);
            }
            ordinals.putIfAbsent(r.name(), ordinals.size());
            if (r.provides() != null) {
                for (String entry : splitProvides(r.provides())) {
                    String name = provisionName(entry);
                    provides.computeIfAbsent(name, k -> new ArrayList<>(2)).add(new Provide(r, entry));
                    ordinals.putIfAbsent(name, ordinals.size());
                }
            }
        }
        return new PackageSource() {
            @Override
            @SuppressWarnings("unchecked")
            public List<PackageRecord> byName(String name) {
                Object o = byName.get(name);
                if (o == null) {
                    return List.of();
                }
                return o instanceof PackageRecord one ? List.of(one) : (List<PackageRecord>) o;
            }

            @Override
            public List<Provide> providersOf(String name) {
                return provides.getOrDefault(name, List.of());
            }

            @Override
            public int ordinal(String name) {
                return ordinals.getOrDefault(name, -1);
            }

            @Override
            public int nameCount() {
                return ordinals.size();
            }

            @Override
            public Set<String> packageNames() {
                return new LinkedHashSet<>(byName.keySet());
            }
        };
    }

    /** Several sources read as one, in order (a suite's components, its arch-all index). */
    static PackageSource concat(List<PackageSource> parts) {
        if (parts.size() == 1) {
            return parts.get(0);
        }
        List<PackageSource> ps = List.copyOf(parts);
        return new PackageSource() {
            @Override
            public List<PackageRecord> byName(String name) {
                List<PackageRecord> out = new ArrayList<>(1);
                for (PackageSource p : ps) {
                    out.addAll(p.byName(name));
                }
                return out;
            }

            @Override
            public List<Provide> providersOf(String name) {
                List<Provide> out = new ArrayList<>(1);
                for (PackageSource p : ps) {
                    out.addAll(p.providersOf(name));
                }
                return out;
            }

            @Override
            public int ordinal(String name) {
                int base = 0;
                for (PackageSource p : ps) {
                    int o = p.ordinal(name);
                    if (o >= 0) {
                        return base + o;
                    }
                    base += p.nameCount();
                }
                return -1;
            }

            @Override
            public int nameCount() {
                int n = 0;
                for (PackageSource p : ps) {
                    n += p.nameCount();
                }
                return n;
            }

            @Override
            public Set<String> packageNames() {
                Set<String> out = new LinkedHashSet<>();
                for (PackageSource p : ps) {
                    out.addAll(p.packageNames());
                }
                return out;
            }
        };
    }

    /** The entries of a Provides field, trimmed. */
    static List<String> splitProvides(String field) {
        List<String> out = new ArrayList<>(2);
        int start = 0;
        for (int i = 0; i <= field.length(); i++) {
            if (i == field.length() || field.charAt(i) == ',') {
                String e = field.substring(start, i).trim();
                if (!e.isEmpty()) {
                    out.add(e);
                }
                start = i + 1;
            }
        }
        return out;
    }

    /** The provided name of one entry: {@code foo} in {@code foo:any (= 1.2)}. */
    static String provisionName(String entry) {
        int end = 0;
        while (end < entry.length() && " \t(:[<".indexOf(entry.charAt(end)) < 0) {
            end++;
        }
        return entry.substring(0, end);
    }

    /** Parses one provision entry (for the solver, on demand). */
    static Relation parseProvision(String entry, PackageRecord owner) {
        return Relation.parseList(entry, () -> owner.name() + " " + owner.version() + " Provides").get(0);
    }
}
