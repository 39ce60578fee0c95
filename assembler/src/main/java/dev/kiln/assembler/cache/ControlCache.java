package dev.kiln.assembler.cache;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.assembler.deb.DebReader;
import dev.kiln.assembler.deb.PackageMismatchException;
import dev.kiln.assembler.deb.UnpackLimits;
import dev.kiln.resolver.debian.PackageRecord;
import dev.kiln.resolver.debian.PackagesParser;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import dev.kiln.store.MemoStep;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The control data of locked packages, read once per .deb as a memo step: reading a control file
 * means opening the .deb and decompressing its control.tar, about 15 ms a package; the memo record
 * gives it back in well under one. The record is {@code kiln-control-1\n}, {@code deb SHA256\n} and
 * the control file's bytes; it is held to its name ({@link ContentStore#readChecked}) and to the
 * .deb it names, and whatever it holds is held to the lock entry like a fresh read.
 */
public final class ControlCache {
    /** The memo step; its name changes with the record format. */
    public static final MemoStep STEP = MemoStep.DEB_CONTROL;
    private static final String RECORD = "kiln-control-1\n";

    private final ContentStore store;

    public ControlCache(ContentStore store) {
        this.store = store;
    }

    /**
     * The control stanza of the package {@code expected} pins, whose .deb is in the store (already
     * hashed against the lock). A .deb whose control data names another package, version or
     * architecture than the entry is a {@link PackageMismatchException}.
     */
    public PackageRecord stanza(Lock.Package expected) {
        String what = expected.name() + " " + expected.version();
        byte[] control = remembered(expected.sha256()).orElseGet(() -> readNow(expected.sha256(), what));
        List<PackageRecord> records = PackagesParser.parse(control, what + ": ./control");
        PackageRecord r = records.get(0);
        if (records.size() != 1 || !r.name().equals(expected.name()) || !r.version().equals(expected.version())
                || !r.architecture().equals(expected.architecture())) {
            throw PackageMismatchException.againstLock(expected.name(), expected.version(), expected.architecture(), expected.sha256(),
                    r.name() + " " + r.version() + " (" + r.architecture() + ")");
        }
        return r;
    }

    /** The memo key of the control file of the .deb {@code deb}. */
    public static Digest key(Digest deb) {
        return Digest.of(STEP.id() + "\n" + deb.hex());
    }

    /** The control records of {@code lock}'s packages that the store holds: gc keeps them while the lock is a root. */
    static java.util.Set<Digest> kept(ContentStore store, Lock lock) {
        java.util.Set<Digest> out = new java.util.HashSet<>();
        for (Lock.Package p : lock.allPackages()) {
            store.localMemo(STEP, key(p.sha256())).filter(store::contains).ifPresent(out::add);
        }
        return out;
    }

    private Optional<byte[]> remembered(Digest deb) {
        byte[] header = (RECORD + "deb " + deb + "\n").getBytes(UTF_8);
        return store.memo(STEP, key(deb)).flatMap(store::readChecked)
                .filter(r -> r.length > header.length && Arrays.equals(r, 0, header.length, header, 0, header.length))
                .map(r -> Arrays.copyOfRange(r, header.length, r.length));
    }

    private byte[] readNow(Digest deb, String what) {
        byte[] control = new DebReader(UnpackLimits.DEFAULT).readControlFile(store.blobPath(deb), what);
        byte[] header = (RECORD + "deb " + deb + "\n").getBytes(UTF_8);
        byte[] record = Arrays.copyOf(header, header.length + control.length);
        System.arraycopy(control, 0, record, header.length, control.length);
        store.putMemo(STEP, key(deb), store.put(record));
        return control;
    }
}
