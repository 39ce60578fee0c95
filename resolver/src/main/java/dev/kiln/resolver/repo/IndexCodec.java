package dev.kiln.resolver.repo;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.solve.PackageSource;
import dev.kiln.store.MemoStep;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The parsed form of a {@code Packages} index as kept in the store: the stanzas (only the fields
 * kiln keeps) plus a sorted name table, so that a warm lock looks up the few hundred names a solve
 * visits instead of decompressing, parsing or even decoding ~60k stanzas. Strings are
 * length-prefixed ISO-8859-1 (the kept fields are ASCII).
 *
 * <p>Layout: magic, record count, records, then the name table (per name: the name, its ordinal,
 * its record numbers, its provisions), then two tables of fixed 4-byte positions (records, name
 * entries) and a trailer pointing at them.
 */
final class IndexCodec {
    static final MemoStep STEP = MemoStep.DEBIAN_INDEX;
    private static final int MAGIC = 0x4b495832; // "KIX2"

    private IndexCodec() {
    }

    static byte[] encode(List<PackageRecord> records) {
        Encoder e = new Encoder(records.size() * 400);
        records.forEach(e::add);
        return e.finish();
    }

    /**
     * Encodes stanzas as they come (from the parser), so that none has to stay in memory: each is
     * written at once, and only the name table's entries are kept until {@link #finish}.
     */
    static final class Encoder {
        private final Out out;
        private int[] recordPos = new int[1 << 16];
        private int count;
        // every name (a package's or a provided one) once, in the order first met: that order is its
        // ordinal
        private final Map<String, Name> byName = new HashMap<>(1 << 17);
        private final List<Name> names = new ArrayList<>(1 << 17);

        /** A name's entry in the table: its ordinal, its records and its provisions. */
        private static final class Name {
            final String name;
            final int ordinal;
            int[] records = NONE;
            int recordCount;
            List<Provision> provisions = List.of();

            Name(String name, int ordinal) {
                this.name = name;
                this.ordinal = ordinal;
            }
        }

        /** One entry of a Provides field: the providing record's number and the entry as written. */
        private record Provision(int record, String entry) {
        }

        private static final int[] NONE = new int[0];

        Encoder(int sizeHint) {
            out = new Out(sizeHint);
            out.int32(MAGIC);
            out.int32(0); // the record count, filled in by finish
        }

        private Name name(String name) {
            Name n = byName.get(name);
            if (n == null) {
                n = new Name(name, names.size());
                byName.put(name, n);
                names.add(n);
            }
            return n;
        }

        void add(PackageRecord r) {
            int i = count++;
            if (i == recordPos.length) {
                recordPos = Arrays.copyOf(recordPos, i * 2);
            }
            recordPos[i] = out.size();
            out.str(r.name());
            out.str(r.version());
            out.str(r.architecture());
            out.str(r.multiArch());
            out.varint((r.essential() ? 1 : 0) | (r.important() ? 2 : 0) | ((long) r.priority() << 2));
            out.str(r.source());
            out.str(r.preDepends());
            out.str(r.depends());
            out.str(r.recommends());
            out.str(r.conflicts());
            out.str(r.breaks());
            out.str(r.provides());
            out.str(r.replaces());
            out.str(r.filename());
            out.varint(r.size() + 1);
            out.str(r.sha256());
            Name n = name(r.name());
            if (n.recordCount == n.records.length) {
                n.records = Arrays.copyOf(n.records, Math.max(1, n.recordCount * 2));
            }
            n.records[n.recordCount++] = i;
            if (r.provides() != null) {
                for (String entry : PackageSource.splitProvides(r.provides())) {
                    Name p = name(PackageSource.provisionName(entry));
                    if (p.provisions.isEmpty()) {
                        p.provisions = new ArrayList<>(2);
                    }
                    p.provisions.add(new Provision(i, entry));
                }
            }
        }

