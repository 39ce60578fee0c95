package dev.kiln.api.testing;

import dev.kiln.builder.deb.DebControl;
import dev.kiln.builder.deb.DebWriter;
import dev.kiln.builder.repo.DebRepository;
import dev.kiln.builder.repo.PgpKeys;
import dev.kiln.builder.repo.PgpSigningKey;
import dev.kiln.builder.sandbox.HostToolsRoot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.TreeMap;

/**
 * A recipe build environment made at test time: one package {@code tools} holding the host's own
 * {@code programs} and the libraries they load, in a signed {@code file:} repository (suite
 * {@code tools}) under {@code dir}, with its public key.
 *
 * @param key the repository's public key ({@code signed-by=})
 * @param repository the repository's directory
 */
public record ToolsRepository(Path key, Path repository) {
    public static ToolsRepository write(Path dir, List<String> programs, Instant created) throws Exception {
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
        return new ToolsRepository(key.publicKey(), repo);
    }
}
