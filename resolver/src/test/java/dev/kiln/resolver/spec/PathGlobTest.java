package dev.kiln.resolver.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** dpkg's path-filter patterns: fnmatch(3) without flags. */
class PathGlobTest {
    private static boolean matches(String pattern, String path) {
        return PathGlob.parse(pattern).matches(path);
    }

    @Test
    void aStarMatchesAcrossSlashesAsInDpkg() {
        assertTrue(matches("/usr/share/doc/*", "/usr/share/doc/libc6/changelog.Debian.gz"));
        assertTrue(matches("/usr/*/READ*", "/usr/share/doc/package/README"));
        assertTrue(matches("/usr/share/doc/*/copyright", "/usr/share/doc/libc6/copyright"));
        assertFalse(matches("/usr/share/doc/*", "/usr/share/doc"), "the directory itself is not below it");
        assertFalse(matches("/usr/share/doc/*/copyright", "/usr/share/doc/libc6/copyright.orig"), "the whole path must match");
    }

    @Test
    void aQuestionMarkIsAnyOneCharacterSlashIncluded() {
        assertTrue(matches("/lib?x", "/lib/x"));
        assertTrue(matches("/usr/lib/libc.so.?", "/usr/lib/libc.so.6"));
        assertFalse(matches("/usr/lib/libc.so.?", "/usr/lib/libc.so.61"));
    }

    @Test
    void bracketsMatchOneCharacterOfASetOrOutsideIt() {
        assertTrue(matches("/usr/share/locale/[a-d]*", "/usr/share/locale/de/LC_MESSAGES/x.mo"));
        assertFalse(matches("/usr/share/locale/[a-d]*", "/usr/share/locale/fr/LC_MESSAGES/x.mo"));
        assertTrue(matches("/usr/share/locale/[!a-d]*", "/usr/share/locale/fr/x.mo"));
        assertTrue(matches("/usr/share/locale/[^a-d]*", "/usr/share/locale/fr/x.mo"));
        assertTrue(matches("/x/[]]", "/x/]"), "a ']' first in the set is literal");
        assertTrue(matches("/x/[a-]", "/x/-"), "a '-' last in the set is literal");
    }

    @Test
    void regexCharactersAndEscapesAreLiteral() {
        assertTrue(matches("/usr/lib/libstdc++.so.6", "/usr/lib/libstdc++.so.6"));
        assertFalse(matches("/usr/lib/libc.so.6", "/usr/lib/libcXso.6"), "a dot is a dot");
        assertTrue(matches("/a/\\*", "/a/*"));
        assertFalse(matches("/a/\\*", "/a/b"));
        assertTrue(matches("/a/(x)|{y}$^", "/a/(x)|{y}$^"));
        assertTrue(matches("/usr/share/zoneinfo/Ã/*", "/usr/share/zoneinfo/Ã/🕰"), "characters beyond ASCII, one by one");
        assertTrue(matches("/a/?", "/a/🕰"), "'?' is one character even outside the BMP");
    }

    @Test
    void malformedPatternsAreRefusedWithTheReason() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlob.parse("usr/share/doc/*"))
                .getMessage().contains("absolute"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlob.parse("/usr/share/[doc"))
                .getMessage().contains("not closed"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlob.parse("/usr/share/doc\\"))
                .getMessage().contains("escapes nothing"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlob.parse("/usr/[[:alpha:]]"))
                .getMessage().contains("[:alpha:]"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> PathGlob.parse("/usr/[z-a]"))
                .getMessage().contains("backwards"));
    }

    @Test
    void patternsAreEqualByTheirText() {
        assertEquals(PathGlob.parse("/usr/share/doc/*"), PathGlob.parse("/usr/share/doc/*"));
        assertEquals("/usr/share/doc/*", PathGlob.parse("/usr/share/doc/*").toString());
    }
}
