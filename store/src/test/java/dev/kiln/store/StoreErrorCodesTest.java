package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The store's error codes are published names: pinned here, listed in the README. */
class StoreErrorCodesTest {
    @Test
    void everyExceptionClassOfTheStoreIsOneThisTestKnows() {
        assertEquals(List.of(KilnException.class.getName(), StoreException.class.getName()),
                ErrorCodeCheck.exceptionClasses(StoreException.class));
    }

    @Test
    void theCodesArePinnedAndTheReadmeListsThem() {
        List<String> codes = new ArrayList<>(List.of(KilnException.KILN.code()));
        for (StoreException.Kind k : StoreException.Kind.values()) {
            codes.add(k.code());
        }
        ErrorCodeCheck.assertPublished(List.of(
                "kiln",
                "store",
                "store.cannot-create",
                "store.damaged",
                "store.disk-full",
                "store.locked",
                "store.mismatch",
                "store.missing"), codes, "kiln", "store");
    }

    @Test
    void aStoreErrorWithoutAKindIsTheFamilysCode() {
        assertEquals("store", new StoreException("cannot list x").code());
        assertEquals("store.missing", new StoreException(StoreException.Kind.MISSING, "no blob").code());
    }
}
