package dev.kiln.trust;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.OciException;
import dev.kiln.oci.Referrers;
import dev.kiln.store.Digest;
import dev.kiln.store.json.StrictJson;
import dev.kiln.trust.VerificationException.Artifact;
import dev.kiln.trust.VerificationException.Problem;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;

/**
 * The walk that signature and attestation verification share: every referrer of one artifact
 * type, every layer of one media type in it, each checked; the valid results, or one
 * {@link VerificationException} that lists why each failed.
 */
final class ReferrerCheck {
    /** One layer of a referrer, read and checked against its digest. */
    record Layer(Descriptor manifest, Descriptor descriptor, byte[] content) {}

    /** Why one layer did not verify. */
    static final class Failure extends Exception {
        private static final long serialVersionUID = 1L;
        final Problem problem;

        Failure(Problem problem, String reason) {
            super(reason, null, false, false);
            this.problem = problem;
        }
    }

    interface Check<T> {
        T check(Layer layer) throws Failure;
    }

    private ReferrerCheck() {}

    /**
     * @param artifact what is looked for: signatures or attestations
     * @param fix what to do when there is none
     */
    static <T> List<T> verify(Referrers target, Digest subject, String artifactType, String layerMediaType,
            Collection<VerificationKey> keys, Artifact artifact, String fix, Check<T> check) {
        String what = artifact.word();
        if (keys.isEmpty()) {
            throw new IllegalArgumentException("no keys to verify with");
        }
        List<Referrers.Referrer> referrers = target.referrers(subject).stream()
                .filter(r -> r.artifactType().equals(artifactType)).toList();
        List<T> valid = new ArrayList<>();
        List<String> reasons = new ArrayList<>();
        Problem worst = Problem.NO_SIGNATURE;
        for (Referrers.Referrer r : referrers) {
            List<Descriptor> layers;
            try {
                layers = layers(target, r.manifest(), layerMediaType);
            } catch (Failure f) {
                reasons.add(what + " " + r.manifest().digest() + ": " + f.getMessage());
                worst = worse(worst, f.problem);
                continue;
            }
            for (Descriptor d : layers) {
                try {
                    valid.add(check.check(new Layer(r.manifest(), d, read(target, d))));
                } catch (Failure f) {
                    reasons.add(what + " " + r.manifest().digest() + ": " + f.getMessage());
                    worst = worse(worst, f.problem);
                }
            }
        }
        if (!valid.isEmpty()) {
            return valid;
        }
        String keyList = keys.stream().map(VerificationKey::fingerprint).collect(Collectors.joining(", "));
        if (reasons.isEmpty()) {
            throw new VerificationException(artifact, Problem.NO_SIGNATURE, "no " + what + " for " + subject + " in "
                    + target.location() + ": no artifact of type " + artifactType + " refers to it\n  fix: " + fix);
        }
        throw new VerificationException(artifact, worst, "no valid " + what + " for " + subject + " in " + target.location()
                + " with key " + keyList + ":\n  - " + String.join("\n  - ", reasons) + "\n  fix: " + fixFor(worst, what));
    }

    private static Problem worse(Problem a, Problem b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    private static String fixFor(Problem problem, String what) {
        return switch (problem) {
            case WRONG_KEY -> "verify with the public key that made the " + what + ", or sign the image with this key";
            case OTHER_DIGEST -> "the " + what + " belongs to another image; sign this image itself";
            case CORRUPTED, NO_SIGNATURE -> "the " + what + " was changed after signing: do not trust the image;"
                    + " sign it again from a trusted build";
        };
    }

    /** The blob, or a failure: a damaged blob is a changed signature, not an error that stops the walk. */
    private static byte[] read(Referrers target, Descriptor d) throws Failure {
        try {
            return target.blob(d);
        } catch (TrustException | OciException e) {
            throw new Failure(Problem.CORRUPTED, e.getMessage().lines().findFirst().orElse(""));
        }
    }

    private static List<Descriptor> layers(Referrers target, Descriptor manifestDescriptor, String mediaType) throws Failure {
        JsonNode manifest;
        try {
            manifest = StrictJson.parse(target.manifest(manifestDescriptor));
        } catch (IllegalArgumentException | TrustException | OciException e) {
            throw new Failure(Problem.CORRUPTED, "an unreadable manifest: " + e.getMessage().lines().findFirst().orElse(""));
        }
        List<Descriptor> layers = new ArrayList<>();
        for (JsonNode l : manifest.path("layers")) {
            if (!mediaType.equals(l.path("mediaType").asText())) {
                continue;
            }
            Map<String, String> annotations = new TreeMap<>();
            l.path("annotations").properties().forEach(e -> annotations.put(e.getKey(), e.getValue().asText()));
            try {
                layers.add(Descriptor.of(mediaType, Digest.parse(l.path("digest").asText("")), l.path("size").asLong(-1))
                        .withAnnotations(annotations));
            } catch (IllegalArgumentException e) {
                throw new Failure(Problem.CORRUPTED, "a malformed layer descriptor: " + e.getMessage());
            }
        }
        if (layers.isEmpty()) {
            throw new Failure(Problem.CORRUPTED, "no layer of type " + mediaType);
        }
        return layers;
    }
}
