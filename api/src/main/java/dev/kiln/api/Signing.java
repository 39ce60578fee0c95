package dev.kiln.api;

import dev.kiln.oci.LayoutReferrers;
import dev.kiln.oci.registry.ImageReference;
import dev.kiln.oci.registry.RegistryClient;
import dev.kiln.oci.registry.RegistryReferrers;
import dev.kiln.trust.Attestations;
import dev.kiln.trust.ImageSigning;
import dev.kiln.trust.SigningKey;
import dev.kiln.trust.TrustException;
import java.util.List;

/** {@link Kiln#sign}: a signature and attestations attached to an image in a layout or a registry. */
final class Signing {
    private Signing() {
    }

    static SignResult sign(Session s, SignRequest request) {
        SigningKey key = SigningKey.read(request.key().orElseThrow(() -> new IllegalArgumentException(
                "name the private key: SignRequest.withKey(FILE)")), request.password());
        ImageSigning.Documents documents = new ImageSigning.Documents(request.attestations(), request.sboms());
        ImageSigning.Result r;
        if (request.image() instanceof ImageRef.Layout l) {
            LayoutReferrers target = LayoutReferrers.open(l.dir());
            r = ImageSigning.sign(target, target.image(l.name()),
                    request.identity().orElseGet(() -> ImageSigning.defaultIdentity(target.dir())), key, documents);
        } else if (request.image() instanceof ImageRef.Registry g) {
            ImageReference reference = ImageReference.parse(g.reference());
            try (RegistryClient client = s.registryClient()) {
                RegistryReferrers target = RegistryReferrers.of(client, reference);
                r = ImageSigning.sign(target, target.image(reference), request.identity().orElse(reference.name()), key, documents);
            }
        } else {
            throw new TrustException(request.image().describe() + " is a docker archive, which holds no signatures"
                    + "\n  fix: sign the image in its layout directory or in a registry");
        }
        List<SignResult.Attestation> attestations = r.attestations().stream().map((Attestations.Attested a) ->
                new SignResult.Attestation(a.attestation().digest().toString(), a.predicateType(), a.subject().digest().toString()))
                .toList();
        return new SignResult(r.location(), r.image().digest().toString(), r.signature().identity(), r.signature().keyFingerprint(),
                r.signature().signature().digest().toString(), attestations);
    }
}
