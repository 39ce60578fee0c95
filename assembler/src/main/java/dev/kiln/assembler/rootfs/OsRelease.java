package dev.kiln.assembler.rootfs;

import dev.kiln.assembler.AssembleException;
import dev.kiln.assembler.tree.Entry;

/**
 * {@code /etc/os-release}, which scanners read to learn the distribution. base-files ships
 * {@code /usr/lib/os-release} and the {@code /etc/os-release -> ../usr/lib/os-release} link; a
 * shipped link is kept, a missing one is created when {@code /usr/lib/os-release} exists, and a
 * link that leads nowhere is an error rather than an image scanners misread.
 */
final class OsRelease {
    static final String ETC = "/etc/os-release";
    static final String USR_LIB = "/usr/lib/os-release";

    private OsRelease() {
    }

    static void ensure(Draft draft) {
        if (draft.get(ETC).isEmpty()) {
            if (draft.content(USR_LIB).isEmpty()) {
                return; // no base-files: nothing to point at
            }
            draft.ensureParents(ETC);
            draft.put(Entry.symlink(ETC, "../usr/lib/os-release", 0777, 0, 0, draft.epoch()), Draft.GENERATED);
        }
        if (draft.content(ETC).isEmpty()) {
            throw new AssembleException(ETC + " (" + draft.get(ETC).orElseThrow() + ", from " + draft.owner(ETC)
                    + ") does not lead to a regular file in the image");
        }
    }
}
