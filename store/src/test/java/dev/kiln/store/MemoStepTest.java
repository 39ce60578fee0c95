package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The memo steps' persisted names: a store written by one kiln is read by the next, so a name
 * changes only on purpose (with the step's output), never by a rename or a reordering.
 */
class MemoStepTest {
    @Test
    void theNamesArePinned() {
        Map<MemoStep, String> names = new LinkedHashMap<>();
        Arrays.stream(MemoStep.values()).forEach(s -> names.put(s, s.id()));
        assertEquals(Map.of(
                MemoStep.DEBIAN_INDEX, "debian-index-v2",
                MemoStep.DEBIAN_SOLVE, "debian-solve-v3",
                MemoStep.PGP_VERIFY, "pgp-verify-v1",
                MemoStep.DEB_UNPACK, "deb-unpack-v2",
                MemoStep.LAYER, "layer-v3",
                MemoStep.BUILD_USES, "build-uses-v1",
                MemoStep.DEB_CONTROL, "deb-control-v1",
                MemoStep.DEBIAN_CHANGELOG, "debian-changelog-v1",
                MemoStep.BUILD_ROOT, "build-root-v1", MemoStep.RECIPE_BUILD, "recipe-build-v1"), names);
    }

    @Test
    void onlyPureStepsAreSharedAndNeverASignatureVerdict() {
        // a remote store is asked for, and sent, these steps only (the README's "never shared" list)
        assertEquals(java.util.Set.of(MemoStep.DEBIAN_INDEX, MemoStep.DEB_UNPACK, MemoStep.LAYER, MemoStep.DEB_CONTROL,
                MemoStep.RECIPE_BUILD), java.util.EnumSet.copyOf(Arrays.stream(MemoStep.values()).filter(MemoStep::shared).toList()));
    }

    @Test
    void aStepIsWrittenUnderItsName() {
        // the folder name is what another kiln reads: it must be the id, not the enum's name
        assertEquals("layer-v3", MemoStep.LAYER.toString());
    }
}
