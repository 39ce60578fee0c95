package dev.kiln.api.testing;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.api.Kiln;
import dev.kiln.api.LockRequest;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.ContentStore;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;

/**
 * A one-package "repository" for builds that need no network: a small .deb made by the real
 * {@code dpkg-deb}, a spec that asks for it and a lock that pins it, and stores seeded with it, so
 * that {@code Kiln.build} and {@code Kiln.verify} fetch nothing.
 */
public final class TinyRepository {
    /** The image epoch: the date of the lock's one Release. */
    public static final long EPOCH = 1_700_000_000L;
    /** kiln's checkout (tests run in a module's directory). */
    public static final Path HOME = Path.of("..").toAbsolutePath().normalize();
    private static final String POOL = "pool/main/t/tiny/tiny_1.0_amd64.deb";

    private final byte[] deb;

    private TinyRepository(byte[] deb) {
        this.deb = deb.clone();
    }

    /** Builds the package {@code tiny} (an /etc/tiny directory with a file, a copyright) under {@code work}. */
    public static TinyRepository make(Path work) throws IOException, InterruptedException {
        return new TinyRepository(deb(work, "tiny", "1.0"));
    }

    /**
     * A .deb like {@code tiny}'s under another name (an /etc/NAME directory with a file, a
     * copyright), made by the real {@code dpkg-deb} with uncompressed members: packages whose
     * names are as long have the same size.
     */
    public static byte[] deb(Path work, String name, String version) throws IOException, InterruptedException {
        Path root = Files.createDirectories(work.resolve(name + "-root"));
        Files.createDirectories(root.resolve("DEBIAN"));
        Files.writeString(root.resolve("DEBIAN/control"), "Package: " + name + "\nVersion: " + version + "\nArchitecture: amd64\n"
                + "Maintainer: Kiln Tests <tests@example.invalid>\nDescription: a tiny package for tests\n");
        Files.createDirectories(root.resolve("etc/" + name));
        Files.writeString(root.resolve("etc/" + name + "/" + name + ".conf"), "size = tiny\n");
        Files.createDirectories(root.resolve("usr/share/doc/" + name));
        Files.writeString(root.resolve("usr/share/doc/" + name + "/copyright"), "public domain\n");
        for (Path p : List.of(root, root.resolve("etc/" + name), root.resolve("etc/" + name + "/" + name + ".conf"))) {
            Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.fromMillis(1_700_000_000_000L));
        }
        Path out = work.resolve(name + "_" + version + "_amd64.deb");
        Process p = new ProcessBuilder("dpkg-deb", "--root-owner-group", "-Znone", "--build", root.toString(), out.toString())
                .redirectErrorStream(true).start();
        String log = new String(p.getInputStream().readAllBytes(), UTF_8);
        if (p.waitFor() != 0) {
            throw new IOException("dpkg-deb failed: " + log);
        }
        return Files.readAllBytes(out);
    }

    /** Puts the package into the store at {@code storeDir} (made if missing). */
    public Path seed(Path storeDir) {
        try (ContentStore s = ContentStore.open(storeDir)) {
            s.put(deb);
        }
        return storeDir;
    }

    /**
     * Writes {@code dir/NAME.yaml} asking for {@code tiny}, with {@code more} appended (e.g. a
     * {@code paths} section), and beside it {@code NAME.lock.json} pinning the package (and no
     * local sources: a build pins those). Returns the spec.
     */
    public Path spec(Path dir, String name, String more) throws IOException {
        Path spec = dir.resolve(name + ".yaml");
        Files.writeString(spec, """
                contents:
                  repositories:
                    - deb ${DEBIAN_MIRROR} bookworm main
                  packages: [tiny]
                archs: [amd64]
                """ + more);
        Digest r = Digest.of("release of " + name);
        Lock lock = new Lock(Lock.VERSION, new Lock.Spec(spec.getFileName().toString(), Digest.of(Files.readAllBytes(spec))),
                List.of(new Lock.Repository("deb ${DEBIAN_MIRROR} bookworm main", r, Instant.ofEpochSecond(EPOCH), Optional.empty(),
                        List.of("0000000000000000000000000000000000000000"))),
                new Lock.Options(Set.of(), Map.of(), false),
                new TreeMap<>(Map.of("amd64", List.of(new Lock.Package("tiny", "1.0", "amd64", "tiny", POOL, deb.length,
                        Digest.of(deb), 0)))));
        Files.write(LockRequest.besideSpec(spec), LockJson.write(lock));
        return spec;
    }

    /** A Kiln on {@code storeDir} whose mirror nobody serves: everything must already be in the store. */
    public static Kiln kiln(Path storeDir) {
        return builder(storeDir).open();
    }

    /** The builder of {@link #kiln}, for more settings or event handlers. */
    public static Kiln.Builder builder(Path storeDir) {
        return Kiln.builder().store(storeDir).keys(HOME.resolve("keys"))
                .mirrors(Map.of("DEBIAN_MIRROR", "http://127.0.0.1:9/debian"));
    }
}
