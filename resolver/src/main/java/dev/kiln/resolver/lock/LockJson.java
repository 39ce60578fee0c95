package dev.kiln.resolver.lock;

import static dev.kiln.resolver.ResolveException.Kind.LOCK_INVALID;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import dev.kiln.resolver.ResolveException;
import dev.kiln.store.Digest;
import dev.kiln.store.json.JsonTree;
import dev.kiln.store.json.MalformedJsonException;
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
                if (r.distribution().isPresent()) {
                    // optional: locks made before it was recorded still read, and mean "not known"
                    Lock.Distribution d = r.distribution().get();
                    g.writeObjectFieldStart("distribution");
                    g.writeStringField("origin", d.origin());
                    g.writeStringField("codename", d.codename());
                    g.writeStringField("version", d.version());
                    g.writeEndObject();
                }
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
            if (!lock.copies().isEmpty()) {
                // only when the spec copies something, so that other locks keep their bytes
                g.writeArrayFieldStart("localSources");
                for (Lock.Copy s : lock.copies()) {
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
            if (!lock.fromRecipes().isEmpty()) {
                // only in a recipe's lock that takes packages other recipes make: every other lock keeps its bytes
                g.writeObjectFieldStart("fromRecipes");
                for (Map.Entry<String, List<Lock.FromRecipe>> a : lock.fromRecipes().entrySet()) {
                    g.writeArrayFieldStart(a.getKey());
                    for (Lock.FromRecipe p : a.getValue()) {
                        g.writeStartObject();
                        g.writeStringField("name", p.name());
                        g.writeStringField("version", p.version());
                        g.writeStringField("architecture", p.architecture());
                        g.writeObjectFieldStart("recipe");
                        g.writeStringField("name", p.recipe());
                        g.writeStringField("digest", p.recipeDigest().toString());
                        g.writeEndObject();
                        if (p.built().isPresent()) {
                            g.writeNumberField("size", p.built().get().size());
                            g.writeStringField("sha256", p.built().get().sha256().hex());
                        }
                        g.writeEndObject();
                    }
                    g.writeEndArray();
                }
                g.writeEndObject();
            }
            g.writeEndObject();
        } catch (IOException e) {
            throw new IllegalStateException("writing JSON to memory cannot fail", e);
        }
        out.write('\n');
        return out.toByteArray();
    }

    /**
     * Reads a lockfile; {@code what} names it in errors. Every key must be there with its type (text,
     * a whole number, true or false, a list, an object); each error names the file, the key and where
     * it is, what was expected and what was found.
     */
    public static Lock read(byte[] json, String what) {
        JsonNode root;
        try {
            root = JsonTree.read(json);
        } catch (MalformedJsonException e) {
            String text = new String(json, 0, Math.min(json.length, 1 << 16), StandardCharsets.ISO_8859_1);
            boolean aSpec = what.endsWith(".yaml") || what.endsWith(".yml") || text.startsWith("contents:") || text.contains("\ncontents:");
            throw new ResolveException(LOCK_INVALID, what + ": not a valid JSON lockfile: " + e.getMessage()
                    + (aSpec ? "\n  this looks like an image spec\n  fix: give its lock, SPEC.lock.json beside it (resolving"
                            + " the spec writes it: 'kiln lock')" : REGENERATE));
        }
        Fields f = new Fields(what);
        f.object(root, "the lockfile");
        int version = (int) f.number(root, "lockVersion", "", Integer.MIN_VALUE, Integer.MAX_VALUE);
        if (version != Lock.VERSION) {
            throw new ResolveException(LOCK_INVALID, what + ": lockVersion " + version + " is not one this kiln reads (expected "
                    + Lock.VERSION + ")" + REGENERATE);
        }
        JsonNode spec = f.object(root, "spec", "");
        Lock.Spec s = new Lock.Spec(f.text(spec, "path", "spec"), f.digest(spec, "digest", "spec"));
        List<Lock.Repository> repos = new ArrayList<>();
        JsonNode repositories = f.list(root, "repositories", "");
        for (int i = 0; i < repositories.size(); i++) {
            String in = "repositories[" + i + "]";
            JsonNode r = f.object(repositories.get(i), in);
            List<String> signers = f.texts(r, "signedBy", in);
            Optional<Instant> validUntil = r.has("validUntil") ? Optional.of(f.time(r, "validUntil", in)) : Optional.empty();
            Optional<Lock.Distribution> distribution = Optional.empty();
            if (r.has("distribution")) {
                String at = in + ".distribution";
                JsonNode d = f.object(r, "distribution", in);
                distribution = Optional.of(new Lock.Distribution(f.text(d, "origin", at), f.text(d, "codename", at),
                        f.text(d, "version", at)));
            }
            repos.add(new Lock.Repository(f.text(r, "line", in), f.digest(r, "release", in), f.time(r, "date", in),
                    validUntil, signers, distribution));
        }
        JsonNode o = f.object(root, "options", "");
        Set<String> exclude = new TreeSet<>(f.texts(o, "exclude", "options"));
        Map<String, Set<String>> skip = new LinkedHashMap<>();
        JsonNode skipNode = f.object(o, "skipDependencies", "options");
        Iterator<String> names = skipNode.fieldNames();
        while (names.hasNext()) {
            String name = names.next();
            skip.put(name, new TreeSet<>(f.texts(skipNode, name, "options.skipDependencies")));
        }
        Lock.Options options = new Lock.Options(exclude, skip, f.bool(o, "recommends", "options"));
        TreeMap<String, List<Lock.Package>> archs = new TreeMap<>();
        JsonNode archsNode = f.object(root, "archs", "");
        Iterator<String> ai = archsNode.fieldNames();
        while (ai.hasNext()) {
            String arch = ai.next();
            JsonNode list = f.list(archsNode, arch, "archs");
            List<Lock.Package> ps = new ArrayList<>();
            for (int i = 0; i < list.size(); i++) {
                String in = "archs." + arch + "[" + i + "]";
                JsonNode p = f.object(list.get(i), in);
                int repo = (int) f.number(p, "repository", in, Integer.MIN_VALUE, Integer.MAX_VALUE);
                if (repo < 0 || repo >= repos.size()) {
                    throw new ResolveException(LOCK_INVALID, what + ": package " + p.path("name").asText()
                            + " names repository " + repo + ", but the lock has " + repos.size() + REGENERATE);
                }
                ps.add(new Lock.Package(f.text(p, "name", in), f.text(p, "version", in), f.text(p, "architecture", in),
                        f.text(p, "source", in), f.text(p, "path", in), f.number(p, "size", in, Long.MIN_VALUE, Long.MAX_VALUE),
                        f.digest(p, "sha256", in), repo));
            }
            archs.put(arch, ps);
        }
        List<Lock.Copy> sources = new ArrayList<>();
        if (root.has("localSources")) {
            JsonNode ls = f.list(root, "localSources", "");
            for (int i = 0; i < ls.size(); i++) {
                String in = "localSources[" + i + "]";
                JsonNode l = f.object(ls.get(i), in);
                sources.add(new Lock.Copy(f.text(l, "path", in), f.text(l, "source", in), f.digest(l, "sha256", in),
                        (int) f.number(l, "files", in, 0, Integer.MAX_VALUE), f.number(l, "size", in, 0, Long.MAX_VALUE)));
            }
        }
        TreeMap<String, List<Lock.FromRecipe>> fromRecipes = new TreeMap<>();
        if (root.has("fromRecipes")) {
            JsonNode fr = f.object(root, "fromRecipes", "");
            Iterator<String> fi = fr.fieldNames();
            while (fi.hasNext()) {
                String arch = fi.next();
                JsonNode list = f.list(fr, arch, "fromRecipes");
                List<Lock.FromRecipe> ps = new ArrayList<>();
                for (int i = 0; i < list.size(); i++) {
                    String in = "fromRecipes." + arch + "[" + i + "]";
                    JsonNode p = f.object(list.get(i), in);
                    JsonNode r = f.object(p, "recipe", in);
                    Optional<Lock.FromRecipe.Built> built = p.has("sha256")
                            ? Optional.of(new Lock.FromRecipe.Built(f.digest(p, "sha256", in), f.number(p, "size", in, 0, Long.MAX_VALUE)))
                            : Optional.empty();
                    ps.add(new Lock.FromRecipe(f.text(p, "name", in), f.text(p, "version", in), f.text(p, "architecture", in),
                            f.text(r, "name", in + ".recipe"), f.digest(r, "digest", in + ".recipe"), built));
                }
                fromRecipes.put(arch, ps);
            }
        }
        return new Lock(version, s, repos, options, archs, sources, fromRecipes);
    }

    private static final String REGENERATE = "\n  fix: resolve the spec again to regenerate it ('kiln lock')";

    /** Typed reads of a lockfile's keys; {@code in} says where a key is ({@code archs.amd64[3]}), "" at the top. */
    private record Fields(String what) {
        JsonNode req(JsonNode n, String key, String in) {
            JsonNode v = n.get(key);
            if (v == null || v.isNull()) {
                throw new ResolveException(LOCK_INVALID,
                        what + ": the lockfile lacks '" + key + "'" + (in.isEmpty() ? "" : " in " + in) + REGENERATE);
            }
            return v;
        }

        private ResolveException wrong(String expected, String key, String in, JsonNode found) {
            String value = found.toString();
            if (value.length() > 60) {
                value = value.substring(0, 60) + "...";
            }
            return new ResolveException(LOCK_INVALID,
                    what + ": expected " + expected + " in '" + key + "'" + (in.isEmpty() ? "" : " of " + in)
                    + ", found " + value + REGENERATE);
        }

        JsonNode object(JsonNode v, String in) {
            if (!v.isObject()) {
                String value = v.toString();
                throw new ResolveException(LOCK_INVALID, what + ": expected an object for " + in + ", found "
                        + (value.length() > 60 ? value.substring(0, 60) + "..." : value) + REGENERATE);
            }
            return v;
        }

        JsonNode object(JsonNode n, String key, String in) {
            JsonNode v = req(n, key, in);
            if (!v.isObject()) {
                throw wrong("an object", key, in, v);
            }
            return v;
        }

        JsonNode list(JsonNode n, String key, String in) {
            JsonNode v = req(n, key, in);
            if (!v.isArray()) {
                throw wrong("a list", key, in, v);
            }
            return v;
        }

        String text(JsonNode n, String key, String in) {
            JsonNode v = req(n, key, in);
            if (!v.isTextual()) {
                throw wrong("text", key, in, v);
            }
            return v.asText();
        }

        List<String> texts(JsonNode n, String key, String in) {
            JsonNode v = list(n, key, in);
            List<String> out = new ArrayList<>();
            for (JsonNode e : v) {
                if (!e.isTextual()) {
                    throw wrong("a list of text", key, in, v);
                }
                out.add(e.asText());
            }
            return out;
        }

        Digest digest(JsonNode n, String key, String in) {
            String text = text(n, key, in);
            try {
                return Digest.parse(text);
            } catch (IllegalArgumentException e) {
                throw new ResolveException(LOCK_INVALID,
                        what + ": a malformed value in '" + key + "'" + (in.isEmpty() ? "" : " of " + in)
                        + ": " + e.getMessage() + REGENERATE);
            }
        }

        Instant time(JsonNode n, String key, String in) {
            String text = text(n, key, in);
            try {
                return Instant.parse(text);
            } catch (DateTimeParseException e) {
                throw new ResolveException(LOCK_INVALID,
                        what + ": a malformed value in '" + key + "'" + (in.isEmpty() ? "" : " of " + in)
                        + ": expected a UTC time like 2024-06-29T09:41:37Z, found '" + text + "'" + REGENERATE);
            }
        }

        /** Jackson's asInt/asLong turn a string into 0; a lockfile value that is not a whole number is an error. */
        long number(JsonNode n, String key, String in, long min, long max) {
            JsonNode v = req(n, key, in);
            if (!v.isIntegralNumber() || !v.canConvertToLong() || v.asLong() < min || v.asLong() > max) {
                throw wrong("a whole number" + (min == 0 ? " of 0 or more" : ""), key, in, v);
            }
            return v.asLong();
        }

        boolean bool(JsonNode n, String key, String in) {
            JsonNode v = req(n, key, in);
            if (!v.isBoolean()) {
                throw wrong("true or false", key, in, v);
            }
            return v.asBoolean();
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
