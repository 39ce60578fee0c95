package dev.kiln.assembler.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class TreePathTest {
    @ParameterizedTest(name = "''{0}'' -> ''{1}''")
    @CsvSource({
        "./usr/bin/x, /usr/bin/x",
        "usr/bin/x, /usr/bin/x",
        "/usr/bin/x, /usr/bin/x",
        "./usr/bin/, /usr/bin",
        "usr//bin/./x, /usr/bin/x",
        "./, /",
        "., /",
        "/, /",
        "./..., /...",
        "./..a/b.., /..a/b..",
    })
    void normalizesArchiveNamesToAbsolutePaths(String name, String path) {
        assertEquals(path, TreePath.normalize(name));
        assertTrue(TreePath.isNormal(path));
    }

    @ParameterizedTest
    @ValueSource(strings = {"..", "../x", "./a/../../b", "a/..", "/../etc", "./a/../b"})
    void refusesEveryDotDotComponent(String name) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TreePath.normalize(name));
        assertEquals("a '..' component", e.getMessage());
    }

    @ParameterizedTest
    @ValueSource(strings = {"a\u0000b", "a\nb", "a\u007fb", "a\u0085b", "\tx"})
    void refusesControlCharacters(String name) {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> TreePath.normalize(name)).getMessage()
                .startsWith("a control character U+"));
    }

    @Test
    void refusesEmptyAndOverlongNames() {
        assertEquals("an empty name", assertThrows(IllegalArgumentException.class, () -> TreePath.normalize("")).getMessage());
        TreePath.normalize("./" + "c".repeat(255));
        assertThrows(IllegalArgumentException.class, () -> TreePath.normalize("./" + "c".repeat(256)));
        assertThrows(IllegalArgumentException.class, () -> TreePath.normalize("./" + "é".repeat(128))); // 256 bytes
        assertThrows(IllegalArgumentException.class, () -> TreePath.normalize(("/" + "d".repeat(200)).repeat(21)));
    }

    @Test
    void knowsNormalPaths() {
        assertTrue(TreePath.isNormal("/"));
        assertTrue(TreePath.isNormal("/usr/bin"));
        assertFalse(TreePath.isNormal("usr/bin"));
        assertFalse(TreePath.isNormal("/usr/bin/"));
        assertFalse(TreePath.isNormal("/usr//bin"));
        assertFalse(TreePath.isNormal("/usr/./bin"));
        assertFalse(TreePath.isNormal("/usr/../bin"));
    }

    @Test
    void findsParents() {
        assertEquals("/usr/bin", TreePath.parent("/usr/bin/x"));
        assertEquals("/", TreePath.parent("/usr"));
        assertNull(TreePath.parent("/"));
    }

    @Test
    void ordersByTheBytesOfUtf8() {
        // U+E000 and U+FFFD sort before U+1F600 in UTF-8, after it in Java's UTF-16 order
        List<String> sorted = new ArrayList<>(List.of("/a/b", "/a-b", "/a", "/\uD83D\uDE00", "/\uE000", "/\uFFFD", "/z", "/é"));
        sorted.sort(TreePath.ORDER);
        assertEquals(List.of("/a", "/a-b", "/a/b", "/z", "/é", "/\uE000", "/\uFFFD", "/\uD83D\uDE00"), sorted);

        Random random = new Random(7);
        int[] pool = {'a', '/', '-', 0xE9, 0x7FF, 0x800, 0xD7FF, 0xE000, 0xFFFD, 0x10000, 0x1F600, 0x10FFFF};
        for (int i = 0; i < 20_000; i++) {
            String a = randomString(random, pool);
            String b = randomString(random, pool);
            int bytes = Integer.signum(Arrays.compareUnsigned(a.getBytes(StandardCharsets.UTF_8), b.getBytes(StandardCharsets.UTF_8)));
            assertEquals(bytes, Integer.signum(TreePath.ORDER.compare(a, b)), a + " vs " + b);
        }
    }

    private static String randomString(Random random, int[] pool) {
        StringBuilder s = new StringBuilder();
        for (int n = random.nextInt(5); n > 0; n--) {
            s.appendCodePoint(pool[random.nextInt(pool.length)]);
        }
        return s.toString();
    }
}
