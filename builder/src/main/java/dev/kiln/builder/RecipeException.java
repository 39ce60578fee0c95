package dev.kiln.builder;

import dev.kiln.store.ErrorCode;
import dev.kiln.store.KilnException;

/** A recipe could not be locked, built, packaged or published. */
public class RecipeException extends KilnException {
    private static final long serialVersionUID = 1L;

    /** The failures of the package builder that a program (or an exception tracker) may want apart. */
    public enum Kind implements ErrorCode {
        /** Any other. */
        OTHER("recipe"),
        /** A recipe file is not a valid recipe: YAML, an unknown key, a missing or malformed value. */
        SPEC("recipe.spec"),
        /** A source could not be fetched, or is not what the recipe pins: a wrong hash, a moved tag, a wrong commit. */
        SOURCE("recipe.source"),
        /** A recipe's lock is missing, stale (the recipe changed since) or malformed. */
        LOCK("recipe.lock"),
        /** The sandbox cannot run here: bubblewrap missing, user namespaces not permitted. */
        SANDBOX("recipe.sandbox"),
        /** A step of a recipe's pipeline failed (a non-zero exit, a signal, a time limit). */
        STEP_FAILED("recipe.step-failed"),
        /** A build's outputs cannot become a package: an entry a .deb cannot hold, a hostile name. */
        PACKAGE("recipe.package"),
        /** The repository already holds other bytes for this name, version and architecture: bump the epoch. */
        VERSION_TAKEN("recipe.version-taken"),
        /** A repository directory cannot be read or written: not a kiln repository, malformed indexes, a key that cannot sign. */
        REPOSITORY("recipe.repository"),
        /** A build for an architecture this host cannot run. */
        ARCHITECTURE("recipe.architecture"),
        /** Recipes need each other's packages in a cycle: none of them can be built first. */
        CYCLE("recipe.cycle"),
        /** Recipes of a build failed, or were not built because a recipe they need failed: the message says which did what. */
        NOT_BUILT("recipe.not-built"),
        /** A secret a step of the recipe requires was not given. */
        SECRET("recipe.secret"),
        /** A secret's value (raw, hex or base64) is in a file a package or a cache would keep: nothing is published. */
        SECRET_LEAKED("recipe.secret-leaked");

        private final String code;

        Kind(String code) {
            this.code = code;
        }

        @Override
        public String code() {
            return code;
        }
    }

    public RecipeException(ErrorCode code, String message) {
        super(code, message, null);
    }

    public RecipeException(ErrorCode code, String message, Throwable cause) {
        super(code, message, cause);
    }
}
