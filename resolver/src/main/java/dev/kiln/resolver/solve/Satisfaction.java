package dev.kiln.resolver.solve;

import dev.kiln.resolver.debian.DebianVersion;
import dev.kiln.resolver.debian.Relation;
import dev.kiln.resolver.debian.VersionRelation;

/**
 * Whether a package meets one alternative of a dependency, as apt judges it: by itself (name,
 * version, architecture qualifier) or through one of its Provides. The solver and
 * {@link ClosureGraph} judge alike.
 */
final class Satisfaction {
    private Satisfaction() {
    }

    /** {@code c} is the package {@code r} names, in a version and architecture {@code r} accepts. */
    static boolean bySelf(Relation r, Candidate c, String arch) {
        return archAcceptable(r, c, arch) && r.versionMatches(c.version());
    }

    /** {@code p}'s provider meets {@code r} through what it provides. */
    static boolean byProvision(Relation r, Universe.Provision p, String arch) {
        Relation provided = p.provided();
        if (provided.relation() != null && provided.relation() != VersionRelation.EQUAL) {
            return false; // apt ignores non-equal Provides
        }
        if (!archAcceptable(r, p.provider(), arch)) {
            return false;
        }
        if (!r.versioned()) {
            return true;
        }
        if (provided.relation() == null) {
            return false; // an unversioned Provides never meets a versioned dependency
        }
        return r.relation().holds(DebianVersion.parse(provided.version()), DebianVersion.parse(r.version()));
    }

    private static boolean archAcceptable(Relation r, Candidate c, String arch) {
        String q = r.archQualifier();
        if (q == null || q.equals("native") || q.equals(arch)) {
            return true;
        }
        if (q.equals("any")) {
            return c.multiArchAllowed();
        }
        return false;
    }
}
