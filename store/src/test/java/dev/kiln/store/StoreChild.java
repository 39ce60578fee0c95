package dev.kiln.store;

import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Random;

/**
 * A second process for the store's tests: it uses a store the way kiln does while the test (another
 * JVM) uses it too. It talks on stdout ("ready", progress) and waits on stdin, so tests never sleep.
 */
public final class StoreChild {
    private StoreChild() {
    }

    public static void main(String[] args) throws Exception {
        BufferedReader stdin = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        Path root = Path.of(args[1]);
        switch (args[0]) {
            case "put-same" -> putSame(root, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]), stdin);
            case "stage-many" -> stageMany(root, Integer.parseInt(args[2]), Integer.parseInt(args[3]), Long.parseLong(args[4]),
                    args.length > 5 && args[5].equals("pause"), stdin);
            case "hold" -> hold(root, stdin);
            case "hold-exclusive" -> holdExclusive(root, stdin);
            case "stage-beside" -> stageBeside(root, stdin);
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
    }

    /** Deterministic content: the same seed and index give the same bytes in every process. */
    static byte[] content(long seed, int index, int size) {
        byte[] b = new byte[size];
        new Random(seed * 1_000_003L + index).nextBytes(b);
        return b;
    }

    /** Puts {@code count} blobs through all three write paths once stdin says go, re-reading each. */
    private static void putSame(Path root, int count, int size, long seed, BufferedReader stdin) throws Exception {
        try (ContentStore store = ContentStore.open(root)) {
            say("ready");
            if (!"go".equals(stdin.readLine())) {
                System.exit(2);
            }
            for (int i = 0; i < count; i++) {
                byte[] b = content(seed, i, size);
                Digest d = Digest.of(b);
                Digest got = switch (i % 3) {
                    case 0 -> store.put(b);
                    case 1 -> store.put(new ByteArrayInputStream(b), d, b.length);
                    default -> {
                        try (ContentStore.Staging s = store.stage(d, b.length)) {
                            for (int off = 0; off < b.length; off += 8192) {
                                s.write(b, off, Math.min(8192, b.length - off));
                            }
                            yield s.commit();
                        }
                    }
                };
                byte[] back = store.read(got);
                if (!got.equals(d) || back.length != size || !Digest.of(back).equals(d)) {
                    say("torn " + i + " " + back.length);
                    System.exit(3);
                }
            }
            // and once more at the end, when the other process has finished writing too
            for (int i = 0; i < count; i++) {
                Digest d = Digest.of(content(seed, i, size));
                if (!Digest.of(store.read(d)).equals(d)) {
                    say("torn " + i);
                    System.exit(3);
                }
            }
            say("ok " + count);
        }
    }

    /**
     * Downloads-alike: stages big blobs in chunks; says "halfway" midway through the second and, with
     * {@code pause}, waits there for a line on stdin, so a kill lands inside a blob for certain.
     */
    private static void stageMany(Path root, int count, int size, long seed, boolean pause, BufferedReader stdin)
            throws Exception {
        ContentStore store = ContentStore.open(root); // never closed: the test kills this process
        for (int i = 0; i < count; i++) {
            byte[] b = content(seed, i, size);
            Digest d = Digest.of(b);
            if (store.contains(d)) {
                say("present " + i);
                continue;
            }
            try (ContentStore.Staging s = store.stage(d, b.length)) {
                for (int off = 0; off < b.length; off += 65536) {
                    s.write(b, off, Math.min(65536, b.length - off));
                    if (i == 1 && off == b.length / 2) {
                        say("halfway");
                        if (pause) {
                            stdin.readLine();
                        }
                    }
                }
                s.commit();
            }
            say("published " + i);
        }
        say("done");
    }

    private static void hold(Path root, BufferedReader stdin) throws Exception {
        try (ContentStore store = ContentStore.open(root)) {
            store.put(("held by " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8));
            say("ready");
            stdin.readLine();
        }
        say("closed");
    }

    private static void holdExclusive(Path root, BufferedReader stdin) throws Exception {
        try (ContentStore store = ContentStore.open(root)) {
            ContentStore.Exclusive held = store.exclusive(Duration.ofMinutes(1), m -> { });
            say("ready");
            stdin.readLine();
            held.close();
        }
        say("closed");
    }

    /** Stages a directory beside {@code target} under a {@link StagingLock}, says its path, and holds it until stdin says so. */
    private static void stageBeside(Path target, BufferedReader stdin) throws Exception {
        StagingLock mark = StagingLock.beside(target);
        Path staging = Files.createDirectory(mark.path(""));
        Files.writeString(staging.resolve("half-written"), "by " + ProcessHandle.current().pid());
        say("staging " + staging);
        stdin.readLine();
        ExitCleanup.discard(staging);
        mark.close();
        say("closed");
    }

    private static void say(String line) {
        System.out.println(line);
        System.out.flush();
    }
}
