package dev.kiln.api;

import dev.kiln.resolver.lock.Lock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** What changed between a lockfile and a fresh resolution, one line per change, diff-style. */
record LockDiff(List<String> lines) {

    public boolean stale() {
        return !lines.isEmpty();
    }

    public static LockDiff between(Lock old, Lock fresh) {
        return between(old, fresh, d -> java.util.Optional.empty());
    }

    /**
     * As {@link #between(Lock, Lock)}; {@code listings} finds the listing of a local source by its
     * digest (in the store), to say which of its files changed.
     */
    public static LockDiff between(Lock old, Lock fresh,
            java.util.function.Function<dev.kiln.store.Digest, java.util.Optional<dev.kiln.resolver.lock.CopyListing>> listings) {
        List<String> out = new ArrayList<>();
        if (!old.spec().digest().equals(fresh.spec().digest())) {
            out.add("~ spec " + fresh.spec().path() + " changed since the lock was made ("
                    + old.spec().digest().shortHex() + " -> " + fresh.spec().digest().shortHex() + ")");
        }
        List<String> oldLines = old.repositories().stream().map(Lock.Repository::line).toList();
        List<String> newLines = fresh.repositories().stream().map(Lock.Repository::line).toList();
        if (!oldLines.equals(newLines)) {
            for (String l : oldLines) {
                if (!newLines.contains(l)) {
                    out.add("- repository " + l);
                }
            }
            for (String l : newLines) {
                if (!oldLines.contains(l)) {
                    out.add("+ repository " + l);
                }
            }
        }
        if (!old.options().equals(fresh.options())) {
            out.add("~ options " + describe(old.options()) + " -> " + describe(fresh.options()));
        }
        out.addAll(dev.kiln.assembler.copy.Copies.changes(old.copies(), fresh.copies(), listings));
        forEachPackage(old, fresh, (arch, n, pa, pb) -> {
            if (pb == null) {
                out.add("- " + arch + " " + n + " " + pa.version());
            } else if (pa == null) {
                out.add("+ " + arch + " " + n + " " + pb.version());
            } else if (!pa.version().equals(pb.version())) {
                out.add("~ " + arch + " " + n + " " + pa.version() + " -> " + pb.version());
            } else if (!pa.sha256().equals(pb.sha256()) || pa.size() != pb.size() || !pa.path().equals(pb.path())) {
                out.add("~ " + arch + " " + n + " " + pa.version() + ": same version, different file ("
                        + pa.sha256().shortHex() + " -> " + pb.sha256().shortHex() + ")");
            }
        });
        return new LockDiff(List.copyOf(out));
    }

    /** Sees one package name of one architecture in either lock: {@code before} or {@code after} null where it has none. */
    @FunctionalInterface
    interface PackagePair {
        void accept(String arch, String name, Lock.Package before, Lock.Package after);
    }

    /** Every architecture and package name of either lock, in order, with its pin in each. */
    static void forEachPackage(Lock old, Lock fresh, PackagePair visit) {
        TreeSet<String> archs = new TreeSet<>(old.archs().keySet());
        archs.addAll(fresh.archs().keySet());
        for (String arch : archs) {
            Map<String, Lock.Package> a = byName(old.packages(arch));
            Map<String, Lock.Package> b = byName(fresh.packages(arch));
            TreeSet<String> names = new TreeSet<>(a.keySet());
            names.addAll(b.keySet());
            for (String n : names) {
                visit.accept(arch, n, a.get(n), b.get(n));
            }
        }
    }

    /** The options as their record prints them, but sorted: the order of Set.copyOf changes from run to run. */
    private static String describe(Lock.Options o) {
        Map<String, Set<String>> skip = new TreeMap<>();
        o.skipDependencies().forEach((k, v) -> skip.put(k, new TreeSet<>(v)));
        return "Options[exclude=" + new TreeSet<>(o.exclude()) + ", skipDependencies=" + skip
                + ", recommends=" + o.recommends() + "]";
    }

    private static Map<String, Lock.Package> byName(List<Lock.Package> ps) {
        Map<String, Lock.Package> m = new TreeMap<>();
        for (Lock.Package p : ps) {
            m.put(p.name(), p);
        }
        return m;
    }
}
