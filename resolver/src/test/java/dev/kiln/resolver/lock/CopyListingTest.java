package dev.kiln.resolver.lock;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.CopyListing.Item;
import dev.kiln.resolver.lock.CopyListing.Kind;
import dev.kiln.store.Digest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The canonical listing of a local source, whose sha256 a lock pins. */
class CopyListingTest {
    private static final Digest INDEX = Digest.of("<h1>hello</h1>\n");
    private static final Digest RUN = Digest.of("#!/bin/sh\n");

    private static List<Item> items() {
        return List.of(
                Item.directory("bin"),
                Item.file("bin/run", 0755, 10, RUN),
                Item.file("index.html", 0644, 15, INDEX),
                Item.symlink("home.html", "index.html"),
                Item.directory("a b"),
                Item.file("a b/c-d.txt", 0644, 15, INDEX));
    }

    @Test
    void theBytesAreCompactJsonInPathByteOrderWithKeysInAFixedOrder() {
        String json = new String(new CopyListing(Kind.DIRECTORY, items()).json(), UTF_8);
        assertEquals("{\"listing\":\"kiln-source-1\",\"type\":\"directory\",\"entries\":["
                + "{\"path\":\"a b\",\"type\":\"directory\",\"mode\":\"0755\"},"
                + "{\"path\":\"a b/c-d.txt\",\"type\":\"file\",\"mode\":\"0644\",\"size\":15,\"sha256\":\"" + INDEX.hex() + "\"},"
                + "{\"path\":\"bin\",\"type\":\"directory\",\"mode\":\"0755\"},"
                + "{\"path\":\"bin/run\",\"type\":\"file\",\"mode\":\"0755\",\"size\":10,\"sha256\":\"" + RUN.hex() + "\"},"
                + "{\"path\":\"home.html\",\"type\":\"symlink\",\"mode\":\"0777\",\"target\":\"index.html\"},"
                + "{\"path\":\"index.html\",\"type\":\"file\",\"mode\":\"0644\",\"size\":15,\"sha256\":\"" + INDEX.hex() + "\"}]}\n",
                json);
    }

    @Test
    void theDigestDoesNotDependOnTheOrderEntriesCameIn() {
        List<Item> reversed = new ArrayList<>(items());
        Collections.reverse(reversed);
        assertEquals(new CopyListing(Kind.DIRECTORY, items()).digest(), new CopyListing(Kind.DIRECTORY, reversed).digest());
    }

    @Test
    void aChangedByteModeTargetOrAnAddedPathChangesTheDigest() {
        Digest base = new CopyListing(Kind.DIRECTORY, items()).digest();
        List<List<Item>> variants = List.of(
                replace(items(), 2, Item.file("index.html", 0644, 15, Digest.of("<h1>hellO</h1>\n"))),
                replace(items(), 2, Item.file("index.html", 0755, 15, INDEX)),
                replace(items(), 3, Item.symlink("home.html", "bin/run")),
                append(items(), Item.directory("empty")));
        for (List<Item> v : variants) {
            assertNotEquals(base, new CopyListing(Kind.DIRECTORY, v).digest(), v.toString());
        }
    }

    @Test
    void aFileSourceIsOneEntryWithoutAPath() {
        CopyListing one = new CopyListing(Kind.FILE, List.of(Item.file(".", 0644, 15, INDEX)));
        assertEquals("{\"listing\":\"kiln-source-1\",\"type\":\"file\",\"mode\":\"0644\",\"size\":15,\"sha256\":\""
                + INDEX.hex() + "\"}\n", new String(one.json(), UTF_8));
        assertEquals(1, one.files());
        assertEquals(15, one.size());
    }

    @Test
    void parsingGivesBackTheSameListingAndOnlyTheCanonicalFormIsAccepted() {
        CopyListing l = new CopyListing(Kind.DIRECTORY, items());
        assertEquals(l, CopyListing.parse(l.json(), "x"));
        CopyListing f = new CopyListing(Kind.FILE, List.of(Item.file(".", 0755, 10, RUN)));
        assertEquals(f, CopyListing.parse(f.json(), "x"));
        String pretty = new String(l.json(), UTF_8).replace(",", ", ");
        assertTrue(assertThrows(ResolveException.class, () -> CopyListing.parse(pretty.getBytes(UTF_8), "x.json"))
                .getMessage().contains("not in its canonical form"));
        String extra = new String(f.json(), UTF_8).replace("}", ",\"uid\":0}");
        assertThrows(ResolveException.class, () -> CopyListing.parse(extra.getBytes(UTF_8), "x.json"));
        assertTrue(assertThrows(ResolveException.class, () -> CopyListing.parse("{}".getBytes(UTF_8), "x.json"))
                .getMessage().startsWith("x.json: not a source listing"));
    }

    @Test
    void pathsMustBeNormalRelativePathsUnderListedDirectories() {
        for (String bad : List.of("/etc/passwd", "../up", "a/../../b", "a//b", "./a", "a/")) {
            assertThrows(IllegalArgumentException.class,
                    () -> new CopyListing(Kind.DIRECTORY, List.of(Item.file(bad, 0644, 1, INDEX))), bad);
        }
        assertThrows(IllegalArgumentException.class,
                () -> new CopyListing(Kind.DIRECTORY, List.of(Item.file("missing/file", 0644, 1, INDEX))));
    }

    @Test
    void changesNameEachPathAndWhatChangedInIt() {
        CopyListing was = new CopyListing(Kind.DIRECTORY, items());
        List<Item> now = replace(items(), 2, Item.file("index.html", 0755, 16, Digest.of("<h1>hello!</h1>\n")));
        now = replace(now, 0, Item.directory("sbin"));
        now = replace(now, 1, Item.file("sbin/run", 0755, 10, RUN));
        assertEquals(List.of("- bin", "- bin/run",
                        "~ index.html: content (15 bytes " + INDEX.shortHex() + " -> 16 bytes " + Digest.of("<h1>hello!</h1>\n").shortHex()
                                + "), mode 0644 -> 0755",
                        "+ sbin", "+ sbin/run"),
                was.changesTo(new CopyListing(Kind.DIRECTORY, now)));
    }

    private static List<Item> replace(List<Item> items, int i, Item with) {
        List<Item> out = new ArrayList<>(items);
        out.set(i, with);
        return out;
    }

    private static List<Item> append(List<Item> items, Item with) {
        List<Item> out = new ArrayList<>(items);
        out.add(with);
        return out;
    }
}
