package dev.kiln.assembler.deb;

import dev.kiln.assembler.tree.Content;
import dev.kiln.store.Digest;
import java.io.InputStream;

/** A file's size and digest without its bytes, for a reader that needs only some files ({@link DebChangelog}). */
final class DroppedContent implements Content {
    private final long size;
    private final Digest digest;

    DroppedContent(long size, Digest digest) {
        this.size = size;
        this.digest = digest;
    }

    @Override
    public long size() {
        return size;
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public InputStream open() {
        throw new UnsupportedOperationException("a file read for its size and digest only");
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Content c && c.size() == size && c.digest().equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }
}
