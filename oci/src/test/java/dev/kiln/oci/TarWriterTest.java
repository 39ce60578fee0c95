package dev.kiln.oci;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header rules that layers and docker archives share (the layers' own tests are TarLayerWriterTest's). */
class TarWriterTest {
    static final String LONG_DIR = "/usr/share/doc/libreoffice-help-common/help/en-US/text/scalc/01"; // 63 bytes
    static final String SPLITTABLE = LONG_DIR + "/func_imtanh_and_other_complex_hyperbolic_functions.xhp"; // > 100, splits
    static final String LONG_COMPONENT = "/opt/" + "k".repeat(120) + ".conf"; // name part > 100: needs PAX

    @Test
    void paxRecordLengthsCountTheirOwnDigits() {
        Map<String, byte[]> r = new java.util.LinkedHashMap<>();
        r.put("path", "a".repeat(89).getBytes(UTF_8)); // 1+4+1+89+1 = 96 + 2 digits = 98
        r.put("uid", "3000000".getBytes(UTF_8)); // 1+3+1+7+1 = 13 + 2 = 15
        r.put("k", "x".repeat(92).getBytes(UTF_8)); // 1+1+1+92+1 = 96 + 2 = 98; 97 + ... stays 2 digits
        r.put("q", "x".repeat(95).getBytes(UTF_8)); // 99 + 2 = 101 -> 3 digits -> 102
        String s = new String(TarWriter.paxRecords(r), UTF_8);
        assertTrue(s.startsWith("98 path="));
        assertTrue(s.contains("\n15 uid=3000000\n98 k="));
        assertTrue(s.contains("\n102 q="));
    }

    @Test
    void ustarSplitPrefersTheLongestPrefixThatLeavesAShortName() {
        byte[] name = SPLITTABLE.substring(1).getBytes(UTF_8);
        int at = TarWriter.ustarSplit(name);
        assertEquals(LONG_DIR.substring(1), new String(name, 0, at, UTF_8));
        assertEquals(0, TarWriter.ustarSplit("usr/bin/x".getBytes(UTF_8)));
        assertEquals(-1, TarWriter.ustarSplit(LONG_COMPONENT.substring(1).getBytes(UTF_8)));
    }
}
