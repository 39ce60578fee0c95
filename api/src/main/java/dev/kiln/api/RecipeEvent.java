package dev.kiln.api;

import java.util.Objects;

/** What a recipe build does as it goes: which recipe, which step, each line a step prints. */
public sealed interface RecipeEvent extends KilnEvent permits RecipeEvent.Started, RecipeEvent.Step, RecipeEvent.Output,
        RecipeEvent.Finished, RecipeEvent.Stopped {
    /** A recipe's build starts (its key was not in the store, or a rebuild was asked for). */
    record Started(String recipe, String version, String buildKey) implements RecipeEvent {
        public Started {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(buildKey, "buildKey");
        }
    }

    /** A step of a recipe's pipeline starts in a fresh sandbox. */
    record Step(String recipe, String step) implements RecipeEvent {
        public Step {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(step, "step");
        }
    }

    /** A line a step printed (its standard output and error, merged). */
    record Output(String recipe, String step, String line) implements RecipeEvent {
        public Output {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(step, "step");
            Objects.requireNonNull(line, "line");
        }
    }

    /** A recipe is done: built now, or remembered by its build key. */
    record Finished(String recipe, String version, String buildKey, boolean remembered) implements RecipeEvent {
        public Finished {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(buildKey, "buildKey");
        }
    }

    /**
     * A recipe is not built: its build failed, or a recipe it needs did (then {@code reason} names
     * it). Recipes that do not need it go on.
     */
    record Stopped(String recipe, String version, String reason) implements RecipeEvent {
        public Stopped {
            Objects.requireNonNull(recipe, "recipe");
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(reason, "reason");
        }
    }
}
