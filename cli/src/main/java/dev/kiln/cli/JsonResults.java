package dev.kiln.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.kiln.api.BuildCheckResult;
import dev.kiln.api.BuildResult;
import dev.kiln.api.FetchResult;
import dev.kiln.api.ImageDifference;
import dev.kiln.api.LockCheckResult;
import dev.kiln.api.RecipeBuildResult;
import dev.kiln.api.RecipeLockResult;
import dev.kiln.api.RecipeVerifyResult;
import dev.kiln.api.LockResult;
import dev.kiln.api.OutdatedResult;
import dev.kiln.api.SignResult;
import dev.kiln.api.VerifyResult;
import dev.kiln.api.WhyResult;
import java.io.IOException;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The fields of each command's {@code {"result": ...}} line, from the API's result values: what the
 * plain output says, and the rest of the value where a program may want it. The names are part of
 * kiln's interface (the README lists them): add fields, never rename one.
 */
final class JsonResults {
    private JsonResults() {
    }

    /** {@code kiln outdated --json}: one update of one lock, as an {@code update} line. */
    static void update(JsonGenerator g, OutdatedResult r, OutdatedResult.Update u) throws IOException {
        JsonLines.path(g, "lockFile", r.lockFile());
        g.writeStringField("name", u.name());
        JsonLines.strings(g, "architectures", u.architectures());
        g.writeStringField("lockedVersion", u.lockedVersion());
        g.writeStringField("newVersion", u.newVersion());
        g.writeStringField("repository", u.repository());
        g.writeStringField("suite", u.suite());
        g.writeBooleanField("security", u.security());
        JsonLines.strings(g, "cves", u.cves());
        g.writeStringField("urgency", u.urgency().orElse(null));
        g.writeStringField("changelog", u.changelog().name().toLowerCase(Locale.ROOT));
    }

