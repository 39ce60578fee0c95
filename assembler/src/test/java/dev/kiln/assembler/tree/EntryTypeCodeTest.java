package dev.kiln.assembler.tree;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Entry types are persisted by code (tree digests key memoized layers; unpacked packages store
 * them), so the codes are pinned here: reordering the enum must not move a memo key.
 */
class EntryTypeCodeTest {
    @Test
    void theCodesArePinned() {
        assertEquals(Map.of(Entry.Type.FILE, 0, Entry.Type.DIR, 1, Entry.Type.SYMLINK, 2, Entry.Type.HARDLINK, 3),
                Arrays.stream(Entry.Type.values()).collect(Collectors.toMap(t -> t, Entry.Type::code)));
    }

    @Test
    void aCodeReadsBackAsItsTypeAndAnUnknownOneAsNothing() {
        for (Entry.Type t : Entry.Type.values()) {
            assertEquals(Optional.of(t), Entry.Type.ofCode(t.code()));
        }
        assertEquals(Optional.empty(), Entry.Type.ofCode(4));
    }
}
