package dev.kiln.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** An error's parts apart, for programs: the problem, the fix, and a code to group by. */
class KilnExceptionTest {
    @Test
    void theFixIsWhatFollowsTheFixLine() {
        KilnException e = new StoreException(StoreException.Kind.DAMAGED, "the store's blob sha256:ab is damaged\n  fix: repair the store");
        assertEquals("the store's blob sha256:ab is damaged", e.description());
        assertEquals(Optional.of("repair the store"), e.fix());
        assertEquals("store.damaged", e.code());
    }

    @Test
    void aMessageWithoutAFixIsAllProblem() {
        KilnException e = new KilnException("something went wrong");
        assertEquals("something went wrong", e.description());
        assertEquals(Optional.empty(), e.fix());
        assertEquals("kiln", e.code());
    }
}
