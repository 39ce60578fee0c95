package dev.kiln.assembler.tree;

import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;

/**
 * The bytes of a regular file, known by size and sha256 before anyone reads them. Held in memory
 * for now; a store-backed variant can implement the same interface later, so that large packages
 * need not fit in the heap.
 *
 * <p>Two contents are equal when their sizes and digests are equal, whatever holds the bytes;
 * every implementation must define {@code equals} and {@code hashCode} that way.
 */
public interface Content {
    long size();

    Digest digest();

    /** A fresh stream over the bytes; the caller closes it. */
    InputStream open();

    default byte[] readAllBytes() {
        try (InputStream in = open()) {
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static Content of(byte[] bytes) {
        return new InMemoryContent(bytes.clone(), Digest.of(bytes));
    }

    /** Reads {@code in} to its end into memory, hashing as it goes (one pass over the stream). */
    static Content read(InputStream in) throws IOException {
        MessageDigest sha256 = Digest.newSha256();
        ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        try (DigestOutputStream out = new DigestOutputStream(buffer, sha256)) {
            in.transferTo(out);
        }
        return new InMemoryContent(buffer.toByteArray(), Digest.fromRaw(sha256.digest()));
    }
}
