package dev.kiln.api.internal;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.TimeZone;

/**
 * How the second build of a build check differs from the first, in everything that must not
 * reach an image: another JDK when one is installed, another time zone and locale, umask 077, one
 * CPU (and, in the check, another working directory). {@code epoch}, when set, changes an input
 * too: a check that must find a difference (a test of the check) sets it.
 *
 * <p>This JVM's own {@code java.home} and {@code java.version} are read here: the point is to differ from them.
 *
 * @param java the {@code java} launcher of the child
 * @param env variables set (or changed) for the child; the rest of the environment is inherited
 * @param jvmOptions options the child JVM gets before its main class
 */
public record BuildVariation(Path java, String javaVersion, Map<String, String> env, List<String> jvmOptions, String umask,
        OptionalLong epoch) {
    public BuildVariation {
        env = Map.copyOf(env);
        jvmOptions = List.copyOf(jvmOptions);
    }

    /** One line for people: what the second build ran under. */
    public String describe() {
        return "java " + javaVersion + " (" + java + "), TZ=" + env.get("TZ") + ", LANG=" + env.get("LANG")
                + ", umask " + umask + ", 1 CPU, another working directory";
    }

    /** This variation, the second image made at {@code seconds} (an input: the two images must then differ). */
    public BuildVariation withEpoch(long seconds) {
        return new BuildVariation(java, javaVersion, env, jvmOptions, umask, OptionalLong.of(seconds));
    }

    /**
     * The variation this host allows: the newest other JDK (17 or later) under {@code /usr/lib/jvm},
     * else this one; a time zone and locale other than this JVM's.
     */
    public static BuildVariation ofHost() {
        Path self = Path.of(System.getProperty("java.home"));
        Path java = self.resolve("bin/java");
        String version = System.getProperty("java.version");
        Optional<Jdk> other = otherJdk();
        if (other.isPresent()) {
            java = other.get().home().resolve("bin/java");
            version = other.get().version();
        }
        String tz = TimeZone.getDefault().getID().equals("Pacific/Chatham") ? "America/St_Johns" : "Pacific/Chatham";
        boolean turkish = Locale.getDefault().getLanguage().equals("tr");
        String lang = turkish ? "de_DE.UTF-8" : "tr_TR.UTF-8";
        Map<String, String> env = new LinkedHashMap<>();
        env.put("TZ", tz);
        env.put("LANG", lang);
        env.put("LC_ALL", lang);
        // the JVM takes its locale from setlocale, which ignores a locale the host has not generated
        List<String> opts = List.of("-XX:ActiveProcessorCount=1", "-Duser.language=" + (turkish ? "de" : "tr"),
                "-Duser.country=" + (turkish ? "DE" : "TR"), "-Duser.timezone=" + tz);
        return new BuildVariation(java, version, env, opts, "077", OptionalLong.empty());
    }

    /** An installed JDK: its home and {@code JAVA_VERSION}. */
    public record Jdk(Path home, String version) {
        int feature() {
            try {
                return Integer.parseInt(version.split("[.+-]")[0]);
            } catch (NumberFormatException e) {
                return 0;
            }
        }
    }

    /** The newest JDK of version 17 or later under {@code /usr/lib/jvm} that is not the one running. */
    public static Optional<Jdk> otherJdk() {
        Path self;
        try {
            self = Path.of(System.getProperty("java.home")).toRealPath();
        } catch (IOException e) {
            self = Path.of(System.getProperty("java.home"));
        }
        Path jvms = Path.of("/usr/lib/jvm");
        if (!Files.isDirectory(jvms)) {
            return Optional.empty();
        }
        List<Jdk> found = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(jvms)) {
            for (Path p : s) {
                Path home = p.toRealPath();
                Path release = home.resolve("release");
                if (home.equals(self) || !Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)
                        || found.stream().anyMatch(j -> j.home().equals(home))) {
                    continue;
                }
                for (String line : Files.readAllLines(release, StandardCharsets.UTF_8)) {
                    if (line.startsWith("JAVA_VERSION=")) {
                        Jdk jdk = new Jdk(home, line.substring("JAVA_VERSION=".length()).replace("\"", "").strip());
                        if (jdk.feature() >= 17) {
                            found.add(jdk);
                        }
                    }
                }
            }
        } catch (IOException e) {
            return Optional.empty();
        }
        return found.stream().max(Comparator.comparingInt(Jdk::feature).thenComparing(j -> j.home().toString()));
    }
}
