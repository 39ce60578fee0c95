package dev.kiln.assembler.tree;

import java.io.IOException;
import java.io.InputStream;

/**
 * Where a reader puts the bytes of the files it unpacks. {@link #MEMORY} keeps them in the heap;
 * a store-backed sink appends them to a blob so that large packages need not fit in memory.
 */
@FunctionalInterface
public interface ContentSink {
    /** Keeps every file in the heap. */
    ContentSink MEMORY = Content::read;

    /** Takes {@code in} to its end (not closing it) and returns the bytes as a {@link Content}. */
    Content take(InputStream in) throws IOException;
}
