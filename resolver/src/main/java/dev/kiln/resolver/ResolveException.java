package dev.kiln.resolver;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/** A spec, a repository's metadata or a dependency problem stopped resolution. */
public class ResolveException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures to resolve (and to use a lock) that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other. */
        OTHER("resolve"),
        /** No set of packages meets the spec: a dependency, a conflict or a version cannot be had. */
        UNSATISFIABLE("resolve.unsatisfiable"),
        /** The spec names a package the repositories do not have for an architecture. */
        NO_SUCH_PACKAGE("resolve.no-such-package"),
        /** Repository metadata (Release, Packages, a relation field) is not in the form Debian defines. */
        DEBIAN_FORMAT("resolve.debian-format"),
        /** The mirror has no InRelease or Release for the suite: a wrong suite name or mirror; or a file: repository's directory is not there. */
        NO_RELEASE("resolve.no-release"),
        /** The signed Release is past its Valid-Until: a stale mirror, or a wrong clock. */
        RELEASE_EXPIRED("resolve.release-expired"),
        /** The signed Release is older than one this store has seen: a rollback (replay) refused. */
        ROLLBACK("resolve.rollback"),
        /** The signed Release is another suite's than the one the spec names. */
        WRONG_SUITE("resolve.wrong-suite"),
        /** The signed Release lists no Packages index for a component and architecture the spec asks for. */
        NO_INDEX("resolve.no-index"),
        /** Offline, and the store has no verified Release or index for a repository. */
        OFFLINE_MISSING("resolve.offline-missing"),
        /** A repository's signed-by key file is not there. */
        KEY_NOT_FOUND("resolve.key-not-found"),
        /** A lockfile cannot be read: not JSON, a key missing or of another type, another lock version. */
        LOCK_INVALID("lock.invalid"),
        /** The lock was made from another spec: it pins what the spec does not ask for, or lacks what it does. */
        LOCK_MISMATCH("lock.mismatch"),
        /** The lock is frozen, but what it pins changed since (local sources with other content). */
        LOCK_STALE("lock.stale");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public ResolveException(String message) {
        super(Kind.OTHER, message, null);
    }

    public ResolveException(String message, Throwable cause) {
        super(Kind.OTHER, message, cause);
    }

    public ResolveException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public ResolveException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
