package dev.kiln.resolver.repo;

import dev.kiln.resolver.debian.PackageRecord;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The parsed form of a {@code Packages} index as kept in the store, so that a warm lock reads a
 * compact binary file instead of decompressing and parsing ~45 MB of text. Strings are
 * length-prefixed ISO-8859-1 (the kept fields are ASCII); repeated short values share a table.
 */
final class IndexCodec {
    static final String STEP = "debian-index-v1";
    private static final int MAGIC = 0x4b494458; // "KIDX"

    private IndexCodec() {
    }

    static byte[] encode(List<PackageRecord> records) {
        Out out = new Out(records.size() * 160);
        out.int32(MAGIC);
        out.varint(records.size());
        Map<String, Integer> table = new HashMap<>();
        for (PackageRecord r : records) {
            out.str(r.name(), null);
            out.str(r.version(), null);
            out.str(r.architecture(), table);
            out.str(r.multiArch(), table);
            out.varint((r.essential() ? 1 : 0) | (r.important() ? 2 : 0) | (r.priority() << 2));
            out.str(r.source(), null);
            out.str(r.preDepends(), null);
            out.str(r.depends(), null);
            out.str(r.recommends(), null);
            out.str(r.conflicts(), null);
            out.str(r.breaks(), null);
            out.str(r.provides(), null);
            out.str(r.replaces(), null);
            out.str(r.filename(), null);
            out.varint(r.size() + 1);
            out.str(r.sha256(), null);
        }
        return out.bytes();
    }

    static List<PackageRecord> decode(byte[] b) {
        In in = new In(b);
        if (in.int32() != MAGIC) {
            throw new IllegalStateException("not a kiln index cache");
        }
        long n = in.varint();
        // a record takes at least 16 bytes (14 strings, 2 numbers); a larger count is damage, and
        // must fail as an exception the caller recovers from, not by allocating gigabytes
        if (n < 0 || n > (b.length - 4) / 16) {
            throw new IllegalStateException("a damaged kiln index cache: it claims " + n + " records in " + b.length + " bytes");
        }
        List<PackageRecord> out = new ArrayList<>((int) n);
        List<String> table = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String name = in.str(null);
            String version = in.str(null);
            String arch = in.str(table);
            String ma = in.str(table);
            int flags = (int) in.varint();
            String source = in.str(null);
            String pre = in.str(null);
            String dep = in.str(null);
            String rec = in.str(null);
            String conf = in.str(null);
            String brk = in.str(null);
            String prov = in.str(null);
            String repl = in.str(null);
            String file = in.str(null);
            long size = in.varint() - 1;
            String sha = in.str(null);
            out.add(new PackageRecord(name, version, arch, ma, (flags & 1) != 0, (flags & 2) != 0, flags >> 2,
                    source, pre, dep, rec, conf, brk, prov, repl, file, size, sha));
        }
        return out;
    }

    private static final class Out {
        private final ByteArrayOutputStream buf;

        Out(int size) {
            buf = new ByteArrayOutputStream(size);
        }

        void int32(int v) {
            buf.write(v >>> 24);
            buf.write(v >>> 16);
            buf.write(v >>> 8);
            buf.write(v);
        }

        void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                buf.write((int) ((v & 0x7F) | 0x80));
                v >>>= 7;
            }
            buf.write((int) v);
        }

        /** 0 = null; 1+len = inline string; with a table, -(index+1) encodes as 2*index+... */
        void str(String s, Map<String, Integer> table) {
            if (s == null) {
                varint(0);
                return;
            }
            if (table != null) {
                Integer idx = table.get(s);
                if (idx != null) {
                    varint(((long) idx << 1) | 1);
                    return;
                }
                table.put(s, table.size());
                byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
                varint((long) (bytes.length + 1) << 1);
                buf.write(bytes, 0, bytes.length);
                return;
            }
            byte[] bytes = s.getBytes(StandardCharsets.ISO_8859_1);
            varint(bytes.length + 1L);
            buf.write(bytes, 0, bytes.length);
        }

        byte[] bytes() {
            return buf.toByteArray();
        }
    }

    private static final class In {
        private final byte[] b;
        private int p;

        In(byte[] b) {
            this.b = b;
        }

        int int32() {
            int v = ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
            p += 4;
            return v;
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                int x = b[p++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
                shift += 7;
            }
        }

        String str(List<String> table) {
            long v = varint();
            if (v == 0) {
                return null;
            }
            if (table != null) {
                if ((v & 1) == 1) {
                    return table.get((int) (v >>> 1));
                }
                int len = (int) (v >>> 1) - 1;
                String s = new String(b, p, len, StandardCharsets.ISO_8859_1);
                p += len;
                table.add(s);
                return s;
            }
            int len = (int) v - 1;
            String s = new String(b, p, len, StandardCharsets.ISO_8859_1);
            p += len;
            return s;
        }
    }
}
