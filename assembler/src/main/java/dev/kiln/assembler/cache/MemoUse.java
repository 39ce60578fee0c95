package dev.kiln.assembler.cache;

import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.util.Objects;

/**
 * One memo entry a build used: the step, the key, the record blob it led to, and whether the
 * record was found in the store ({@code reused}) or made now. What a build records for gc
 * ({@link BuildUses}) and counts for its events.
 */
public record MemoUse(MemoStep step, Digest key, Digest record, boolean reused) {
    public MemoUse {
        Objects.requireNonNull(step, "step");
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(record, "record");
    }
}
