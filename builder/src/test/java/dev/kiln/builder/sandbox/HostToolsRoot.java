package dev.kiln.builder.sandbox;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A small build environment root for sandbox tests, made at test time from the host's own
 * programs and the libraries they load (found with {@code ldd}): merged /usr, {@code /bin/sh},
 * bash (for its {@code /dev/tcp}), coreutils, and an {@code /etc/passwd} naming uid 0 root. Copied,
 * not linked, so that it is readable by {@code nobody} and the host's files cannot be changed
 * through it.
 */
public final class HostToolsRoot {
    static final List<String> PROGRAMS = List.of("sh", "dash", "bash", "id", "env", "hostname", "dd", "cat", "ls", "touch",
            "mkdir", "rm", "echo", "sleep", "test", "head", "uname", "true", "false", "seq", "wc", "tail", "cut", "stat", "cp", "base64", "od", "grep");

    private HostToolsRoot() {
    }

    /**
     * The programs and the libraries they load, by where they go under a merged-/usr root
     * ({@code usr/bin/sh}, {@code usr/lib/x86_64-linux-gnu/libc.so.6}), each the host's file.
     */
    public static java.util.SortedMap<String, Path> usrFiles() throws IOException, InterruptedException {
        return usrFiles(PROGRAMS);
    }

    /** As {@link #usrFiles()}, for the host's {@code programs} (names in /usr/bin). */
    public static java.util.SortedMap<String, Path> usrFiles(List<String> programs) throws IOException, InterruptedException {
        java.util.SortedMap<String, Path> files = new java.util.TreeMap<>();
        TreeSet<String> libraries = new TreeSet<>();
        for (String program : programs) {
            Path host = Path.of("/usr/bin", program).toRealPath();
            files.put("usr/bin/" + program, host);
            libraries.addAll(libraries(host));
        }
        for (String lib : libraries) {
            // /lib/x86_64-linux-gnu/libc.so.6 -> usr/lib/x86_64-linux-gnu/libc.so.6, as on merged /usr
            files.put(lib.startsWith("/usr/") ? lib.substring(1) : "usr" + lib, Path.of(lib).toRealPath());
        }
        return files;
    }

    /** Writes the root into {@code dir} (which must exist), every directory 0755. */
    public static Path write(Path dir) throws IOException, InterruptedException {
        Path usr = dir.resolve("usr");
        for (var f : usrFiles().entrySet()) {
            Path target = dir.resolve(f.getKey());
            Files.createDirectories(target.getParent());
            Files.copy(f.getValue(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        for (String link : List.of("bin", "lib", "lib64", "sbin")) {
            if (Files.isDirectory(usr.resolve(link))) {
                Files.createSymbolicLink(dir.resolve(link), Path.of("usr", link));
            }
        }
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\nnogroup:x:65534:\n");
        Files.createDirectories(dir.resolve("var/tmp"));
        Files.createDirectories(dir.resolve("root"));
        Files.createDirectories(dir.resolve("home"));
        try (var walk = Files.walk(dir)) {
            for (Path p : walk.toList()) {
                if (!Files.isSymbolicLink(p)) {
                    Files.setPosixFilePermissions(p, PosixFilePermissions.fromString(Files.isDirectory(p) ? "rwxr-xr-x" : "r-xr-xr-x"));
                }
            }
        }
        return dir;
    }

    private static final Pattern LIB = Pattern.compile("(/\\S+)\\s+\\(0x");

    private static List<String> libraries(Path program) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("ldd", program.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        p.waitFor();
        List<String> libs = new ArrayList<>();
        Matcher m = LIB.matcher(out);
        while (m.find()) {
            libs.add(m.group(1));
        }
        return libs;
    }
}
