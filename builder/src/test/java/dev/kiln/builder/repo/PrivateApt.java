package dev.kiln.builder.repo;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The host's apt in a root of its own: its sources.list, lists, caches and keys, and an apt.conf
 * (through {@code APT_CONFIG}) that points every {@code Dir::Etc} path into the root, so nothing of
 * the host's apt configuration takes part.
 */
final class PrivateApt {
    private final Path root;

    /** @param source one apt source line, e.g. {@code deb [signed-by=/k.asc] http://127.0.0.1:1/ recipes main} */
    PrivateApt(Path root, String source, String arch) throws IOException {
        this.root = root.toAbsolutePath();
        for (String dir : List.of("etc/apt/apt.conf.d", "etc/apt/sources.list.d", "etc/apt/preferences.d", "etc/apt/trusted.gpg.d",
                "var/lib/apt/lists/partial", "var/cache/apt/archives/partial", "var/lib/dpkg", "var/log/apt", "download")) {
            Files.createDirectories(this.root.resolve(dir));
        }
        Files.writeString(this.root.resolve("var/lib/dpkg/status"), "");
        Files.writeString(this.root.resolve("etc/apt/sources.list"), source + "\n");
        String r = this.root.toString();
        Files.writeString(this.root.resolve("apt.conf"), String.join("\n",
                "Dir \"" + r + "/\";",
                "Dir::State::status \"" + r + "/var/lib/dpkg/status\";",
                "Dir::Etc \"etc/apt/\";",
                "Dir::Etc::main \"apt.conf\";",
                "Dir::Etc::parts \"apt.conf.d/\";",
                "Dir::Etc::sourcelist \"sources.list\";",
                "Dir::Etc::sourceparts \"sources.list.d/\";",
                "Dir::Etc::preferencesparts \"preferences.d/\";",
                "Dir::Etc::trusted \"trusted.gpg\";",
                "Dir::Etc::trustedparts \"trusted.gpg.d/\";",
                "APT::Architecture \"" + arch + "\";",
                "APT::Architectures { \"" + arch + "\"; };",
                "APT::Sandbox::User \"root\";",
                "Debug::NoLocking \"true\";",
                "Acquire::Languages \"none\";",
                "Acquire::Retries \"0\";",
                "") + "\n");
    }

    record Run(int exit, String output) {
    }

    Run update() throws IOException, InterruptedException {
        return run(root, "apt-get", "update");
    }

    /** {@code apt-get download NAME} into the root's {@code download/} directory. */
    Run download(String name) throws IOException, InterruptedException {
        return run(root.resolve("download"), "apt-get", "download", name);
    }

    Path downloads() {
        return root.resolve("download");
    }

    private Run run(Path dir, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(new ArrayList<>(List.of(command))).directory(dir.toFile()).redirectErrorStream(true);
        Map<String, String> env = pb.environment();
        env.keySet().removeIf(k -> k.startsWith("LC_") || k.equals("LANG") || k.equals("LANGUAGE"));
        env.put("LC_ALL", "C");
        env.put("APT_CONFIG", root.resolve("apt.conf").toString());
        Process p = pb.start();
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(120, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IOException("apt-get timed out: " + out);
        }
        return new Run(p.exitValue(), out);
    }
}
