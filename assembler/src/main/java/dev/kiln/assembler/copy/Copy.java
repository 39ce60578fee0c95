package dev.kiln.assembler.copy;

import dev.kiln.assembler.tree.Content;
import dev.kiln.resolver.lock.CopyListing;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.ImageSpec;
import dev.kiln.store.Digest;
import java.util.Map;
import java.util.Objects;

/**
 * One copy (a local file or directory the spec copies in) ready to be laid into an image: the spec's entry, the listing the lock pins,
 * and the bytes of each of its files by sha256 (in the store, so a build holds none of them).
 */
public record Copy(ImageSpec.PathEntry entry, CopyListing listing, Map<Digest, Content> contents) {
    public Copy {
        Objects.requireNonNull(entry, "entry");
        Objects.requireNonNull(listing, "listing");
        contents = Map.copyOf(contents);
        for (CopyListing.Item i : listing.entries()) {
            if (i.sha256() != null && !contents.containsKey(i.sha256())) {
                throw new IllegalArgumentException(entry.path() + ": no content for " + i.path() + " (" + i.sha256() + ")");
            }
        }
    }

    /** What the lock records for it. */
    public Lock.Copy locked() {
        return new Lock.Copy(entry.path(), entry.source().orElseThrow(), listing.digest(), listing.files(), listing.size());
    }

    /** The bytes of a file of the listing. */
    public Content content(CopyListing.Item file) {
        return contents.get(file.sha256());
    }
}
