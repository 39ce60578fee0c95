package dev.kiln.api.testing;

import dev.kiln.builder.deb.DebControl;
import dev.kiln.builder.deb.DebWriter;
import dev.kiln.builder.repo.DebRepository;
import dev.kiln.builder.repo.PgpKeys;
import dev.kiln.builder.repo.PgpSigningKey;
import dev.kiln.builder.sandbox.HostToolsRoot;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * A build environment for hermetic recipe tests: one package, {@code tools}, holding the host's own
 * programs (by default its shell and coreutils) and the libraries they load, in a {@code file:}
 * repository (suite {@code tools}) signed with a key made at test time.
 *
 * @param repository the repository's directory
 * @param publicKey the armored public key that {@code signed-by=} takes
 */
public record ToolsRepository(Path repository, Path publicKey) {
    public static final List<String> TOOLS = List.of("sh", "dash", "cat", "ls", "mkdir", "rm", "echo", "cp", "chmod", "test",
            "head", "tail", "true", "false", "id");

    /** Writes the package of {@link #TOOLS}, the key and the repository under {@code dir}, every date {@code created}. */
    public static ToolsRepository write(Path dir, Instant created) throws IOException, InterruptedException {
        return write(dir, TOOLS, created);
    }

    /** The same with the host's {@code programs} (names in /usr/bin). */
    public static ToolsRepository write(Path dir, List<String> programs, Instant created) throws IOException, InterruptedException {
        Path tree = Files.createDirectories(dir.resolve("tools-tree"));
        for (var f : HostToolsRoot.usrFiles(programs).entrySet()) {
            Path t = tree.resolve(f.getKey());
            Files.createDirectories(t.getParent());
            Files.copy(f.getValue(), t);
        }
        Path deb = dir.resolve("tools_1.0_amd64.deb");
        DebWriter.write(tree, DebControl.of("tools", "1.0", "amd64", "test <test@localhost>", "the host's tools"),
                created.getEpochSecond(), new TreeMap<>(), deb);
        PgpKeys.Written key = PgpKeys.write(Files.createDirectories(dir.resolve("keys")), "tools", created);
        Path repo = dir.resolve("tools-repo");
        DebRepository.publish(repo, "tools", List.of(deb), PgpSigningKey.parse(Files.readAllBytes(key.secretKey()), "tools"), created);
        return new ToolsRepository(repo, key.publicKey());
    }

    /** The public key (what {@code signed-by=} takes). */
    public Path key() {
        return publicKey;
    }

    /** The repository line for an image spec or a recipe's environment. */
    public String line() {
        return "deb [signed-by=" + publicKey + "] file:" + repository + " tools main";
    }
}
