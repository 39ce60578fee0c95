package dev.kiln.assembler.tree;

import dev.kiln.store.Digest;
import java.io.ByteArrayInputStream;
import java.io.InputStream;

/** File bytes held in the heap. The array is never handed out, so the digest stays true. */
final class InMemoryContent implements Content {
    private final byte[] bytes;
    private final Digest digest;

    InMemoryContent(byte[] bytes, Digest digest) {
        this.bytes = bytes;
        this.digest = digest;
    }

    @Override
    public long size() {
        return bytes.length;
    }

    @Override
    public Digest digest() {
        return digest;
    }

    @Override
    public InputStream open() {
        return new ByteArrayInputStream(bytes);
    }

    @Override
    public byte[] readAllBytes() {
        return bytes.clone();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Content c && c.size() == size() && c.digest().equals(digest);
    }

    @Override
    public int hashCode() {
        return digest.hashCode();
    }

    @Override
    public String toString() {
        return digest.shortHex() + " (" + bytes.length + " bytes)";
    }
}
