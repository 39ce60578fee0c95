package dev.kiln.resolver.repo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class IndexCodecTest {
    private static final String SHA = "540f29bbce0500b419d659eda98bda68784405cb155aca79d19b14e7083fb456";

    private static PackageRecord libc6(String arch, String multiArch, int priority, long size) {
        return new PackageRecord("libc6", "2.36-9+deb12u7", arch, multiArch, false, false, priority, "glibc",
                null, "libgcc-s1", "libidn2-0 (>= 2.0.5~)", null,
                "hurd (<< 1:0.9.git20220301-2), nscd (<< 2.36)", null, "libc6-amd64",
                "pool/main/g/glibc/libc6_2.36-9+deb12u7_" + arch + ".deb", size, SHA);
    }

    /** Records as untidy as real indexes and hand-edited fixtures get. */
    private static List<PackageRecord> messy() {
        List<PackageRecord> rs = new ArrayList<>();
        // only what the parser guarantees: name, version, architecture; every optional field absent
        rs.add(new PackageRecord("usr-is-merged", "37~deb12u1", "all", null, false, false, 0,
                null, null, null, null, null, null, null, null, null, -1, null));
        // every flag and every field set, a size of 0
        rs.add(new PackageRecord("base-files", "12.4+deb12u6", "amd64", "foreign", true, true, 1, "base-files (12.4)",
                "awk", "", "", "base-files-dev", "initscripts (<< 2.88dsf-13.3)", "base", "base, dpkg (<= 1.15.0)",
                "pool/main/b/base-files/base-files_12.4+deb12u6_amd64.deb", 0, SHA));
        // ISO-8859-1 beyond ASCII, as an old index or a local repository may carry
        rs.add(new PackageRecord("fête", "1.0~ßeta-1", "amd64", "same", false, true, 2, "fête-src (1.0)",
                null, "libçà (>= 1), libøre | libæon", null, null, null, "fête-bin", null,
                "pool/main/f/fête/fête_1.0~ßeta-1_amd64.deb", 4_812_345_678L, SHA));
        // shared architecture and Multi-Arch strings, including one used in both fields
        rs.add(libc6("amd64", "same", 3, 2_805_000));
        rs.add(libc6("all", "allowed", 4, Integer.MAX_VALUE + 1L));
        rs.add(libc6("same", "amd64", 5, Long.MAX_VALUE));
        rs.add(libc6("amd64", "same", 0, 1));
        rs.add(libc6("i386", null, 5, 127));
        rs.add(libc6("i386", "", 4, 128));
        rs.add(new PackageRecord("", "0", "", "", false, false, 0, "", "", "", "", "", "", "", "", "", 16_383, ""));
        return rs;
    }

    @Test
    void messyRecordsRoundTrip() {
        List<PackageRecord> records = messy();
        assertEquals(records, IndexCodec.decode(IndexCodec.encode(records)));
    }

    @Test
    void everyPriorityAndFlagCombinationRoundTrips() {
        List<PackageRecord> records = new ArrayList<>();
        for (int priority = 0; priority <= 5; priority++) {
            for (int flags = 0; flags < 4; flags++) {
                records.add(new PackageRecord("p" + priority + flags, "1", "arm64", null, (flags & 1) != 0, (flags & 2) != 0,
                        priority, null, null, null, null, null, null, null, null, null, priority * 1000L, null));
            }
        }
        assertEquals(records, IndexCodec.decode(IndexCodec.encode(records)));
    }

    @Test
    void manyDistinctSharedStringsRoundTrip() {
        // more than 64 table entries, so table references need more than one varint byte
        List<PackageRecord> records = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            records.add(libc6("arch" + (i % 300), i % 7 == 0 ? null : "ma" + (i % 150), i % 6, i * 977L));
        }
        assertEquals(records, IndexCodec.decode(IndexCodec.encode(records)));
    }

    @Test
    void anEmptyIndexRoundTrips() {
        assertEquals(List.of(), IndexCodec.decode(IndexCodec.encode(List.of())));
    }

    @Test
    void encodingIsDeterministic() {
        assertArrayEquals(IndexCodec.encode(messy()), IndexCodec.encode(messy()));
    }

    @Test
    void theHostDpkgDatabaseRoundTrips() throws IOException {
        Path status = Path.of("/var/lib/dpkg/status");
        assumeTrue(Files.isReadable(status), "no dpkg database on this host");
        List<PackageRecord> records = PackagesParser.parse(Files.readAllBytes(status), status.toString());
        assertEquals(records, IndexCodec.decode(IndexCodec.encode(records)));
    }

    @Test
    void bytesWithoutTheMagicAreRefused() {
        byte[] garbage = new byte[4096];
        new Random(20240629).nextBytes(garbage);
        assertThrows(IllegalStateException.class, () -> IndexCodec.decode(garbage));
        assertThrows(IllegalStateException.class,
                () -> IndexCodec.decode("Package: dpkg\nVersion: 1.21.22\n".getBytes(StandardCharsets.US_ASCII)));
    }

    @Test
    void emptyAndTooShortInputsAreRefused() {
        assertThrows(RuntimeException.class, () -> IndexCodec.decode(new byte[0]));
        assertThrows(RuntimeException.class, () -> IndexCodec.decode(new byte[] {0x4b, 0x49}));
    }

    @Test
    void everyTruncationOfAValidEncodingIsRefused() {
        byte[] whole = IndexCodec.encode(messy());
        for (int cut = 0; cut < whole.length; cut++) {
            byte[] part = Arrays.copyOf(whole, cut);
            assertThrows(RuntimeException.class, () -> IndexCodec.decode(part), "cut at " + cut + " of " + whole.length);
        }
    }

    @Test
    void aRecordCountTheBytesCannotHoldIsRefused() {
        // the magic, then a varint count of 2^31-1 and nothing else: decode must fail, not try to allocate
        byte[] absurd = {0x4b, 0x49, 0x44, 0x58, (byte) 0xff, (byte) 0xff, (byte) 0xff, (byte) 0xff, 0x07};
        assertThrows(RuntimeException.class, () -> IndexCodec.decode(absurd));
    }

    @Test
    void theIndexedSourceAnswersExactlyAsTheInMemoryOne() throws IOException {
        Path status = Path.of("/var/lib/dpkg/status");
        List<PackageRecord> records = PackagesParser.parse(Files.readAllBytes(status), status.toString());
        List<PackageRecord> extra = new java.util.ArrayList<>(records);
        extra.add(new PackageRecord("virt-provider", "1", "amd64", null, false, false, 4, null, null, null, null,
                null, null, "awk, libfoo (= 2.0), bar:any", null, "pool/v.deb", 1, "0".repeat(64)));
        dev.kiln.resolver.solve.PackageSource mem = dev.kiln.resolver.solve.PackageSource.of(extra);
        dev.kiln.resolver.solve.PackageSource idx = IndexCodec.source(IndexCodec.encode(extra));
        assertEquals(mem.nameCount(), idx.nameCount());
        assertEquals(new java.util.TreeSet<>(mem.packageNames()), new java.util.TreeSet<>(idx.packageNames()));
        java.util.Set<String> names = new java.util.TreeSet<>(mem.packageNames());
        names.addAll(List.of("awk", "libfoo", "bar", "no-such-package", "", "zzzz"));
        for (String n : names) {
            assertEquals(mem.byName(n), idx.byName(n), n);
            assertEquals(mem.providersOf(n), idx.providersOf(n), n);
            assertEquals(mem.ordinal(n), idx.ordinal(n), n);
        }
    }
}
