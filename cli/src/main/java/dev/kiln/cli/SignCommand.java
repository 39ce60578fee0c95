package dev.kiln.cli;

import dev.kiln.assembler.sign.Attestations;
import dev.kiln.assembler.sign.LayoutSigning;
import dev.kiln.assembler.sign.SigningKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

@Command(name = "sign", mixinStandardHelpOptions = true, description = {
    "Sign the image in an OCI image layout: a cosign signature of its manifest (or",
    "index) digest and, with --attest, DSSE-signed in-toto attestations, each",
    "attached as an OCI 1.1 referrer. Deterministic: signing again changes nothing."})
final class SignCommand implements Callable<Integer> {
    @Parameters(paramLabel = "LAYOUT", description = "The OCI image layout directory (what 'kiln build -o' wrote).")
    Path layout;

    @Option(names = "--key", paramLabel = "KEY", required = true, description = "The private key (PKCS#8 PEM, from 'kiln keys generate').")
    Path key;

    @Option(names = "--attest", paramLabel = "FILE",
            description = "An in-toto Statement about the image to sign and attach as an attestation; repeatable.")
    List<Path> attest = new ArrayList<>();

    @Option(names = "--ref", paramLabel = "NAME", description = "The image's name in the layout (default: the only one, 'latest' from kiln build).")
    String ref;

    @Option(names = "--identity", paramLabel = "REPOSITORY",
            description = "The repository the signature names, e.g. registry.example/team/base (default: the layout directory's name).")
    String identity;

    @Mixin
    PasswordOption password;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SigningKey signingKey = SigningKey.read(key, password.password());
        LayoutSigning.Result r = LayoutSigning.sign(layout, Optional.ofNullable(ref), Optional.ofNullable(identity), signingKey, attest);
        var out = spec.commandLine().getOut();
        out.println("signed " + r.image().digest() + " as " + r.signature().identity() + " with key " + r.signature().keyFingerprint());
        out.println("  signature   " + r.signature().signature().digest());
        for (Attestations.Attested a : r.attestations()) {
            out.println("  attestation " + a.attestation().digest() + " (" + a.predicateType() + ")");
        }
        return 0;
    }
}
