package dev.kiln.api.internal.attest;

import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.api.internal.sbom.Purl;
import dev.kiln.assembler.AssembleException;
import dev.kiln.oci.MediaTypes;
import dev.kiln.oci.OciJson;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * An in-toto Statement v1 whose predicate is SLSA provenance v1: which image digests a build made
 * (the top manifest or index and each architecture's manifest), from which spec, and from exactly
 * which inputs — every signed Release with its digest and signers, every package with its purl and
 * sha256. Nothing in it depends on the wall clock or the machine, so two builds of one lock give the
 * same statement, byte for byte.
 *
 * @param subjects what was built, top first
 * @param epoch the image epoch the build used (an internal parameter: it comes from the lock or
 *     {@code SOURCE_DATE_EPOCH})
 */
public record Provenance(Lock lock, List<Subject> subjects, String kilnVersion, long epoch) {
    public static final String STATEMENT_TYPE = "https://in-toto.io/Statement/v1";
    public static final String PREDICATE_TYPE = "https://slsa.dev/provenance/v1";
    /** What a kiln build is: a spec and its lock turned into an OCI image. */
    public static final String BUILD_TYPE = "https://kiln.dev/provenance/oci-image/v1";
    /** kiln itself, as a package URL; the version follows the {@code @}. */
    public static final String BUILDER = "pkg:maven/dev.kiln/kiln-cli";


    /** One built artifact: a name for people and the digest that identifies it. */
    public record Subject(String name, Digest digest) {
        public Subject {
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(digest, "digest");
        }
    }

    public Provenance {
        Objects.requireNonNull(lock, "lock");
        subjects = List.copyOf(subjects);
        Objects.requireNonNull(kilnVersion, "kilnVersion");
        if (subjects.isEmpty()) {
            throw new IllegalArgumentException("a provenance statement needs at least one subject");
        }
    }

    /**
     * The subjects of an image layout as {@code ImageLayout} writes it: the image {@code index.json}
     * names ({@code name}), and when that is an index, each manifest in it ({@code name@linux/amd64}).
     */
    public static List<Subject> subjects(Path layout, String name) {
        dev.kiln.oci.Descriptor top = dev.kiln.oci.LayoutReader.open(layout).top();
        List<Subject> out = new ArrayList<>();
        Digest topDigest = top.digest();
        out.add(new Subject(name, topDigest));
        if (MediaTypes.INDEX.equals(top.mediaType())) {
            JsonNode inner = read(layout.resolve("blobs/sha256").resolve(topDigest.hex()));
            for (JsonNode m : inner.path("manifests")) {
                JsonNode p = m.path("platform");
                String platform = p.path("os").asText("?") + "/" + p.path("architecture").asText("?")
                        + (p.has("variant") ? "/" + p.path("variant").asText() : "");
                out.add(new Subject(name + "@" + platform, digest(m, layout)));
            }
        }
        return out;
    }

    private static Digest digest(JsonNode descriptor, Path layout) {
        try {
            return Digest.parse(descriptor.path("digest").asText());
        } catch (IllegalArgumentException e) {
            throw new AssembleException(layout + ": a descriptor without a sha256 digest: " + descriptor);
        }
    }

    private static JsonNode read(Path file) {
        try {
            return dev.kiln.oci.OciJsonReader.tree(Files.readAllBytes(file), file.toString());
        } catch (IOException e) {
            throw new AssembleException("cannot read " + file + ": " + dev.kiln.store.IoErrors.why(e)
                    + "\n  expected: an OCI image layout as 'kiln build' writes it", e);
        }
    }

    /** The statement in kiln's canonical JSON (sorted keys, no whitespace): the bytes to sign. */
    public byte[] json() {
        return OciJson.canonical(statement());
    }

    /** The statement as maps and lists. */
    public Map<String, Object> statement() {
        Map<String, Object> st = new LinkedHashMap<>();
        st.put("_type", STATEMENT_TYPE);
        List<Object> subject = new ArrayList<>();
        for (Subject s : subjects) {
            subject.add(Map.of("name", s.name(), "digest", Map.of("sha256", s.digest().hex())));
        }
        st.put("subject", subject);
        st.put("predicateType", PREDICATE_TYPE);
        st.put("predicate", Map.of(
                "buildDefinition", Map.of(
                        "buildType", BUILD_TYPE,
                        "externalParameters", Map.of("spec", Map.of(
                                "path", lock.spec().path(),
                                "digest", lock.spec().digest().toString())),
                        "internalParameters", Map.of("epoch", epoch, "lockVersion", (long) lock.lockVersion()),
                        "resolvedDependencies", dependencies()),
                "runDetails", Map.of("builder", Map.of(
                        "id", BUILDER + "@" + kilnVersion,
                        "version", Map.of("kiln", kilnVersion)))));
        return st;
    }

    /** Every signed Release (in the lock's order), then every package file (by name, arch, version), then every local source. */
    private List<Object> dependencies() {
        List<Object> out = new ArrayList<>();
        for (Lock.Repository r : lock.repositories()) {
            Map<String, Object> annotations = new LinkedHashMap<>();
            annotations.put("date", OciJson.time(r.date()));
            r.validUntil().ifPresent(v -> annotations.put("validUntil", OciJson.time(v)));
            annotations.put("signedBy", List.copyOf(r.signedBy()));
            out.add(Map.of(
                    "name", r.line(),
                    "digest", Map.of("sha256", r.release().hex()),
                    "annotations", annotations));
        }
        List<Lock.Package> packages = new ArrayList<>(lock.allPackages());
        packages.sort(Comparator.comparing(Lock.Package::name).thenComparing(Lock.Package::architecture)
                .thenComparing(Lock.Package::version).thenComparing(Lock.Package::sha256));
        for (Lock.Package p : packages) {
            out.add(Map.of(
                    "name", p.name(),
                    "uri", Purl.deb(lock, p),
                    "digest", Map.of("sha256", p.sha256().hex())));
        }
        // local sources by the digest of their listing (the lock's), named by where they go
        for (Lock.Copy l : lock.copies()) {
            out.add(Map.of(
                    "name", l.path(),
                    "digest", Map.of("sha256", l.sha256().hex()),
                    "annotations", Map.of("source", l.source(), "listing", dev.kiln.resolver.lock.CopyListing.FORMAT)));
        }
        return out;
    }
}