    /** {@code kiln outdated}: the summary of every lock held against its repositories, and the verdict. */
    static void outdated(JsonGenerator g, List<OutdatedResult> results, String failOn, boolean failed) throws IOException {
        g.writeStringField("failOn", failOn);
        g.writeBooleanField("failed", failed);
        g.writeNumberField("updates", results.stream().mapToLong(r -> r.updates().size()).sum());
        g.writeNumberField("security", results.stream().flatMap(r -> r.updates().stream()).filter(OutdatedResult.Update::security).count());
        g.writeArrayFieldStart("locks");
        for (OutdatedResult r : results) {
            g.writeStartObject();
            JsonLines.path(g, "lockFile", r.lockFile());
            JsonLines.path(g, "spec", r.specFile());
            g.writeNumberField("updates", r.updates().size());
            g.writeNumberField("security", r.updates().stream().filter(OutdatedResult.Update::security).count());
            JsonLines.strings(g, "notes", r.notes());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * {@code kiln lock}: the lock written, per architecture its packages with their count and bytes,
     * the copies, whether it replaced a lock and each pin that moved against that one.
     */
    static void lock(JsonGenerator g, LockResult r) throws IOException {
        JsonLines.path(g, "lockFile", r.lockFile());
        g.writeStringField("specDigest", r.specDigest());
        g.writeObjectFieldStart("archs");
        for (Map.Entry<String, List<LockResult.Package>> e : r.packages().entrySet()) {
            g.writeObjectFieldStart(e.getKey());
            g.writeNumberField("count", e.getValue().size());
            g.writeNumberField("bytes", e.getValue().stream().mapToLong(LockResult.Package::size).sum());
            g.writeArrayFieldStart("packages");
            for (LockResult.Package p : e.getValue()) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                g.writeStringField("version", p.version());
                g.writeStringField("architecture", p.architecture());
                g.writeNumberField("size", p.size());
                g.writeStringField("sha256", p.sha256());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeArrayFieldStart("copies");
        for (LockResult.Copy c : r.copies()) {
            g.writeStartObject();
            g.writeStringField("path", c.path());
            g.writeStringField("source", c.source());
            g.writeStringField("sha256", c.sha256());
            g.writeNumberField("files", c.files());
            g.writeNumberField("size", c.size());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeBooleanField("replaced", r.replaced());
        g.writeArrayFieldStart("changes");
        for (LockResult.Change c : r.changes()) {
            g.writeStartObject();
            g.writeStringField("architecture", c.architecture());
            g.writeStringField("name", c.name());
            g.writeStringField("from", c.from());
            g.writeStringField("to", c.to());
            g.writeStringField("reason", c.reason());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * {@code kiln recipe lock}: whether it was a check and found a lock stale, then per recipe its
     * lock file, package, version, architecture, recipe digest, environment size, source pins and changes.
     */
    static void recipeLock(JsonGenerator g, RecipeLockResult r, boolean check) throws IOException {
        g.writeBooleanField("check", check);
        g.writeBooleanField("stale", r.stale());
        g.writeArrayFieldStart("recipes");
        for (RecipeLockResult.Locked l : r.recipes()) {
            g.writeStartObject();
            JsonLines.path(g, "recipe", l.recipe());
            JsonLines.path(g, "lockFile", l.lockFile());
            g.writeStringField("package", l.packageName());
            g.writeStringField("version", l.version());
            g.writeStringField("architecture", l.architecture());
            g.writeStringField("recipeDigest", l.recipeDigest());
            g.writeNumberField("environmentPackages", l.environmentPackages());
            JsonLines.strings(g, "sources", l.sources());
            JsonLines.strings(g, "changes", l.changes());
            g.writeBooleanField("written", l.written());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /**
     * {@code kiln recipe build}: per recipe its file, package, version, build key, epoch, whether it
     * was remembered, and its packages (name, version, architecture, sha256, size, file); then the
     * repository published, if any.
     */
    static void recipeBuild(JsonGenerator g, RecipeBuildResult r) throws IOException {
        g.writeArrayFieldStart("recipes");
        for (RecipeBuildResult.Built b : r.recipes()) {
            g.writeStartObject();
            JsonLines.path(g, "recipe", b.recipe());
            g.writeStringField("package", b.name());
            g.writeStringField("version", b.version());
            g.writeStringField("buildKey", b.buildKey());
            g.writeNumberField("epoch", b.epoch());
            g.writeBooleanField("remembered", b.remembered());
            g.writeArrayFieldStart("packages");
            for (RecipeBuildResult.PackageFile p : b.packages()) {
                g.writeStartObject();
                g.writeStringField("name", p.name());
                g.writeStringField("version", p.version());
                g.writeStringField("architecture", p.architecture());
                g.writeStringField("sha256", p.sha256());
                g.writeNumberField("size", p.size());
                JsonLines.path(g, "file", p.file());
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeEndObject();
        }
        g.writeEndArray();
        if (r.repository().isPresent()) {
            RecipeBuildResult.Repository repo = r.repository().get();
            g.writeObjectFieldStart("repository");
            JsonLines.path(g, "directory", repo.directory());
            g.writeStringField("suite", repo.suite());
            JsonLines.strings(g, "added", repo.added());
            JsonLines.strings(g, "unchanged", repo.unchanged());
            g.writeBooleanField("changed", repo.changed());
            g.writeStringField("date", repo.date().toString());
            g.writeEndObject();
        }
    }

    /** {@code kiln recipe verify}: what was verified, whether identical, and each package held against its rebuild. */
    static void recipeVerify(JsonGenerator g, RecipeVerifyResult r) throws IOException {
        g.writeStringField("target", r.target());
        g.writeBooleanField("identical", r.identical());
        g.writeNumberField("withoutRecipe", r.withoutRecipe());
        g.writeArrayFieldStart("packages");
        for (RecipeVerifyResult.Checked c : r.packages()) {
            g.writeStartObject();
            g.writeStringField("name", c.name());
            g.writeStringField("version", c.version());
            g.writeStringField("architecture", c.architecture());
            g.writeStringField("buildKey", c.buildKey());
            g.writeStringField("sha256", c.sha256());
            g.writeStringField("rebuilt", c.rebuilt());
            g.writeBooleanField("identical", c.identical());
            JsonLines.strings(g, "differences", c.differences());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** {@code kiln lock --check}: whether the lock is stale, and the diff's lines. */
    static void lockCheck(JsonGenerator g, LockCheckResult r) throws IOException {
        JsonLines.path(g, "lockFile", r.lockFile());
        g.writeBooleanField("stale", r.stale());
        JsonLines.strings(g, "changes", r.changes());
    }

    /**
     * {@code kiln why}: the package, the spec and lock, and per set of architectures that answer alike
     * its status, version, providers, the packages whose dependency on it is skipped, and the chains.
     */
    static void why(JsonGenerator g, WhyResult r) throws IOException {
        g.writeStringField("package", r.packageName());
        JsonLines.path(g, "spec", r.spec());
        JsonLines.path(g, "lockFile", r.lockFile());
        g.writeBooleanField("lockMatchesSpec", r.lockMatchesSpec());
        g.writeBooleanField("inClosure", r.inClosure());
        g.writeArrayFieldStart("answers");
        for (WhyResult.Answer a : r.answers()) {
            g.writeStartObject();
            JsonLines.strings(g, "architectures", a.architectures());
            g.writeStringField("status", a.status().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            g.writeStringField("version", a.version().orElse(null));
            JsonLines.strings(g, "providedBy", a.providedBy());
            JsonLines.strings(g, "skippedBy", a.skippedBy());
            g.writeArrayFieldStart("chains");
            for (WhyResult.Chain c : a.chains()) {
                g.writeStartObject();
                g.writeStringField("root", c.root());
                JsonLines.strings(g, "packages", c.packages());
                g.writeArrayFieldStart("links");
                for (WhyResult.Link l : c.links()) {
                    g.writeStartObject();
                    g.writeStringField("from", l.from());
                    g.writeStringField("to", l.to());
                    g.writeStringField("relation", l.relation());
                    g.writeStringField("alternative", l.alternative().orElse(null));
                    g.writeStringField("provided", l.provided().orElse(null));
                    g.writeEndObject();
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeNumberField("moreChains", a.moreChains());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    /** {@code kiln fetch}: how many files and bytes came over the network and were there already. */
    static void fetch(JsonGenerator g, FetchResult r) throws IOException {
        g.writeNumberField("total", r.total());
        g.writeNumberField("fetched", r.fetched());
        g.writeNumberField("bytesFetched", r.bytesFetched());
        g.writeNumberField("alreadyPresent", r.alreadyPresent());
        g.writeNumberField("bytesAlreadyPresent", r.bytesAlreadyPresent());
        g.writeNumberField("elapsedMs", r.elapsed().toMillis());
    }

    /**
     * {@code kiln build}: the image (top media type and digest, each platform's manifest), the lock
     * and epoch it was made from, the layout with its SBOMs and provenance (null when none was asked
     * for), each archive and each push.
     */
    static void build(JsonGenerator g, BuildResult r) throws IOException {
        g.writeStringField("mediaType", r.mediaType());
        g.writeStringField("digest", r.digest());
        g.writeArrayFieldStart("manifests");
        for (BuildResult.PlatformManifest m : r.manifests()) {
            g.writeStartObject();
            g.writeStringField("platform", m.platform());
            g.writeStringField("digest", m.digest());
            g.writeEndObject();
        }
        g.writeEndArray();
        JsonLines.path(g, "lockFile", r.lockFile());
        g.writeNumberField("epoch", r.epoch());
        BuildResult.LayoutOutput layout = r.outputs().stream().filter(o -> o instanceof BuildResult.LayoutOutput)
                .map(o -> (BuildResult.LayoutOutput) o).findFirst().orElse(null);
        if (layout == null) {
            g.writeNullField("layout");
        } else {
            g.writeObjectFieldStart("layout");
            JsonLines.path(g, "dir", layout.dir());
            JsonLines.strings(g, "sboms", layout.sboms());
            JsonLines.path(g, "provenance", layout.provenance().orElse(null));
            g.writeEndObject();
        }
        g.writeArrayFieldStart("archives");
        for (BuildResult.Output o : r.outputs()) {
            if (o instanceof BuildResult.ArchiveOutput a) {
                g.writeStartObject();
                JsonLines.path(g, "file", a.file());
                g.writeStringField("tag", a.tag());
                g.writeStringField("platform", a.platform().orElse(null));
                g.writeStringField("digest", a.digest());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
        g.writeArrayFieldStart("pushed");
        for (BuildResult.Output o : r.outputs()) {
            if (o instanceof BuildResult.RegistryOutput p) {
                g.writeStartObject();
                g.writeStringField("reference", p.reference());
                g.writeEndObject();
            }
        }
        g.writeEndArray();
    }

    /** {@code kiln build --check}: the verdict, the first build, how the second differed in its making, where the two part. */
    static void buildCheck(JsonGenerator g, BuildCheckResult r) throws IOException {
        g.writeBooleanField("reproducible", r.reproducible());
        g.writeStringField("variation", r.variation());
        g.writeObjectFieldStart("first");
        build(g, r.first());
        g.writeEndObject();
        JsonLines.path(g, "second", r.second().orElse(null));
        differences(g, r.differences());
    }

    /**
     * {@code kiln verify}: the verdict, the image and its rebuild, where they part, the packages its
     * dpkg records and its lock disagree on, the signature and attestations the key made (with a key).
     */
    static void verify(JsonGenerator g, VerifyResult r) throws IOException {
        g.writeBooleanField("verified", r.verified());
        g.writeBooleanField("identical", r.identical());
        g.writeStringField("image", r.image());
        g.writeStringField("digest", r.digest());
        g.writeStringField("rebuilt", r.rebuilt());
        differences(g, r.differences());
        g.writeArrayFieldStart("packages");
        for (VerifyResult.PackageMismatch m : r.packages()) {
            g.writeStartObject();
            g.writeStringField("platform", m.platform());
            g.writeStringField("name", m.name());
            g.writeStringField("description", m.description());
            g.writeEndObject();
        }
        g.writeEndArray();
        if (r.signature().isEmpty()) {
            g.writeNullField("signature");
        } else {
            VerifyResult.Signature s = r.signature().get();
            g.writeObjectFieldStart("signature");
            g.writeStringField("keyFingerprint", s.keyFingerprint());
            g.writeStringField("identity", s.identity());
            g.writeStringField("digest", s.digest());
            g.writeEndObject();
        }
        g.writeArrayFieldStart("attestations");
        for (VerifyResult.Attestation a : r.attestations()) {
            g.writeStartObject();
            g.writeStringField("predicateType", a.predicateType());
            g.writeStringField("subject", a.subject());
            g.writeStringField("keyFingerprint", a.keyFingerprint());
            g.writeStringField("digest", a.digest());
            g.writeEndObject();
        }
        g.writeEndArray();
        JsonLines.strings(g, "unverifiedAttestations", r.unverifiedAttestations());
    }

    /** {@code kiln sign}: the image signed, as what identity, with which key, and what was attached. */
    static void sign(JsonGenerator g, SignResult r) throws IOException {
        g.writeStringField("location", r.location());
        g.writeStringField("digest", r.digest());
        g.writeStringField("identity", r.identity());
        g.writeStringField("keyFingerprint", r.keyFingerprint());
        g.writeStringField("signature", r.signature());
        g.writeArrayFieldStart("attestations");
        for (SignResult.Attestation a : r.attestations()) {
            g.writeStartObject();
            g.writeStringField("digest", a.digest());
            g.writeStringField("predicateType", a.predicateType());
            g.writeStringField("subject", a.subject());
            g.writeEndObject();
        }
        g.writeEndArray();
    }

    private static void differences(JsonGenerator g, List<ImageDifference> differences) throws IOException {
        g.writeArrayFieldStart("differences");
        for (ImageDifference d : differences) {
            g.writeStartObject();
            g.writeStringField("where", d.where());
            g.writeStringField("aspect", d.aspect());
            g.writeStringField("subject", d.subject());
            g.writeStringField("left", d.left());
            g.writeStringField("right", d.right());
            g.writeEndObject();
        }
        g.writeEndArray();
    }
}
