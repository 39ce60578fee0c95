package dev.kiln.resolver.debian;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DebianVersionTest {
    /**
     * Tricky cases, each checked against {@code dpkg --compare-versions} (DebianVersionDpkgPeerTest
     * runs this table through dpkg as well). Read a row as "left OP right".
     */
    static final String TABLE = """
            # epochs: numeric, default 0, leading zeros ignored, stronger than anything after them
            0:1.0                  =  1.0
            01:1.0                 =  1:1.0
            1:0.1                  >  9.9
            2:1                    >  1:9
            # tilde sorts before everything, even the end of the part
            1.0~rc1                <  1.0
            1.0~                   <  1.0
            1.0~~                  <  1.0~
            1.0~~a                 <  1.0~
            1.0~~                  <  1.0~~a
            ~~                     <  ~
            ~                      <  0
            1.2.3~rc1-1            <  1.2.3-1
            # the end of a part sorts before letters, letters before other characters, ASCII order within
            1.0                    <  1.0a
            1.0                    <  1.0.1
            1.0.0                  >  1.0
            1.0A                   <  1.0a
            1.0Z                   <  1.0a
            1.0z                   <  1.0+
            1.0+                   <  1.0.
            1.0+dfsg               <  1.0.1
            1:2:3                  >  1:2.3
            a                      >  1
            # digit runs are numbers: leading zeros ignored, a missing number is 0
            1.01                   =  1.1
            1.010                  >  1.9
            007                    =  7
            1.0                    =  1.00
            1.                     =  1.0
            1a                     =  1a0
            000000000000000000000000000001  =  1
            # digit runs longer than a long
            18446744073709551616   >  18446744073709551615
            99999999999999999999999999999   >  99999999999999999999999999998
            # a missing revision is revision 0
            1.0                    =  1.0-0
            1.0-0                  =  1.0-00
            1.0-1                  >  1.0
            1.0                    <  1.0-0.1
            # revisions compare like upstream versions, tilde included
            1.0-~                  <  1.0
            1.0-0~                 <  1.0
            1.0~-1                 <  1.0-0
            1.0-1~bpo12+1          <  1.0-1
            1.0-1                  <  1.0-1+b1
            1.0-1                  <  1.0-1.1
            1.2-3                  <  1.2-10
            2.36-9+deb12u4         <  2.36-9+deb12u10
            # the revision starts after the last hyphen
            1-2-3                  <  1-2-4
            1-2-3                  >  1-2
            """;

    /** The rows of {@link #TABLE} as {left, op, right}. */
    static List<String[]> tableRows() {
        List<String[]> rows = new ArrayList<>();
        for (String line : TABLE.split("\n")) {
            String row = line.strip();
            if (row.isEmpty() || row.startsWith("#")) {
                continue;
            }
            String[] cells = row.split("\\s+");
            if (cells.length != 3 || !"<=>".contains(cells[1]) || cells[1].length() != 1) {
                throw new IllegalStateException("table row must be 'left OP right' with OP one of < = >: " + row);
            }
            rows.add(cells);
        }
        return rows;
    }

    @TestFactory
    Stream<DynamicTest> ordersTheTableOfTrickyCasesAsDpkg() {
        return tableRows().stream().map(row -> dynamicTest(row[0] + " " + row[1] + " " + row[2], () -> {
            DebianVersion left = DebianVersion.parse(row[0]);
            DebianVersion right = DebianVersion.parse(row[2]);
            int expected = switch (row[1]) {
                case "<" -> -1;
                case "=" -> 0;
                default -> 1;
            };
            assertEquals(expected, left.compareTo(right), "compare " + left + " with " + right);
            assertEquals(-expected, right.compareTo(left), "compare " + right + " with " + left);
            assertEquals(expected == 0, left.equals(right), "equals");
            if (expected == 0) {
                assertEquals(left.hashCode(), right.hashCode(), "hashCode of equal versions");
            }
        }));
    }

    @Test
    void parseSplitsEpochUpstreamAndRevision() {
        DebianVersion v = DebianVersion.parse("1:2.36-9+deb12u4");
        assertEquals(1, v.epoch());
        assertEquals("2.36", v.upstream());
        assertEquals("9+deb12u4", v.revision());
        assertEquals("1:2.36-9+deb12u4", v.toString());
    }

    @Test
    void parseDefaultsToEpochZeroAndAnEmptyRevision() {
        DebianVersion v = DebianVersion.parse("3.0.11");
        assertEquals(0, v.epoch());
        assertEquals("3.0.11", v.upstream());
        assertEquals("", v.revision());
    }

    @Test
    void revisionStartsAfterTheLastHyphenAndUpstreamMayHoldHyphens() {
        DebianVersion v = DebianVersion.parse("1.0-beta-2-1");
        assertEquals("1.0-beta-2", v.upstream());
        assertEquals("1", v.revision());
    }

    @Test
    void upstreamMayHoldColonsAfterAnEpoch() {
        DebianVersion v = DebianVersion.parse("1:2:3-4");
        assertEquals(1, v.epoch());
        assertEquals("2:3", v.upstream());
        assertEquals("4", v.revision());
    }

    @Test
    void toStringKeepsTheTextAsGivenEvenWhenEqualToAnother() {
        DebianVersion padded = DebianVersion.parse("0:1.00-0");
        assertEquals("0:1.00-0", padded.toString());
        assertEquals(DebianVersion.parse("1.0"), padded);
    }

    @Test
    void epochGoesUpToIntMaxAndLeadingZerosDoNotCount() {
        assertEquals(Integer.MAX_VALUE, DebianVersion.parse("2147483647:1").epoch());
        assertEquals(1, DebianVersion.parse("000000000000000000001:1").epoch());
    }

    @Test
    void upstreamNotStartingWithADigitIsAcceptedAsDpkgOnlyWarns() {
        assertEquals("a1", DebianVersion.parse("a1").upstream());
        assertEquals("~1", DebianVersion.parse("1:~1").upstream());
    }

    @ParameterizedTest(name = "[{0}] is refused: {1}")
    @CsvSource(delimiter = '|', quoteCharacter = '"', textBlock = """
            ""               | found an empty string
            :1               | expected digits for the epoch before ':', found nothing
            a:1              | expected only digits for the epoch before ':', found 'a' at index 0
            1-2:3            | expected only digits for the epoch before ':', found '-' at index 1
            -1:2             | expected only digits for the epoch before ':', found '-' at index 0
            +1:2             | expected only digits for the epoch before ':', found '+' at index 0
            2147483648:1     | expected an epoch of at most 2147483647, found '2147483648'
            99999999999999999999:1 | expected an epoch of at most 2147483647
            1:               | expected an upstream version after the epoch's ':', found nothing
            1.0-             | expected a revision after the last '-', found nothing
            -1               | expected an upstream version before the revision's '-', found nothing
            1:-1             | expected an upstream version before the revision's '-', found nothing
            1.0:2            | expected only digits for the epoch before ':'
            1.0_2            | expected only letters, digits and . + ~ - : in the upstream version, found '_' at index 3
            "1.0 "           | found ' ' at index 3
            " 1.0"           | found ' ' at index 0
            1$               | found '$' at index 1
            1.0é             | found U+00E9 at index 3
            1.0-1:2          | expected only digits for the epoch before ':'
            1:1.0-1:2        | expected only letters, digits and . + ~ in the revision, found ':' at index 7
            1.0-a_b          | expected only letters, digits and . + ~ in the revision, found '_' at index 5
            """)
    void parseRefusesWhatIsNotAVersionAndSaysWhatItExpected(String text, String message) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DebianVersion.parse(text));
        assertTrue(e.getMessage().contains(message), () -> "message '" + e.getMessage() + "' should contain '" + message + "'");
        assertTrue(e.getMessage().contains('"' + text + '"'), () -> "message '" + e.getMessage() + "' should quote the version");
    }

    @Test
    void compareOfStringsParsesBoth() {
        assertTrue(DebianVersion.compare("1.0~rc1", "1.0") < 0);
        assertEquals(0, DebianVersion.compare("1.0", "0:1.0-0"));
        assertThrows(IllegalArgumentException.class, () -> DebianVersion.compare("1.0", "1.0-"));
    }

    @Test
    void compareToReturnsOnlyMinusOneZeroOrOne() {
        assertEquals(-1, DebianVersion.compare("1.1", "1.9"));
        assertEquals(1, DebianVersion.compare("1.0a", "1.0~"));
        assertEquals(-1, DebianVersion.compare("1:0", "5:0"));
    }

    @Test
    void versionsThatDifferOnlyInAZeroInTheMiddleAreNotEqual() {
        // The hash drops zeros only at the end of a part; in the middle the number still counts.
        assertNotEquals(DebianVersion.parse("1.0.1"), DebianVersion.parse("1..1"));
        assertNotEquals(DebianVersion.parse("0a"), DebianVersion.parse("a"));
    }

    @Test
    void comparingAllocatesNothing() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        assertTrue(threads.isThreadAllocatedMemorySupported() && threads.isThreadAllocatedMemoryEnabled(),
                "this JVM must report per-thread allocation");
        DebianVersion[] versions = tableRows().stream()
                .flatMap(row -> Stream.of(row[0], row[2]))
                .map(DebianVersion::parse)
                .toArray(DebianVersion[]::new);
        int n = versions.length;
        int sink = 0;
        for (int i = 0; i < 200_000; i++) {
            sink += versions[i % n].compareTo(versions[(i * 7 + 3) % n]);
        }
        int compares = 1_000_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < compares; i++) {
            sink += versions[i % n].compareTo(versions[(i * 7 + 3) % n]);
        }
        long allocated = threads.getCurrentThreadAllocatedBytes() - before;
        // A few hundred bytes of slack for the measurement itself; one object per compare would be megabytes.
        assertTrue(allocated < 4096, compares + " compares allocated " + allocated + " bytes (sink " + sink + ")");
    }

    @Test
    void parsingAllocatesLittleMoreThanTheValue() {
        com.sun.management.ThreadMXBean threads = (com.sun.management.ThreadMXBean) ManagementFactory.getThreadMXBean();
        String[] texts = tableRows().stream().flatMap(row -> Stream.of(row[0], row[2])).toArray(String[]::new);
        int n = texts.length;
        long sink = 0;
        for (int i = 0; i < 100_000; i++) {
            sink += DebianVersion.parse(texts[i % n]).epoch();
        }
        int parses = 500_000;
        long before = threads.getCurrentThreadAllocatedBytes();
        for (int i = 0; i < parses; i++) {
            sink += DebianVersion.parse(texts[i % n]).epoch();
        }
        long perParse = (threads.getCurrentThreadAllocatedBytes() - before) / parses;
        // The value itself is about 40 bytes; substrings or a regex matcher would be well over 64.
        assertTrue(perParse <= 48, "a parse allocated " + perParse + " bytes (sink " + sink + ")");
    }
}
