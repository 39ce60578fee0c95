package dev.kiln.builder.source;

import static java.nio.charset.StandardCharsets.UTF_8;

import dev.kiln.fetcher.testing.TestMirror;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;

/** Sources made at test time: tarballs, and git repositories made with the host's git and served as dumb HTTP. */
final class SourceFixtures {
    private SourceFixtures() {
    }

    /** One tar entry: a file (mode, text), a directory, a symlink or a hard link. */
    record Entry(String name, byte type, int mode, String text) {
        static Entry file(String name, int mode, String text) {
            return new Entry(name, TarArchiveEntry.LF_NORMAL, mode, text);
        }

        static Entry dir(String name) {
            return new Entry(name, TarArchiveEntry.LF_DIR, 0755, "");
        }

        static Entry symlink(String name, String target) {
            return new Entry(name, TarArchiveEntry.LF_SYMLINK, 0777, target);
        }

        static Entry hardlink(String name, String target) {
            return new Entry(name, TarArchiveEntry.LF_LINK, 0644, target);
        }
    }

    /** A gzipped tar of {@code entries}, with real-looking mtimes and odd modes. */
    static byte[] tarGz(Entry... entries) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(bytes))) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            long mtime = 1_700_000_000_000L;
            for (Entry e : entries) {
                // absolute paths kept as given: hostile archives are the point of some tests
                TarArchiveEntry t = new TarArchiveEntry(e.name, e.type, true);
                t.setMode(e.mode);
                t.setModTime(mtime += 1000);
                t.setUserName("someone");
                t.setUserId(1234);
                if (e.type == TarArchiveEntry.LF_SYMLINK || e.type == TarArchiveEntry.LF_LINK) {
                    t.setLinkName(e.text);
                }
                byte[] content = e.type == TarArchiveEntry.LF_NORMAL ? e.text.getBytes(UTF_8) : new byte[0];
                t.setSize(content.length);
                tar.putArchiveEntry(t);
                tar.write(content);
                tar.closeArchiveEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Runs git in {@code dir} with a fixed identity and time, nothing of the host's configuration. */
    static String git(Path dir, String... args) {
        List<String> command = new ArrayList<>();
        command.add("git");
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.put("GIT_CONFIG_NOSYSTEM", "1");
        env.put("GIT_CONFIG_GLOBAL", "/dev/null");
        env.put("GIT_AUTHOR_NAME", "Test");
        env.put("GIT_AUTHOR_EMAIL", "test@example.org");
        env.put("GIT_COMMITTER_NAME", "Test");
        env.put("GIT_COMMITTER_EMAIL", "test@example.org");
        env.put("GIT_AUTHOR_DATE", "2024-01-01T00:00:00Z");
        env.put("GIT_COMMITTER_DATE", "2024-01-01T00:00:00Z");
        try {
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), UTF_8);
            if (p.waitFor() != 0) {
                throw new IllegalStateException("git " + String.join(" ", args) + ": " + out);
            }
            return out.strip();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** A repository at {@code dir} with one commit of a small tree (an executable, a symlink, a subdirectory), tagged {@code v1}; its commit id. */
    static String gitRepository(Path dir) throws IOException {
        Files.createDirectories(dir.resolve("src"));
        Files.writeString(dir.resolve("README"), "hello\n");
        Files.writeString(dir.resolve("src/main.c"), "int main(void) { return 0; }\n");
        Files.writeString(dir.resolve("configure"), "#!/bin/sh\necho configured\n");
        dir.resolve("configure").toFile().setExecutable(true);
        Files.createSymbolicLink(dir.resolve("LICENSE"), Path.of("README"));
        git(dir, "init", "-q", "-b", "main");
        git(dir, "add", "-A");
        git(dir, "commit", "-q", "-m", "first");
        git(dir, "tag", "-a", "-m", "release 1", "v1");
        return git(dir, "rev-parse", "HEAD");
    }

    /** Another commit, and {@code v1} moved onto it (as a force-pushed tag); its commit id. */
    static String moveTag(Path dir) throws IOException {
        Files.writeString(dir.resolve("README"), "hello again\n");
        git(dir, "commit", "-q", "-am", "second");
        git(dir, "tag", "-f", "-a", "-m", "release 1 again", "v1");
        return git(dir, "rev-parse", "HEAD");
    }

    /** Serves the repository's {@code .git} as dumb HTTP at {@code /NAME.git/} (after {@code git update-server-info}). */
    static void serveDumb(TestMirror mirror, Path repo, String name) throws IOException {
        git(repo, "update-server-info");
        Path gitDir = repo.resolve(".git");
        try (Stream<Path> files = Files.walk(gitDir)) {
            for (Path f : files.filter(Files::isRegularFile).toList()) {
                mirror.serve("/" + name + ".git/" + gitDir.relativize(f), Files.readAllBytes(f));
            }
        }
    }
}
