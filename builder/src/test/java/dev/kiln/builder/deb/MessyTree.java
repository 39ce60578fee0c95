package dev.kiln.builder.deb;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeMap;

/**
 * A build's output as a sandbox may leave it: odd modes (group write, set-uid, owner-only), real and
 * random mtimes, a long name, a symlink, a hard link, an empty directory. Two variants made with
 * another seed differ in everything a package must not depend on (creation order, modes beyond the
 * executable bit, mtimes), and in nothing else.
 */
public final class MessyTree {
    public static final long EPOCH = 1_700_000_000L;
    static final String LONG_DIR = "usr/share/kiln-fixture/" + "d".repeat(60) + "/" + "e".repeat(50);
    static final String LONG_FILE = LONG_DIR + "/" + "f".repeat(90) + ".txt";

    private MessyTree() {
    }

    public static DebControl control() {
        return DebControl.of("kiln-hello", "2.10-0kiln1", "amd64", "kiln recipes <recipes@kiln.invalid>",
                        "says hello\nA fixture package made by kiln's tests.\n\nIts second paragraph.")
                .withDepends(List.of("libc6 (>= 2.34)", "base-files"))
                .withProvides(List.of("hello-kiln"))
                .withField("Section", "misc").withField("Priority", "optional")
                .withField("Kiln-Build-Key", "sha256:" + "ab".repeat(32));
    }

    public static TreeMap<String, byte[]> members() {
        TreeMap<String, byte[]> m = new TreeMap<>();
        m.put("kiln-recipe.yaml", "package:\n  name: kiln-hello\n".getBytes(StandardCharsets.UTF_8));
        m.put("kiln-recipe.lock.json", "{\"lockVersion\":1}\n".getBytes(StandardCharsets.UTF_8));
        return m;
    }

    /** Makes the tree under {@code root} (created); {@code seed} varies what must not matter. */
    public static Path make(Path root, long seed) throws IOException {
        Random random = new Random(seed);
        Files.createDirectories(root);
        String[] files = {"usr/bin/hello", "usr/share/doc/kiln-hello/README", "usr/share/doc/kiln-hello/copyright",
            "etc/hello.conf", LONG_FILE, "usr/lib/kiln-hello/data.bin"};
        List<String> order = new ArrayList<>(List.of(files));
        Collections.shuffle(order, random);
        for (String f : order) {
            Path p = root.resolve(f);
            Files.createDirectories(p.getParent());
            byte[] content = f.endsWith("data.bin") ? big() : ("content of " + f + "\n").getBytes(StandardCharsets.UTF_8);
            Files.write(p, content);
        }
        Files.createDirectories(root.resolve("usr/lib/kiln-hello/empty"));
        Files.createSymbolicLink(root.resolve("usr/bin/hi"), Path.of("hello"));
        Files.createSymbolicLink(root.resolve("usr/bin/abs-link"), Path.of("/usr/share/kiln-fixture-elsewhere"));
        Files.createLink(root.resolve("usr/bin/hello-again"), root.resolve("usr/bin/hello"));
        String[] fileModes = seed % 2 == 0
                ? new String[] {"rwx------", "rw-rw-r--", "rw-------", "rw-r--r--", "rw-rw-rw-", "r--r--r--"}
                : new String[] {"rwxr-xr-x", "rw-r--r--", "rw-r-----", "rw-rw----", "r--------", "rw-r--r--"};
        for (int i = 0; i < files.length; i++) {
            Files.setPosixFilePermissions(root.resolve(files[i]), PosixFilePermissions.fromString(fileModes[i]));
        }
        if (seed % 2 != 0) {
            setUid(root.resolve(files[0]));
        }
        try (var walk = Files.walk(root)) {
            for (Path p : walk.toList()) {
                if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(seed % 2 == 0 ? "rwxrwxr-x" : "rwx------"));
                }
                if (!Files.isSymbolicLink(p)) {
                    Files.setLastModifiedTime(p, FileTime.from(Instant.ofEpochSecond(1_000_000_000L + random.nextInt(1 << 30))));
                }
            }
        }
        return root;
    }

    /** Sets the set-uid bit, which Java's permission sets cannot say. */
    private static void setUid(Path file) throws IOException {
        try {
            Process p = new ProcessBuilder("chmod", "u+s", file.toString()).redirectErrorStream(true).start();
            if (p.waitFor() != 0) {
                throw new IOException("chmod u+s " + file + ": " + new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException(e);
        }
    }

    /** 300 KiB that compress a little: more than one buffer, not a multiple of a KiB. */
    private static byte[] big() {
        byte[] b = new byte[300 * 1024 + 17];
        Random r = new Random(42);
        for (int i = 0; i < b.length; i++) {
            b[i] = (byte) (r.nextInt(16) + 'a');
        }
        return b;
    }

    /** Writes the fixture's package from {@code tree} into {@code target}. */
    public static DebWriter.Written write(Path tree, Path target) {
        return DebWriter.write(tree, control(), EPOCH, members(), target);
    }
}
