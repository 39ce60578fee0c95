package dev.kiln.oci;

import dev.kiln.store.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.MessageDigest;

/** Copies a blob that must have a known size and digest, hashing as it goes (one pass). */
public final class VerifiedCopy {
    private VerifiedCopy() {}

    /**
     * Copies {@code in} to {@code out}, reading at most one byte more than {@code size}. Throws an
     * {@link OciException} when the bytes are too many, too few or hash to another digest (the
     * caller then discards what {@code out} received) or when {@code out} cannot be written; a failure
     * to read {@code in} is passed on as the {@link IOException} it is, which a caller may retry.
     */
    public static void copy(InputStream in, OutputStream out, Digest digest, long size, String what) throws IOException {
        MessageDigest sha256 = Digest.newSha256();
        byte[] buf = new byte[1 << 16];
        long count = 0;
        // one byte more than expected is enough to tell that a server sends too much
        for (int n; count <= size && (n = in.read(buf, 0, (int) Math.min(buf.length, size + 1 - count))) > 0; ) {
            sha256.update(buf, 0, n);
            try {
                out.write(buf, 0, n);
            } catch (IOException e) {
                throw new OciException("cannot write " + what + ": " + dev.kiln.store.IoErrors.why(e), e);
            }
            count += n;
        }
        if (count != size) {
            throw new OciException(what + ": expected " + size + " bytes, "
                    + (count > size ? "received more" : "received " + count) + "; nothing of it was kept");
        }
        Digest actual = Digest.fromRaw(sha256.digest());
        if (!actual.equals(digest)) {
            throw new OciException(what + ": expected " + digest + ", the bytes received hash to " + actual
                    + "; nothing of it was kept");
        }
    }
}
