package dev.kiln.cli;

import dev.kiln.api.testing.FixtureRepository;
import dev.kiln.api.testing.FixtureRepository.PackageFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The fixture several CLI tests build: hello 2.0-1 on base-fixture 1.0-1, signed and served on 127.0.0.1. */
final class HelloRepository {
    private HelloRepository() {
    }

    /** The repository, published (close it when done). */
    static FixtureRepository publish() {
        FixtureRepository repo = new FixtureRepository();
        repo.add("base-fixture", "1.0-1", "", List.of(
                PackageFile.file("/usr/lib/os-release", 0644, 1_694_201_234L, "PRETTY_NAME=\"Fixture 1\"\nID=fixture\n")));
        repo.add("hello", "2.0-1", "base-fixture", List.of(
                PackageFile.file("/usr/bin/hello", 0755, 1_700_000_100L, "#!/bin/sh\necho hello\n")));
        repo.publish();
        return repo;
    }

    /** Writes {@code dir/hello.yaml} asking for hello from {@code repo} (its key beside it) for amd64. */
    static Path spec(FixtureRepository repo, Path dir) throws IOException {
        Path spec = dir.resolve("hello.yaml");
        Files.writeString(spec, "contents:\n  repositories:\n    - " + repo.sourceLine(dir.resolve("fixture.asc"))
                + "\n  packages: [hello]\narchs: [amd64]\n");
        return spec;
    }
}
