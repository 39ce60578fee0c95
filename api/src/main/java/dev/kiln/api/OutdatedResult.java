package dev.kiln.api;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What a lock's repositories offer that is newer than what it pins: one {@link Update} per package
 * and version change (its architectures merged), and notes on what could not be told. An empty
 * list says the repositories read offer nothing newer, not that the packages have no known flaws:
 * a fix not yet published is in no repository.
 *
 * @param lockFile the lock held against the repositories
 * @param specFile the spec whose repositories were read (as given, or as the lock names it)
 * @param updates sorted by name, then architectures
 * @param notes what the reader should know: the lock's Release data past its {@code Valid-Until},
 *     a spec changed since the lock, a changelog that could not be read, a pin no longer offered
 */
public record OutdatedResult(Path lockFile, Path specFile, List<Update> updates, List<String> notes) {
    public OutdatedResult {
        Objects.requireNonNull(lockFile, "lockFile");
        Objects.requireNonNull(specFile, "specFile");
        updates = List.copyOf(updates);
        notes = List.copyOf(notes);
    }

    /** Whether any update is a security update. */
    public boolean security() {
        return updates.stream().anyMatch(Update::security);
    }

    /** What was learnt of an update's changelog. */
    public enum Changelog {
        /** Read: its CVE ids and urgency are the entries' newer than the locked version. */
        READ,
        /** The package ships none (nor does the package whose doc directory it links to). */
        MISSING,
        /** Offline, and the store holds neither the package nor what kiln read of it before. */
        OFFLINE,
        /** The package or its changelog is malformed; the notes say how. */
        UNREADABLE
    }

    /**
     * A newer candidate (apt's: highest version, earlier repository on a tie) for a locked package.
     *
     * @param architectures where the same change applies, sorted
     * @param repository the spec's line of the repository that offers it, as written
     * @param suite that line's suite ({@code bookworm-security})
     * @param security it comes from a {@code *-security} suite, or a changelog entry newer than the
     *     locked version names a CVE, or has urgency high, emergency or critical and speaks of security
     * @param cves the CVE ids the changelog entries newer than the locked version name, oldest first
     * @param urgency the highest urgency of those entries; empty when none has one Debian defines
     *     (or the changelog was not read)
     */
    public record Update(String name, List<String> architectures, String lockedVersion, String newVersion, String repository,
                         String suite, boolean security, List<String> cves, Optional<String> urgency, Changelog changelog) {
        public Update {
            architectures = List.copyOf(architectures);
            cves = List.copyOf(cves);
            Objects.requireNonNull(urgency, "urgency");
            Objects.requireNonNull(changelog, "changelog");
        }
    }
}
