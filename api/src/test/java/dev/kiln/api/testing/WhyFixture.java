package dev.kiln.api.testing;

import dev.kiln.api.testing.FixtureRepository.PackageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * A closure to explain with {@code kiln why}, in a {@link FixtureRepository}: {@code app} and
 * {@code tool} are asked for; app pulls libbase two levels down (app → libmid → libbase), takes the
 * second alternative of {@code busybox-fixture | dash-fixture} (the first is in no repository), and
 * a mail transport agent through exim-fixture's Provides; tool needs libbase directly. The spec
 * excludes liblegacy (which libmid names), skips libbase's libextra, and nothing needs unused.
 */
public final class WhyFixture {
    private WhyFixture() {
    }

    /** Adds the packages to {@code repo} (which the caller publishes). */
    public static void addTo(FixtureRepository repo) {
        add(repo, "app", "1.0-1", "libmid (>= 1.0), busybox-fixture | dash-fixture, mail-transport-agent", "");
        add(repo, "tool", "3.1-1", "libbase", "");
        add(repo, "libmid", "1.2-1", "libbase (>= 2), liblegacy", "");
        add(repo, "libbase", "2.0-1", "libextra", "");
        add(repo, "dash-fixture", "0.5-1", "", "");
        add(repo, "exim-fixture", "4.96-1", "", "Provides: mail-transport-agent\n");
        add(repo, "liblegacy", "0.9-1", "", "");
        add(repo, "libextra", "1.0-1", "", "");
        add(repo, "unused", "1.0-1", "", "");
    }

    private static void add(FixtureRepository repo, String name, String version, String depends, String more) {
        repo.add(name, version, depends, more, List.of(
                PackageFile.file("/usr/share/doc/" + name + "/copyright", 0644, 1_700_000_000L, name + " is public domain\n")));
    }

    /** Writes {@code dir/closure.yaml} asking for app and tool from {@code sourceLine}. */
    public static Path spec(Path dir, String sourceLine) throws IOException {
        Files.createDirectories(dir);
        return Files.writeString(dir.resolve("closure.yaml"), """
                contents:
                  repositories:
                    - %s
                  packages: [app, tool]
                  exclude: [liblegacy]
                  skip-dependencies:
                    libbase: [libextra]
                archs: [amd64]
                """.formatted(sourceLine));
    }
}
