package dev.kiln.api;

import dev.kiln.assembler.copy.Copies;
import dev.kiln.assembler.deb.PackageMismatchException;
import dev.kiln.oci.Descriptor;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayoutReader;
import dev.kiln.oci.compare.Difference;
import dev.kiln.oci.compare.ImageDiff;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.resolver.spec.SourceLine;
import dev.kiln.resolver.spec.SpecException;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StoreException;
import dev.kiln.trust.Attestations;
import dev.kiln.trust.Signatures;
import dev.kiln.trust.VerificationException;
import dev.kiln.trust.VerificationKey;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** {@link Kiln#verify}: an image rebuilt from its inputs and held against the rebuild. */
final class Verification {
    private Verification() {
    }

    static VerifyResult verify(Session s, VerifyRequest request) {
        // a missing or malformed key is refused now, not after the rebuild
        Optional<String> pem = request.publicKey().map(VerificationKey::readPem);
        Path scratch;
        try {
            scratch = Files.createTempDirectory("kiln-verify-");
        } catch (IOException e) {
            throw new StoreException("cannot make a temporary directory for the rebuild: " + IoErrors.why(e), e);
        }
        try {
            CheckedImage image = CheckedImage.open(request.image(), scratch, s::registryClient);
            s.events.emit(new RebuildEvent(image.described(), image.top().digest().toString()));
            if (!request.freshStore()) {
                VerifyResult r = verify(s, image, request, pem, scratch);
                s.pushCache();
                return r;
            }
            try (Session fresh = s.withStore(scratch.resolve("store"), true)) {
                VerifyResult r = verify(fresh, image, request, pem, scratch);
                fresh.pushCache();
                return r;
            }
        } finally {
            ImageLayout.deleteRecursively(scratch);
        }
    }

    /**
     * Rebuilds {@code image} from the spec and lock it carries (or the request's), at its own epoch,
     * with {@code s}'s store, every package fetched by its pinned sha256; then compares it blob by
     * blob with the rebuild, and the packages its dpkg records name with those the lock pins. With a
     * key, the image must also carry a valid signature by it (in its layout, or for a registry
     * reference in the registry), and the attestations that key signed are reported. Nothing is
     * written outside {@code scratch}.
     */
    private static VerifyResult verify(Session s, CheckedImage image, VerifyRequest request, Optional<String> pem, Path scratch) {
        // first: a changed blob is named as such, before anything reads the image's contents
        ImageBlobs.check(image.layout(), image.top(), image.described());
        Optional<Signatures.Verified> signature;
        try {
            signature = pem.map(key -> image.withReferrers(target -> Signatures.verify(target, image.top().digest(), key)));
        } catch (VerificationException e) {
            throw new CheckFailedException(CheckFailedException.Kind.SIGNATURE, e.getMessage(), e);
        }
        LayoutReader reader = LayoutReader.at(image.layout(), image.top());
        List<Attestations.Verified> attested = new ArrayList<>();
        List<String> unverified = new ArrayList<>();
        pem.ifPresent(key -> attestations(image, reader, key, attested, unverified));
        long epoch;
        Path inputs = scratch.resolve("inputs");
        Path specFile = inputs.resolve("image.yaml");
        Path lockFile = inputs.resolve("image.lock.json");
        try {
            Files.createDirectories(inputs);
            if (request.spec().isPresent()) {
                Files.copy(request.spec().get(), specFile);
                Files.copy(request.lock().orElseThrow(), lockFile);
                epoch = EmbeddedInputs.epoch(reader, image.top());
            } else {
                EmbeddedInputs embedded = EmbeddedInputs.of(reader, image.top());
                Files.write(specFile, embedded.spec());
                Files.write(lockFile, embedded.lock());
                epoch = embedded.epoch();
            }
        } catch (IOException e) {
            throw new StoreException("cannot write the inputs into " + inputs + ": " + IoErrors.why(e), e);
        }
        Lock pinned = Locking.read(lockFile);
        List<InstalledPackages.Mismatch> packages = InstalledPackages.against(reader, image.top(), pinned);
        // copies are pinned inputs: from this store, else from the image itself, each checked by its digest
        ImageCopies.recover(reader, image.top(), pinned, s.store());
        Building.Built rebuilt;
        try {
            Inputs in = Inputs.of(Spec.load(specFile), lockFile, Optional.empty());
            Path repositoryDir = repositoryDir(s, request, pinned);
            if (repositoryDir != null) {
                in = in.withBaseDir(repositoryDir);
            }
            rebuilt = Building.build(s, in, scratch.resolve("rebuilt"), LockMode.FROZEN, Epoch.of(epoch), Copies.Origin.STORE);
        } catch (PackageMismatchException e) {
            // a lock entry relabelled with another version: the image's inputs are not what it says
            StringBuilder m = new StringBuilder(image.described() + " does not hold the packages its lock pins:");
            packages.forEach(p -> m.append("\n  ").append(p.render()));
            String relabelled = e.getMessage().lines().findFirst().orElse(""); // its fix is for a build, not this
            throw new CheckFailedException(m + "\n  " + relabelled
                    + "\n  fix: the lock was edited after kiln made it; verify against the lock kiln wrote, or rebuild the image", e);
        }
        ImageDiff diff = ImageDiff.between(image.layout(), image.top(), rebuilt.layout(), rebuilt.top());
        return new VerifyResult(image.described(), image.top().digest().toString(), rebuilt.top().digest().toString(),
                differences(diff), diff.identical() ? "" : diff.render(),
                packages.stream().map(m -> new VerifyResult.PackageMismatch(m.platform(), m.name(), m.render())).toList(),
                signature.map(v -> new VerifyResult.Signature(v.keyFingerprint(), v.identity(), v.signature().toString())),
                attested.stream().map(a -> new VerifyResult.Attestation(a.predicateType(), a.subject().toString(), a.keyFingerprint(),
                        a.attestation().toString())).toList(),
                unverified);
    }

    /**
     * Where the rebuild finds a relative {@code file:} repository of the spec: the directory of the
     * spec given with the request; for the spec an image carries, the Kiln's context (the directory
     * that spec was in when it was locked). Packages are pinned by sha256, so only their bytes
     * matter, not where they are read from. Without either, a spec with a relative {@code file:}
     * repository is refused, naming it; any other spec needs neither (null: the copy's own directory).
     */
    static Path repositoryDir(Session s, VerifyRequest request, Lock pinned) {
        if (request.spec().isPresent()) {
            return request.spec().get().toAbsolutePath().normalize().getParent();
        }
        if (s.context().isPresent()) {
            return s.context().get().toAbsolutePath().normalize();
        }
        for (Lock.Repository r : pinned.repositories()) {
            SourceLine line = SourceLine.parse(r.line());
            if (line.isRelativeFile()) {
                throw new SpecException(SpecException.Kind.CONTEXT, "the image's spec reads the repository '" + r.line()
                        + "' relative to its directory, and a spec carried by an image has none",
                        "give the directory the spec was in when it was locked as the context of the verification");
            }
        }
        return null;
    }

    static List<ImageDifference> differences(ImageDiff diff) {
        List<ImageDifference> out = new ArrayList<>();
        for (Difference d : diff.differences()) {
            out.add(new ImageDifference(d.where(), d.aspect().name(), d.subject(), d.left(), d.right()));
        }
        return out;
    }

    /**
     * The attestations (provenance, SBOMs) attached to an image and to each of its platform
     * manifests that verify with the key given, into {@code verified}; into {@code unverified}, for
     * each of those images that has attestations of which none verifies with the key, why not
     * (another key's, changed after signing, moved from another image). Attestations are reported,
     * not required: the signature is what the key requires.
     */
    private static void attestations(CheckedImage image, LayoutReader reader, String pem, List<Attestations.Verified> verified,
            List<String> unverified) {
        List<VerificationKey> keys = List.of(VerificationKey.parsePem(pem, "the public key given"));
        List<Digest> subjects = new ArrayList<>();
        subjects.add(image.top().digest());
        for (Descriptor d : reader.images()) {
            if (!subjects.contains(d.digest())) {
                subjects.add(d.digest());
            }
        }
        image.withReferrers(target -> {
            for (Digest subject : subjects) {
                try {
                    verified.addAll(Attestations.verify(target, subject, keys));
                } catch (VerificationException e) {
                    if (e.problem() != VerificationException.Problem.NO_SIGNATURE) {
                        unverified.add(e.getMessage());
                    }
                }
            }
            return null;
        });
    }
}
