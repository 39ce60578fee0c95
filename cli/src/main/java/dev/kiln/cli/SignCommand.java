package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.SignRequest;
import dev.kiln.api.SignResult;
import dev.kiln.api.SystemDefaults;
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

    @Mixin
    JsonOption json;

    @Spec
    CommandSpec spec;

    @Override
    public Integer call() {
        var err = spec.commandLine().getErr();
        var out = spec.commandLine().getOut();
        JsonLines lines = json.lines(out);
        Optional<char[]> pass = password.password();
        SignRequest request = SignRequest.of(ImageArgument.forSign(image, ref));
        request = pass.isPresent() ? request.withKey(key, pass.get()) : request.withKey(key);
        if (identity != null) {
            request = request.withIdentity(identity);
        }
        for (Path a : attest) {
            request = request.withAttestation(a);
        }
        for (Path s : sbom) {
            request = request.withSbom(s);
        }
        // signing needs no store and no trusted keys: only how to reach a registry
        Kiln.Builder builder = KilnSetup.withHandlers(Kiln.builder().proxies(SystemDefaults.proxies())
                .registries(registry.apply(SystemDefaults.registries().withInsecure(insecure))), false, err, lines);
        SignResult r;
        try (Kiln kiln = builder.open()) {
            r = kiln.sign(request);
        }
        if (lines != null) {
            lines.result(g -> JsonResults.sign(g, r));
            return 0;
        }
        out.println("signed " + r.digest() + " as " + r.identity() + " with key " + r.keyFingerprint());
        out.println("  signature   " + r.signature());
        for (SignResult.Attestation a : r.attestations()) {
            out.println("  attestation " + a.digest() + " (" + a.predicateType() + ")"
                    + (a.subject().equals(r.digest()) ? "" : " on " + a.subject()));
        }
        return 0;
    }
}