        /** The encoded index: the records added, then the name table sorted by name. */
        byte[] finish() {
            Name[] sorted = names.toArray(new Name[0]);
            Arrays.sort(sorted, (a, b) -> a.name.compareTo(b.name));
            int[] namePos = new int[sorted.length];
            for (int k = 0; k < sorted.length; k++) {
                Name n = sorted[k];
                namePos[k] = out.size();
                out.str(n.name);
                out.varint(n.ordinal);
                out.varint(n.recordCount);
                for (int j = 0; j < n.recordCount; j++) {
                    out.varint(n.records[j]);
                }
                out.varint(n.provisions.size());
                for (Provision p : n.provisions) {
                    out.varint(p.record());
                    out.str(p.entry());
                }
            }
            int recordTable = out.size();
            for (int i = 0; i < count; i++) {
                out.int32(recordPos[i]);
            }
            int nameTable = out.size();
            for (int p : namePos) {
                out.int32(p);
            }
            out.int32(recordTable);
            out.int32(nameTable);
            out.int32(namePos.length);
            out.int32At(4, count);
            return out.bytes();
        }
    }

    /** Every stanza, in index order (for tests and tools; the resolver uses {@link #source}). */
    static List<PackageRecord> decode(byte[] b) {
        Indexed s = source(b);
        List<PackageRecord> out = new ArrayList<>(s.recordCount);
        for (int i = 0; i < s.recordCount; i++) {
            out.add(s.record(i));
        }
        return out;
    }

    /** A source that decodes stanzas only when asked for, each at most once. */
    static Indexed source(byte[] b) {
        if (b.length < 20 || readInt(b, 0) != MAGIC) {
            throw new IllegalStateException("not a kiln index cache (v2)");
        }
        int recordCount = readInt(b, 4);
        int recordTable = readInt(b, b.length - 12);
        int nameTable = readInt(b, b.length - 8);
        int nameCount = readInt(b, b.length - 4);
        if (recordCount < 0 || nameCount < 0 || recordTable < 8 || nameTable < recordTable
                || (long) recordTable + 4L * recordCount != nameTable || (long) nameTable + 4L * nameCount != b.length - 12) {
            throw new IllegalStateException("a damaged kiln index cache");
        }
        return new Indexed(b, recordCount, recordTable, nameTable, nameCount);
    }

    static final class Indexed implements PackageSource {
        private final byte[] b;
        private final int recordCount;
        private final int recordTable;
        private final int nameTable;
        private final int nameCount;
        private final PackageRecord[] records;

        Indexed(byte[] b, int recordCount, int recordTable, int nameTable, int nameCount) {
            this.b = b;
            this.recordCount = recordCount;
            this.recordTable = recordTable;
            this.nameTable = nameTable;
            this.nameCount = nameCount;
            this.records = new PackageRecord[recordCount];
        }

        synchronized PackageRecord record(int i) {
            PackageRecord r = records[i];
            if (r == null) {
                In in = new In(b, readInt(b, recordTable + 4 * i));
                String name = in.str();
                String version = in.str();
                String arch = in.str();
                String ma = in.str();
                long flags = in.varint();
                r = new PackageRecord(name, version, arch, ma, (flags & 1) != 0, (flags & 2) != 0, (int) (flags >> 2),
                        in.str(), in.str(), in.str(), in.str(), in.str(), in.str(), in.str(), in.str(), in.str(),
                        in.varint() - 1, in.str());
                records[i] = r;
            }
            return r;
        }

        /** Position of the name entry for {@code name}, or -1. */
        private int find(String name) {
            byte[] key = name.getBytes(StandardCharsets.ISO_8859_1);
            int lo = 0;
            int hi = nameCount - 1;
            while (lo <= hi) {
                int mid = (lo + hi) >>> 1;
                int pos = readInt(b, nameTable + 4 * mid);
                int c = compareAt(pos, key);
                if (c < 0) {
                    lo = mid + 1;
                } else if (c > 0) {
                    hi = mid - 1;
                } else {
                    return pos;
                }
            }
            return -1;
        }

        /** Compares the string stored at {@code pos} with {@code key}, as String.compareTo does for Latin-1. */
        private int compareAt(int pos, byte[] key) {
            In in = new In(b, pos);
            long v = in.varint();
            int len = (int) v - 1;
            int start = in.p;
            int n = Math.min(len, key.length);
            for (int i = 0; i < n; i++) {
                int x = b[start + i] & 0xff;
                int y = key[i] & 0xff;
                if (x != y) {
                    return x - y;
                }
            }
            return len - key.length;
        }

