package dev.kiln.builder.recipe;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.util.DefaultIndenter;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.core.util.Separators;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.kiln.builder.RecipeException;
import dev.kiln.builder.source.SourcePin;
import dev.kiln.resolver.ResolveException;
import dev.kiln.resolver.lock.LockJson;
import dev.kiln.store.Digest;
import dev.kiln.store.json.JsonTree;
import dev.kiln.store.json.MalformedJsonException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The recipe lock's JSON form: keys in a fixed order, two-space indent, {@code \n} line ends, a final
 * newline; the same lock always gives the same bytes. The environment is the image lock exactly as
 * {@link LockJson} writes it, nested.
 *
 * <pre>{@code
 * {
 *   "recipeLockVersion": 1,
 *   "recipe": {"path": "hello.yaml", "digest": "sha256:..."},
 *   "architecture": "amd64",
 *   "sources": [
 *     {"key": "pipeline[0]", "type": "fetch", "uri": "${DEBIAN_MIRROR}/...", "sha256": "...", "sha512": "...", "size": 725946},
 *     {"key": "pipeline[1]", "type": "git", "repository": "...", "ref": "refs/tags/v1", "commit": "...", "tree": "sha256:..."},
 *     {"key": "pipeline[2]", "type": "local", "path": "./patches", "listing": "sha256:...", "files": 2, "size": 812}
 *   ],
 *   "environment": { ...an image lock... }
 * }
 * }</pre>
 */
public final class RecipeLockJson {
    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final ObjectMapper MAPPER = new ObjectMapper();
    private static final Pattern HEX64 = Pattern.compile("[0-9a-f]{64}");
    private static final Pattern HEX128 = Pattern.compile("[0-9a-f]{128}");

    private RecipeLockJson() {
    }

    public static byte[] write(RecipeLock lock) {
        ObjectNode root = NODES.objectNode();
        root.put("recipeLockVersion", lock.environment().fromRecipes().isEmpty() ? RecipeLock.VERSION : RecipeLock.VERSION_WITH_RECIPE_PINS);
        ObjectNode recipe = root.putObject("recipe");
        recipe.put("path", lock.recipePath());
        recipe.put("digest", lock.recipeDigest().toString());
        root.put("architecture", lock.architecture());
        ArrayNode sources = root.putArray("sources");
        for (SourcePin p : lock.sources()) {
            ObjectNode s = sources.addObject();
            s.put("key", p.key());
            if (p instanceof SourcePin.Fetch f) {
                s.put("type", "fetch");
                s.put("uri", f.uri());
                s.put("sha256", f.sha256().hex());
                f.sha512().ifPresent(h -> s.put("sha512", h));
                s.put("size", f.size());
            } else if (p instanceof SourcePin.Git g) {
                s.put("type", "git");
                s.put("repository", g.repository());
                s.put("ref", g.ref());
                s.put("commit", g.commit());
                s.put("tree", g.tree().toString());
            } else {
                SourcePin.Local l = (SourcePin.Local) p;
                s.put("type", "local");
                s.put("path", l.path());
                s.put("listing", l.listing().toString());
                s.put("files", l.files());
                s.put("size", l.size());
            }
        }
        try {
            root.set("environment", JsonTree.read(LockJson.write(lock.environment())));
        } catch (MalformedJsonException e) {
            throw new IllegalStateException("LockJson writes JSON", e);
        }
        DefaultIndenter indent = new DefaultIndenter("  ", "\n");
        DefaultPrettyPrinter pp = new DefaultPrettyPrinter()
                .withSeparators(Separators.createDefaultInstance().withObjectFieldValueSpacing(Separators.Spacing.AFTER))
                .withObjectIndenter(indent)
                .withArrayIndenter(indent);
        try {
            byte[] json = MAPPER.writer(pp).writeValueAsBytes(root);
            byte[] out = java.util.Arrays.copyOf(json, json.length + 1);
            out[json.length] = '\n';
            return out;
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a tree of strings and numbers always encodes", e);
        }
    }

