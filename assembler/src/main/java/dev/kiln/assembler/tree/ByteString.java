package dev.kiln.assembler.tree;

import java.util.Arrays;
import java.util.HexFormat;

/** An immutable byte string compared by content: the value of an extended attribute. */
public final class ByteString {
    private final byte[] bytes;

    private ByteString(byte[] bytes) {
        this.bytes = bytes;
    }

    public static ByteString of(byte[] bytes) {
        return new ByteString(bytes.clone());
    }

    public byte[] toByteArray() {
        return bytes.clone();
    }

    public int size() {
        return bytes.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof ByteString b && Arrays.equals(bytes, b.bytes);
    }

    @Override
    public int hashCode() {
        return Arrays.hashCode(bytes);
    }

    /** Hex, because xattr values such as {@code security.capability} are binary. */
    @Override
    public String toString() {
        return HexFormat.of().formatHex(bytes);
    }
}
