package dev.kiln.resolver.lock;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.resolver.ResolveException;
import dev.kiln.store.Digest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The lockfile's JSON form: keys in a fixed order, two-space indent, {@code \n} line ends, a final
 * newline. The same lock always gives the same bytes.
 */
public final class LockJson {
    private static final JsonFactory FACTORY = new JsonFactory();

    private LockJson() {
    }

    public static byte[] write(Lock lock) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (JsonGenerator g = FACTORY.createGenerator(out)) {
            DefaultIndenter indent = new DefaultIndenter("  ", "\n");
            DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                    .withSeparators(Separators.createDefaultInstance()
                            .withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                    .withObjectIndenter(indent)
                    .withArrayIndenter(indent);
            g.setPrettyPrinter(pp);
            g.writeStartObject();
            g.writeNumberField("lockVersion", lock.lockVersion());
            g.writeObjectFieldStart("spec");
            g.writeStringField("path", lock.spec().path());
            g.writeStringField("digest", lock.spec().digest().toString());
            g.writeEndObject();
            g.writeArrayFieldStart("repositories");
            for (Lock.Repository r : lock.repositories()) {
                g.writeStartObject();
                g.writeStringField("line", r.line());
                g.writeStringField("release", r.release().toString());
                g.writeStringField("date", r.date().toString());
                if (r.validUntil().isPresent()) {
                    g.writeStringField("validUntil", r.validUntil().get().toString());
                }
                g.writeArrayFieldStart("signedBy");
                for (String f : r.signedBy()) {
                    g.writeString(f);
                }
                g.writeEndArray();
                g.writeEndObject();
            }
            g.writeEndArray();
            g.writeObjectFieldStart("options");
            g.writeArrayFieldStart("exclude");
            for (String e : new TreeSet<>(lock.options().exclude())) {
                g.writeString(e);
            }
            g.writeEndArray();
            g.writeObjectFieldStart("skipDependencies");
            for (Map.Entry<String, Set<String>> e : new TreeMap<>(lock.options().skipDependencies()).entrySet()) {
                g.writeArrayFieldStart(e.getKey());
                for (String d : new TreeSet<>(e.getValue())) {
                    g.writeString(d);
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeBooleanField("recommends", lock.options().recommends());
            g.writeEndObject();
            if (!lock.localSources().isEmpty()) {
                // only when the spec copies something, so that other locks keep their bytes
                g.writeArrayFieldStart("localSources");
                for (Lock.LocalSource s : lock.localSources()) {
                    g.writeStartObject();
                    g.writeStringField("path", s.path());
                    g.writeStringField("source", s.source());
                    g.writeStringField("sha256", s.sha256().hex());
                    g.writeNumberField("files", s.files());
                    g.writeNumberField("size", s.size());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeObjectFieldStart("archs");
            for (Map.Entry<String, List<Lock.Package>> a : lock.archs().entrySet()) {
                g.writeArrayFieldStart(a.getKey());
                for (Lock.Package p : a.getValue()) {
                    g.writeStartObject();
                    g.writeStringField("name", p.name());
                    g.writeStringField("version", p.version());
                    g.writeStringField("architecture", p.architecture());
                    g.writeStringField("source", p.source());
                    g.writeStringField("path", p.path());
                    g.writeNumberField("size", p.size());
                    g.writeStringField("sha256", p.sha256().hex());
                    g.writeNumberField("repository", p.repository());
                    g.writeEndObject();
                }
                g.writeEndArray();
            }
            g.writeEndObject();
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    public static Lock read(byte[] json, String what) {
        JsonNode root;
        try {
            root = JsonTree.read(json);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            var at = e.getLocation();
            String where = at == null || at.getLineNr() < 1 ? "" : " (line " + at.getLineNr() + ", column " + at.getColumnNr() + ")";
            String text = new String(json, 0, Math.min(json.length, 1 << 16), java.nio.charset.StandardCharsets.ISO_8859_1);
            boolean aSpec = what.endsWith(".yaml") || what.endsWith(".yml") || text.startsWith("contents:") || text.contains("\ncontents:");
            throw new ResolveException(what + ": not a valid JSON lockfile: " + e.getOriginalMessage() + where
                    + (aSpec ? "\n  this looks like an image spec\n  fix: give its lock, SPEC.lock.json beside it ('kiln lock SPEC'"
                            + " writes it)" : "\n  fix: regenerate it with 'kiln lock'"));
        } catch (IOException e) {
            throw new ResolveException(what + ": not a valid JSON lockfile: " + dev.kiln.store.IoErrors.why(e)
                    + "\n  fix: regenerate it with 'kiln lock'");
        }
        try {
            int version = (int) number(root, "lockVersion", what, Integer.MIN_VALUE, Integer.MAX_VALUE);
            if (version != Lock.VERSION) {
                throw new ResolveException(what + ": lockVersion " + version + " is not one this kiln reads (expected "
                        + Lock.VERSION + ")\n  fix: regenerate it with 'kiln lock'");
            }
            JsonNode spec = req(root, "spec", what);
            Lock.Spec s = new Lock.Spec(req(spec, "path", what).asText(), Digest.parse(req(spec, "digest", what).asText()));
            List<Lock.Repository> repos = new ArrayList<>();
            for (JsonNode r : req(root, "repositories", what)) {
                List<String> signers = new ArrayList<>();
                for (JsonNode f : req(r, "signedBy", what)) {
                    signers.add(f.asText());
                }
                repos.add(new Lock.Repository(req(r, "line", what).asText(),
                        Digest.parse(req(r, "release", what).asText()),
                        Instant.parse(req(r, "date", what).asText()),
                        r.has("validUntil") ? Optional.of(Instant.parse(r.get("validUntil").asText())) : Optional.empty(),
                        signers));
            }
            JsonNode o = req(root, "options", what);
            Set<String> exclude = new TreeSet<>();
            for (JsonNode e : req(o, "exclude", what)) {
                exclude.add(e.asText());
            }
            Map<String, Set<String>> skip = new LinkedHashMap<>();
            Iterator<Map.Entry<String, JsonNode>> it = req(o, "skipDependencies", what).properties().iterator();
            while (it.hasNext()) {
                Map.Entry<String, JsonNode> e = it.next();
                Set<String> deps = new TreeSet<>();
                for (JsonNode d : e.getValue()) {
                    deps.add(d.asText());
                }
                skip.put(e.getKey(), deps);
            }
            Lock.Options options = new Lock.Options(exclude, skip, bool(o, "recommends", what));
            TreeMap<String, List<Lock.Package>> archs = new TreeMap<>();
            Iterator<Map.Entry<String, JsonNode>> ai = req(root, "archs", what).properties().iterator();
            while (ai.hasNext()) {
                Map.Entry<String, JsonNode> a = ai.next();
                List<Lock.Package> ps = new ArrayList<>();
                for (JsonNode p : a.getValue()) {
                    int repo = (int) number(p, "repository", what, Integer.MIN_VALUE, Integer.MAX_VALUE);
                    if (repo < 0 || repo >= repos.size()) {
                        throw new ResolveException(what + ": package " + p.path("name").asText()
                                + " names repository " + repo + ", but the lock has " + repos.size());
                    }
                    ps.add(new Lock.Package(req(p, "name", what).asText(), req(p, "version", what).asText(),
                            req(p, "architecture", what).asText(), req(p, "source", what).asText(),
                            req(p, "path", what).asText(), number(p, "size", what, Long.MIN_VALUE, Long.MAX_VALUE),
                            Digest.parse(req(p, "sha256", what).asText()), repo));
                }
                archs.put(a.getKey(), ps);
            }
            List<Lock.LocalSource> sources = new ArrayList<>();
            JsonNode ls = root.get("localSources");
            if (ls != null) {
                if (!ls.isArray()) {
                    throw new ResolveException(what + ": expected a list in 'localSources', found " + ls
                            + "\n  fix: regenerate it with 'kiln lock'");
                }
                for (JsonNode l : ls) {
                    sources.add(new Lock.LocalSource(req(l, "path", what).asText(), req(l, "source", what).asText(),
                            Digest.parse(req(l, "sha256", what).asText()),
                            (int) number(l, "files", what, 0, Integer.MAX_VALUE), number(l, "size", what, 0, Long.MAX_VALUE)));
                }
            }
            return new Lock(version, s, repos, options, archs, sources);
        } catch (IllegalArgumentException | DateTimeParseException e) {
            throw new ResolveException(what + ": a malformed value in the lockfile: " + e.getMessage()
                    + "\n  fix: regenerate it with 'kiln lock'");
        }
    }

    private static JsonNode req(JsonNode n, String key, String what) {
        JsonNode v = n.get(key);
        if (v == null || v.isNull()) {
            throw new ResolveException(what + ": the lockfile lacks '" + key + "'\n  fix: regenerate it with 'kiln lock'");
        }
        return v;
    }

    /** Jackson's asInt/asLong turn a string into 0; a lockfile value that is not a whole number is an error. */
    private static long number(JsonNode n, String key, String what, long min, long max) {
        JsonNode v = req(n, key, what);
        if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
            throw new ResolveException(what + ": expected a whole number in '" + key + "', found " + v
                    + "\n  fix: regenerate it with 'kiln lock'");
        }
        return v.asLong();
    }

    private static boolean bool(JsonNode n, String key, String what) {
        JsonNode v = req(n, key, what);
        if (!v.isBoolean()) {
            throw new ResolveException(what + ": expected true or false in '" + key + "', found " + v
                    + "\n  fix: regenerate it with 'kiln lock'");
        }
        return v.asBoolean();
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
