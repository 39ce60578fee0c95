package dev.kiln.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.ResolveException;
import java.util.OptionalLong;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** SOURCE_DATE_EPOCH is taken when it is a time an image can carry, and refused with a fix otherwise. */
class SourceDateEpochTest {
    @Test
    void unsetOrBlankLeavesTheLocksDate() {
        assertEquals(OptionalLong.empty(), Kiln.sourceDateEpoch(null));
        assertEquals(OptionalLong.empty(), Kiln.sourceDateEpoch(" "));
    }

    @Test
    void secondsFrom1970ToTheYear9999AreTaken() {
        assertEquals(OptionalLong.of(0), Kiln.sourceDateEpoch("0"));
        assertEquals(OptionalLong.of(1_700_000_000L), Kiln.sourceDateEpoch(" 1700000000\n"));
        assertEquals(OptionalLong.of(253_402_300_799L), Kiln.sourceDateEpoch("253402300799"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"-5", "abc", "1.5", "253402300800", "99999999999999999999"})
    void anythingElseIsRefusedSayingWhatWouldDo(String value) {
        // -5 got as far as the layers and failed there as an internal error, after the whole fetch
        ResolveException e = assertThrows(ResolveException.class, () -> Kiln.sourceDateEpoch(value));
        assertTrue(e.getMessage().contains("found '" + value + "'") && e.getMessage().contains("fix: set it to a commit's time"),
                e.getMessage());
    }
}
