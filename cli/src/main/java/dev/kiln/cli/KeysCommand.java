package dev.kiln.cli;

import dev.kiln.api.OpenPgpKeys;
import dev.kiln.trust.KeyFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "keys", mixinStandardHelpOptions = true, description = "Make the keys that sign images.",
        subcommands = {KeysCommand.Generate.class})
final class KeysCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new picocli.CommandLine.ParameterException(spec.commandLine(), "name a keys command: generate");
    }

    @Command(name = "generate", mixinStandardHelpOptions = true, description = {
        "Make a key pair that signs images (ECDSA) or a repository (OpenPGP).",
        "%nWithout --openpgp: an ECDSA P-256 key pair. DIR/NAME.pub is the PEM public key that 'cosign verify --key' reads (trusted keys live in keys/);"
                + " DIR/NAME.key is the private key, PKCS#8 PEM, mode 0600, encrypted when a password is given."
                + " Refuses to overwrite keys, and to put the private key in a git work tree unless --force.",
        "%nWith --openpgp: DIR/NAME.asc is the armored Ed25519 public key that a repository line's [signed-by=...] names;"
                + " DIR/NAME.secret.asc the secret key (mode 0600, no passphrase) that signs the repository's InRelease."
                + " DIR is keys/recipes unless --dir: never keys/, whose keys are trusted for every line without signed-by."
                + " Inside a git work tree the secret key is added to DIR/.gitignore."})
    static final class Generate implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The key pair's name: letters, digits, '.', '_', '-'.")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where to write both files (default: keys; with --openpgp: keys/recipes).")
        Path dir;

        @Option(names = "--openpgp", description = "Make an OpenPGP (Ed25519) key pair that signs a recipes repository.")
        boolean openpgp;

        @Option(names = "--force", description = "Write the private key inside a git work tree too (kiln makes git ignore it).")
        boolean force;

        @Mixin
        PasswordOption password;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            var out = spec.commandLine().getOut();
            if (openpgp) {
                if (password.stdin || force) {
                    throw new ParameterException(spec.commandLine(), (force ? "--force" : "--password-stdin")
                            + " does not apply to --openpgp: its secret key has no passphrase, and a git work tree ignores it");
                }
                OpenPgpKeys.Generated g = OpenPgpKeys.generate(dir == null ? OpenPgpKeys.DEFAULT_DIR : dir, name);
                out.println("public key " + g.publicKey() + " (" + g.fingerprint() + ")");
                out.println("secret key " + g.secretKey() + " (not encrypted: keep it secret)");
                g.ignoredBy().ifPresent(i -> out.println("git ignores the secret key by a rule in " + i));
                return 0;
            }
            KeyFiles.Written w = KeyFiles.generate(dir == null ? Path.of("keys") : dir, name, password.password(), force);
            out.println("public key  " + w.publicKey() + " (" + w.fingerprint() + ")");
            out.println("private key " + w.privateKey() + (w.encrypted() ? " (encrypted)" : " (not encrypted: no password given)"));
            w.ignoredBy().ifPresent(g -> out.println("git ignores the private key by a rule in " + g));
            return 0;
        }
    }
}
