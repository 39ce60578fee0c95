package dev.kiln.assembler.tree;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.store.Digest;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.Map;

/**
 * One sha256 over everything a {@link FileTree} says: each entry's path, type, mode, owner, mtime,
 * link target, xattrs and, for a file, its size and sha256 (not its bytes, which that digest
 * stands for). Two trees with the same digest give the same layer, so it keys memoized layers.
 */
public final class TreeDigest {
    private TreeDigest() {
    }

    public static Digest of(FileTree tree) {
        MessageDigest sha256 = Digest.newSha256();
        try (DataOutputStream out = new DataOutputStream(new DigestOutputStream(OutputStream.nullOutputStream(), sha256))) {
            out.writeInt(tree.size());
            for (Entry e : tree) {
                writeString(out, e.path());
                out.writeByte(e.type().code());
                out.writeInt(e.mode());
                out.writeLong(e.uid());
                out.writeLong(e.gid());
                out.writeLong(e.mtime());
                writeString(out, e.linkTarget() == null ? "" : e.linkTarget());
                out.writeInt(e.xattrs().size());
                for (Map.Entry<String, ByteString> x : e.xattrs().entrySet()) {
                    writeString(out, x.getKey());
                    byte[] v = x.getValue().toByteArray();
                    out.writeInt(v.length);
                    out.write(v);
                }
                if (e.content() != null) {
                    out.writeLong(e.content().size());
                    out.write(e.content().digest().raw());
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return Digest.fromRaw(sha256.digest());
    }

    private static void writeString(DataOutputStream out, String s) throws IOException {
        byte[] b = s.getBytes(UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }
}
