package dev.kiln.builder.sandbox;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Output lines scrubbed of secret values, however the line is cut and whatever the value's bytes. */
class SecretScanTest {
    private static final byte[] VALUE = "tok-8f3a9c1e77d2".getBytes(StandardCharsets.US_ASCII);
    private static final SecretScan SCAN = SecretScan.of(List.of(VALUE));

    @Test
    void everyFormIsMasked() {
        String hex = HexFormat.of().formatHex(VALUE);
        String b64 = Base64.getEncoder().encodeToString(VALUE);
        assertEquals("a *** b *** c *** d", SCAN.scrub("a tok-8f3a9c1e77d2 b " + hex + " c " + hex.toUpperCase() + " d"));
        assertFalse(SCAN.scrub("x" + b64 + "y").contains(b64.substring(4, 16)), "base64 is masked");
        assertEquals("nothing here", SCAN.scrub("nothing here"));
    }

    @Test
    void aValueTheLineCutWouldSplitIsMaskedWholeNotHalfShown() {
        for (int before = OutputTailProbe.MAX - VALUE.length; before <= OutputTailProbe.MAX; before++) {
            String line = "x".repeat(before) + new String(VALUE, StandardCharsets.US_ASCII) + "tail";
            List<String> out = OutputTailProbe.read(line + "\n", SCAN);
            assertEquals(1, out.size());
            String shown = out.get(0);
            for (int n = 4; n <= VALUE.length; n++) {
                String prefix = new String(VALUE, 0, n, StandardCharsets.US_ASCII);
                assertFalse(shown.contains(prefix), "no " + n + "-byte prefix of the value shows when it starts at " + before);
            }
            assertTrue(shown.length() <= OutputTailProbe.MAX + SecretScan.MASK.length(), "the line is still cut");
        }
    }

    @Test
    void aValueThatIsNotUtf8IsMaskedOnTheBytes() {
        byte[] binary = {(byte) 0xff, (byte) 0xfe, 'k', 'e', 'y', (byte) 0x80, '!'};
        SecretScan scan = SecretScan.of(List.of(binary));
        byte[] line = new byte[binary.length + 4];
        System.arraycopy("ab".getBytes(StandardCharsets.US_ASCII), 0, line, 0, 2);
        System.arraycopy(binary, 0, line, 2, binary.length);
        line[line.length - 2] = 'c';
        line[line.length - 1] = 'd';
        assertEquals("ab***cd", scan.scrubLine(line, line.length, line.length));
    }

    @Test
    void overlappingFormsLeaveNoTail() {
        SecretScan scan = SecretScan.of(List.of("abcdef".getBytes(StandardCharsets.US_ASCII), "defghijk".getBytes(StandardCharsets.US_ASCII)));
        assertEquals("<***>", scan.scrub("<abcdefghijk>"));
    }

    @Test
    void withoutSecretsALongLineIsCutAtTheLimit() {
        List<String> out = OutputTailProbe.read("y".repeat(10_000) + "\nshort\n", SecretScan.of(List.of()));
        assertEquals(List.of("y".repeat(OutputTailProbe.MAX), "short"), out);
    }

    /** Runs the sandbox's output reader over bytes. */
    static final class OutputTailProbe {
        static final int MAX = Sandbox.OutputTail.MAX_LINE;

        static List<String> read(String text, SecretScan scan) {
            List<String> lines = new ArrayList<>();
            Sandbox.OutputTail tail = new Sandbox.OutputTail(5, lines::add, scan);
            tail.read(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
            return lines;
        }
    }
}