        /** A reader at the record list of {@code name}'s entry (past its name and ordinal), or null. */
        private In records(String name) {
            int pos = find(name);
            if (pos < 0) {
                return null;
            }
            In in = new In(b, pos);
            in.str();
            in.varint();
            return in;
        }

        @Override
        public List<PackageRecord> byName(String name) {
            In in = records(name);
            if (in == null) {
                return List.of();
            }
            int n = (int) in.varint();
            List<PackageRecord> out = new ArrayList<>(n);
            for (int i = 0; i < n; i++) {
                out.add(record((int) in.varint()));
            }
            return out;
        }

        @Override
        public List<Provide> providersOf(String name) {
            In in = records(name);
            if (in == null) {
                return List.of();
            }
            for (long n = in.varint(); n > 0; n--) {
                in.varint();
            }
            int m = (int) in.varint();
            List<Provide> out = new ArrayList<>(m);
            for (int i = 0; i < m; i++) {
                int rec = (int) in.varint();
                out.add(new Provide(record(rec), in.str()));
            }
            return out;
        }

        @Override
        public int ordinal(String name) {
            int pos = find(name);
            if (pos < 0) {
                return -1;
            }
            In in = new In(b, pos);
            in.str();
            return (int) in.varint();
        }

        @Override
        public int nameCount() {
            return nameCount;
        }

        @Override
        public Set<String> packageNames() {
            Set<String> out = new LinkedHashSet<>();
            for (int i = 0; i < nameCount; i++) {
                In in = new In(b, readInt(b, nameTable + 4 * i));
                String name = in.str();
                in.varint();
                if (in.varint() > 0) {
                    out.add(name);
                }
            }
            return out;
        }
    }

    private static int readInt(byte[] b, int p) {
        return ((b[p] & 0xff) << 24) | ((b[p + 1] & 0xff) << 16) | ((b[p + 2] & 0xff) << 8) | (b[p + 3] & 0xff);
    }

    /** A growable byte buffer; strings are written char by char (they are Latin-1). */
    private static final class Out {
        private byte[] buf;
        private int n;

        Out(int size) {
            buf = new byte[Math.max(64, size)];
        }

        int size() {
            return n;
        }

        void int32At(int at, int v) {
            buf[at] = (byte) (v >>> 24);
            buf[at + 1] = (byte) (v >>> 16);
            buf[at + 2] = (byte) (v >>> 8);
            buf[at + 3] = (byte) v;
        }

        private void room(int more) {
            if (n + more > buf.length) {
                buf = java.util.Arrays.copyOf(buf, Math.max(buf.length * 2, n + more));
            }
        }

        void int32(int v) {
            room(4);
            buf[n++] = (byte) (v >>> 24);
            buf[n++] = (byte) (v >>> 16);
            buf[n++] = (byte) (v >>> 8);
            buf[n++] = (byte) v;
        }

        void varint(long v) {
            room(10);
            while ((v & ~0x7FL) != 0) {
                buf[n++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            buf[n++] = (byte) v;
        }

        /** 0 = null, else 1 + length, then ISO-8859-1 bytes. */
        @SuppressWarnings("deprecation") // getBytes(int, int, byte[], int): the exact copy a Latin-1 string needs
        void str(String s) {
            if (s == null) {
                varint(0);
                return;
            }
            int len = s.length();
            varint(len + 1L);
            room(len);
            // the parser decodes indexes as ISO-8859-1, so every char fits a byte: one bulk copy
            s.getBytes(0, len, buf, n);
            n += len;
        }

        byte[] bytes() {
            return java.util.Arrays.copyOf(buf, n);
        }
    }

    private static final class In {
        private final byte[] b;
        private int p;

        In(byte[] b, int p) {
            this.b = b;
            this.p = p;
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                if (p >= b.length || shift > 63) {
                    throw new IllegalStateException("a damaged kiln index cache");
                }
                int x = b[p++];
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
                shift += 7;
            }
        }

        String str() {
            long v = varint();
            if (v == 0) {
                return null;
            }
            int len = (int) (v - 1);
            if (len < 0 || p + len > b.length) {
                throw new IllegalStateException("a damaged kiln index cache");
            }
            String s = new String(b, p, len, StandardCharsets.ISO_8859_1);
            p += len;
            return s;
        }
    }
}
