package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.DebianVersion;
import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.Relation;
import java.util.List;

/**
 * One installable version of one package in one repository of a {@link Universe}. Relation fields
 * are parsed when first asked for, since a solve visits a few hundred of ~60k candidates.
 */
public final class Candidate {
    private final PackageRecord record;
    private final int repository;
    private String what;
    private DebianVersion version;
    private List<List<Relation>> preDepends;
    private List<List<Relation>> depends;
    private List<List<Relation>> recommends;
    private List<Relation> conflicts;
    private List<Relation> breaks;
    private List<Relation> provides;

    Candidate(PackageRecord record, int repository) {
        this.record = record;
        this.repository = repository;
    }

    /** "name version", for messages; built on demand, as most candidates never appear in one. */
    private String what() {
        if (what == null) {
            what = record.name() + " " + record.version();
        }
        return what;
    }

    public PackageRecord record() {
        return record;
    }

    public String name() {
        return record.name();
    }

    /** Index of the repository (in spec order) this candidate was read from. */
    public int repository() {
        return repository;
    }

    public DebianVersion version() {
        if (version == null) {
            version = DebianVersion.parse(record.version());
        }
        return version;
    }

    public boolean multiArchAllowed() {
        return "allowed".equals(record.multiArch());
    }

    public List<List<Relation>> preDepends() {
        if (preDepends == null) {
            preDepends = Relation.parseGroups(record.preDepends(), () -> what() + " Pre-Depends");
        }
        return preDepends;
    }

    public List<List<Relation>> depends() {
        if (depends == null) {
            depends = Relation.parseGroups(record.depends(), () -> what() + " Depends");
        }
        return depends;
    }

    public List<List<Relation>> recommends() {
        if (recommends == null) {
            recommends = Relation.parseGroups(record.recommends(), () -> what() + " Recommends");
        }
        return recommends;
    }

    public List<Relation> conflicts() {
        if (conflicts == null) {
            conflicts = Relation.parseList(record.conflicts(), () -> what() + " Conflicts");
        }
        return conflicts;
    }

    public List<Relation> breaks() {
        if (breaks == null) {
            breaks = Relation.parseList(record.breaks(), () -> what() + " Breaks");
        }
        return breaks;
    }

    public List<Relation> provides() {
        if (provides == null) {
            provides = Relation.parseList(record.provides(), () -> what() + " Provides");
        }
        return provides;
    }

    @Override
    public String toString() {
        return what();
    }
}
