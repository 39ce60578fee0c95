package dev.kiln.cli;

import dev.kiln.trust.KeyFiles;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
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
        "Make an ECDSA P-256 key pair for signing images.",
        "%nDIR/NAME.pub is the PEM public key that 'cosign verify --key' reads (trusted keys live in keys/);"
                + " DIR/NAME.key is the private key, PKCS#8 PEM, mode 0600, encrypted when a password is given."
                + " Refuses to overwrite keys, and to put the private key in a git work tree unless --force."})
    static final class Generate implements Callable<Integer> {
        @Parameters(paramLabel = "NAME", description = "The key pair's name: letters, digits, '.', '_', '-'.")
        String name;

        @Option(names = "--dir", paramLabel = "DIR", description = "Where to write both files (default: keys).")
        Path dir = Path.of("keys");

        @Option(names = "--force", description = "Write the private key inside a git work tree too (kiln makes git ignore it).")
        boolean force;

        @Mixin
        PasswordOption password;

        @Spec
        CommandSpec spec;

        @Override
        public Integer call() {
            KeyFiles.Written w = KeyFiles.generate(dir, name, password.password(), force);
            var out = spec.commandLine().getOut();
            out.println("public key  " + w.publicKey() + " (" + w.fingerprint() + ")");
            out.println("private key " + w.privateKey() + (w.encrypted() ? " (encrypted)" : " (not encrypted: no password given)"));
            w.ignoredBy().ifPresent(g -> out.println("git ignores the private key by a rule in " + g));
            return 0;
        }
    }
}
