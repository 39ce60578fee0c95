package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VersionRelationTest {
    private static final DebianVersion EARLY = DebianVersion.parse("2.36-9");
    private static final DebianVersion SAME = DebianVersion.parse("0:2.36-9");
    private static final DebianVersion LATE = DebianVersion.parse("2.36-9+deb12u4");

    /** candidate OP bound for a candidate earlier than, equal to and later than the bound. */
    @ParameterizedTest(name = "{0}: earlier {1}, equal {2}, later {3}")
    @CsvSource(delimiter = '|', textBlock = """
            <<  | true  | false | false
            <=  | true  | true  | false
            =   | false | true  | false
            >=  | false | true  | true
            >>  | false | false | true
            """)
    void holdsComparesTheCandidateWithTheBound(String symbol, boolean earlier, boolean equal, boolean later) {
        VersionRelation relation = VersionRelation.parse(symbol);
        assertEquals(earlier, relation.holds(EARLY, LATE), EARLY + " " + symbol + " " + LATE);
        assertEquals(equal, relation.holds(EARLY, SAME), EARLY + " " + symbol + " " + SAME);
        assertEquals(later, relation.holds(LATE, EARLY), LATE + " " + symbol + " " + EARLY);
    }

    @Test
    void symbolsRoundTrip() {
        for (VersionRelation relation : VersionRelation.values()) {
            assertEquals(relation, VersionRelation.parse(relation.symbol()));
        }
        assertEquals("<<", VersionRelation.EARLIER.symbol());
        assertEquals("<=", VersionRelation.EARLIER_OR_EQUAL.symbol());
        assertEquals("=", VersionRelation.EQUAL.symbol());
        assertEquals(">=", VersionRelation.LATER_OR_EQUAL.symbol());
        assertEquals(">>", VersionRelation.LATER.symbol());
    }

    @Test
    void obsoleteSingleAnglesMeanOrEqualNotStrictly() {
        assertEquals(VersionRelation.EARLIER_OR_EQUAL, VersionRelation.parse("<"));
        assertEquals(VersionRelation.LATER_OR_EQUAL, VersionRelation.parse(">"));
        assertTrue(VersionRelation.parse("<").holds(SAME, EARLY));
        assertTrue(VersionRelation.parse(">").holds(SAME, EARLY));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "==", "<>", "!=", "=<", "=>", " >=", ">= ", "lt", "<<<"})
    void parseRefusesOtherSymbolsAndSaysWhatItExpected(String symbol) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> VersionRelation.parse(symbol));
        assertTrue(e.getMessage().contains("expected a version relation"), e.getMessage());
        assertTrue(e.getMessage().contains("found '" + symbol + "'"), e.getMessage());
    }
}