    /** Reads a recipe lock; {@code what} names it in errors, which are of kind {@code recipe.lock}. */
    public static RecipeLock read(byte[] json, String what) {
        JsonNode root;
        try {
            root = JsonTree.read(json);
        } catch (MalformedJsonException e) {
            throw invalid(what, "not valid JSON: " + e.getMessage());
        }
        if (!root.isObject()) {
            throw invalid(what, "expected a JSON object");
        }
        int version = (int) number(root, "recipeLockVersion", what);
        if (version != RecipeLock.VERSION && version != RecipeLock.VERSION_WITH_RECIPE_PINS) {
            throw invalid(what, "recipeLockVersion " + version + " is not one this kiln reads (expected " + RecipeLock.VERSION + " or "
                    + RecipeLock.VERSION_WITH_RECIPE_PINS + ")");
        }
        JsonNode recipe = object(root, "recipe", what);
        String path = text(recipe, "path", what);
        Digest digest = digest(recipe, "digest", what);
        String arch = text(root, "architecture", what);
        JsonNode sourcesNode = root.get("sources");
        if (sourcesNode == null || !sourcesNode.isArray()) {
            throw invalid(what, "sources: expected a list");
        }
        List<SourcePin> sources = new ArrayList<>();
        for (JsonNode s : sourcesNode) {
            if (!s.isObject()) {
                throw invalid(what, "sources: expected objects");
            }
            String key = text(s, "key", what);
            String type = text(s, "type", what);
            switch (type) {
                case "fetch" -> {
                    String sha256 = text(s, "sha256", what);
                    if (!HEX64.matcher(sha256).matches()) {
                        throw invalid(what, key + ".sha256: expected 64 hex digits, found '" + sha256 + "'");
                    }
                    Optional<String> sha512 = s.has("sha512") ? Optional.of(text(s, "sha512", what)) : Optional.empty();
                    if (sha512.isPresent() && !HEX128.matcher(sha512.get()).matches()) {
                        throw invalid(what, key + ".sha512: expected 128 hex digits");
                    }
                    sources.add(new SourcePin.Fetch(key, text(s, "uri", what), Digest.parse("sha256:" + sha256), sha512,
                            number(s, "size", what)));
                }
                case "git" -> sources.add(new SourcePin.Git(key, text(s, "repository", what), text(s, "ref", what), text(s, "commit", what),
                        digest(s, "tree", what)));
                case "local" -> sources.add(new SourcePin.Local(key, text(s, "path", what), digest(s, "listing", what),
                        (int) number(s, "files", what), number(s, "size", what)));
                default -> throw invalid(what, key + ": unknown source type '" + type + "' (expected fetch, git or local)");
            }
        }
        JsonNode env = object(root, "environment", what);
        try {
            var environment = LockJson.read(dev.kiln.store.json.StrictJson.MAPPER.writeValueAsBytes(env), what + " (environment)");
            if ((version == RecipeLock.VERSION_WITH_RECIPE_PINS) == environment.fromRecipes().isEmpty()) {
                throw invalid(what, "recipeLockVersion " + version + (version == RecipeLock.VERSION ? " with" : " without")
                        + " packages from recipes (environment.fromRecipes): version " + RecipeLock.VERSION_WITH_RECIPE_PINS
                        + " is the version of a lock that has them");
            }
            return new RecipeLock(version, path, digest, arch, environment, sources);
        } catch (ResolveException e) {
            throw new RecipeException(RecipeException.Kind.LOCK, e.getMessage(), e);
        } catch (JsonProcessingException e) {
            throw invalid(what, "environment: " + e.getMessage());
        }
    }

    private static JsonNode object(JsonNode parent, String key, String what) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isObject()) {
            throw invalid(what, key + ": expected an object");
        }
        return n;
    }

    private static String text(JsonNode parent, String key, String what) {
        JsonNode n = parent.get(key);
        if (n == null || !n.isTextual()) {
            throw invalid(what, key + ": expected text, found " + (n == null ? "nothing" : n.getNodeType().name().toLowerCase(java.util.Locale.ROOT)));
        }
        return n.textValue();
    }

    private static long number(JsonNode parent, String key, String what) {
        JsonNode n = parent.get(key);
        if (n == null || !n.canConvertToLong() || !n.isIntegralNumber() || n.longValue() < 0) {
            throw invalid(what, key + ": expected a whole number");
        }
        return n.longValue();
    }

    private static Digest digest(JsonNode parent, String key, String what) {
        String t = text(parent, key, what);
        try {
            return Digest.parse(t);
        } catch (IllegalArgumentException e) {
            throw invalid(what, key + ": expected sha256:HEX, found '" + t + "'");
        }
    }

    private static RecipeException invalid(String what, String problem) {
        return new RecipeException(RecipeException.Kind.LOCK, what + ": " + problem + "\n  fix: lock the recipe again, which replaces it");
    }
}
