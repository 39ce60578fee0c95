package dev.kiln.cli;

import dev.kiln.api.registry.RegistryClients;
import dev.kiln.trust.Attestations;
import dev.kiln.trust.ImageSigning;
import dev.kiln.trust.SigningKey;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

@Command(name = "sign", mixinStandardHelpOptions = true, description = {
    "Sign an image in an OCI image layout or a registry.",
    "%nkiln attaches a cosign signature of the image's manifest (or index) digest and, with --attest and"
            + " --sbom, DSSE-signed in-toto attestations, each as an OCI 1.1 referrer. Deterministic: signing"
            + " again changes nothing."})
final class SignCommand implements Callable<Integer> {
    @Parameters(paramLabel = "IMAGE", description = "The OCI image layout directory (what 'kiln build -o' wrote), or a"
            + " registry reference HOST[:PORT]/REPO[:TAG] or HOST[:PORT]/REPO@sha256:... (a tag is resolved and its digest signed).")
    String image;

    @Option(names = "--key", paramLabel = "KEY", required = true, description = "The private key (PKCS#8 PEM, from 'kiln keys generate').")
    Path key;

    @Option(names = "--attest", paramLabel = "FILE",
            description = "An in-toto Statement about the image to sign and attach as an attestation; repeatable.")
    List<Path> attest = new ArrayList<>();

    @Option(names = "--sbom", paramLabel = "FILE", description = "An SPDX JSON SBOM of the image (DIR.ARCH.spdx.json from"
            + " kiln build) to attach as a signed in-toto attestation (predicate type https://spdx.dev/Document); repeatable.")
    List<Path> sbom = new ArrayList<>();

    @Option(names = "--ref", paramLabel = "NAME", description = "The image's name in the layout (default: the only one, 'latest' from kiln build).")
    String ref;

    @Option(names = "--identity", paramLabel = "REPOSITORY",
            description = "The repository the signature names, e.g. registry.example/team/base (default: HOST/REPO, or the layout directory's name).")
    String identity;

    @Option(names = "--insecure", description = "Speak plain HTTP to the registry (always so for loopback registries).")
    boolean insecure;

    @Mixin
    PasswordOption password;

    @Mixin
    RegistryTimeoutOption registry;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        SigningKey signingKey = SigningKey.read(key, password.password());
        ImageSigning.Result r = ImageSigning.sign(image, Optional.ofNullable(ref), Optional.ofNullable(identity), signingKey,
                new ImageSigning.Documents(attest, sbom),
                () -> RegistryClients.builder(registry.options(insecure, false, spec.commandLine().getErr())).build());
        var out = spec.commandLine().getOut();
        out.println("signed " + r.image().digest() + " as " + r.signature().identity() + " with key " + r.signature().keyFingerprint());
        out.println("  signature   " + r.signature().signature().digest());
        for (Attestations.Attested a : r.attestations()) {
            out.println("  attestation " + a.attestation().digest() + " (" + a.predicateType() + ")"
                    + (a.subject().equals(r.image()) ? "" : " on " + a.subject().digest()));
        }
        return 0;
    }
}
