package dev.kiln.api;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.build.RecipeBuilder;
import dev.kiln.builder.recipe.Recipe;
import dev.kiln.builder.recipe.RecipeLock;
import dev.kiln.builder.recipe.RecipeLockJson;
import dev.kiln.builder.recipe.RecipeLocking;
import dev.kiln.builder.recipe.RecipeParser;
import dev.kiln.builder.verify.CarriedRecipe;
import dev.kiln.builder.verify.DebDiff;
import dev.kiln.oci.ImageLayout;
import dev.kiln.oci.LayoutReader;
import dev.kiln.resolver.lock.Lock;
import dev.kiln.store.Digest;
import dev.kiln.store.IoErrors;
import dev.kiln.store.StoreException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code kiln recipe verify}: a recipe-built package rebuilt from the recipe and lock it carries, in
 * a fresh store and sandbox, and compared byte for byte; for an image, every package of its lock
 * that carries a recipe.
 */
final class RecipeVerifying {
    private RecipeVerifying() {
    }

    static RecipeVerifyResult verify(Session s, RecipeVerifyRequest request) {
        Path scratch;
        try {
            scratch = Files.createTempDirectory("kiln-recipe-verify-");
        } catch (IOException e) {
            throw new StoreException("cannot make a temporary directory for the rebuild: " + IoErrors.why(e), e);
        }
        try (Session fresh = s.withStore(scratch.resolve("store"), false)) {
            if (request.deb().isPresent()) {
                Path deb = request.deb().get();
                CarriedRecipe c = CarriedRecipe.read(deb).orElseThrow(() -> new RecipeException(RecipeException.Kind.PACKAGE,
                        deb + " carries no recipe: it was not built by kiln from a recipe"
                        + "\n  expected: the control members " + RecipeBuilder.RECIPE_MEMBER + " and " + RecipeBuilder.LOCK_MEMBER));
                return new RecipeVerifyResult(deb.toString(), List.of(check(fresh, request, deb, c, scratch)), 0);
            }
            return image(fresh, request, scratch);
        } finally {
            ImageLayout.deleteRecursively(scratch);
        }
    }

    /** Every package of the image's lock for the architecture that carries a recipe, fetched by its sha256 and checked. */
    private static RecipeVerifyResult image(Session s, RecipeVerifyRequest request, Path scratch) {
        CheckedImage image = CheckedImage.open(request.image().get(), scratch, s::registryClient);
        ImageBlobs.check(image.layout(), image.top(), image.described());
        LayoutReader reader = LayoutReader.at(image.layout(), image.top());
        EmbeddedInputs embedded = EmbeddedInputs.of(reader, image.top());
        Path lockFile = scratch.resolve("inputs").resolve("image.lock.json");
        try {
            Files.createDirectories(lockFile.getParent());
            Files.write(lockFile, embedded.lock());
        } catch (IOException e) {
            throw new StoreException("cannot write the image's lock into " + scratch + ": " + IoErrors.why(e), e);
        }
        Lock lock = Locking.read(lockFile);
        Path repositories = Verification.repositoryDir(s, VerifyRequest.of(request.image().get()), lock);
        Fetching.fetch(s, lockFile, lock, false, repositories != null ? repositories : lockFile.getParent());
        List<RecipeVerifyResult.Checked> checked = new ArrayList<>();
        int without = 0;
        for (Lock.Package p : lock.packages(request.architecture())) {
            Path deb = s.store().blobPath(p.sha256());
            Optional<CarriedRecipe> c = CarriedRecipe.read(deb);
            if (c.isEmpty()) {
                without++;
                continue;
            }
            checked.add(check(s, request, deb, c.get(), scratch));
        }
        return new RecipeVerifyResult(image.described(), checked, without);
    }

    private static RecipeVerifyResult.Checked check(Session s, RecipeVerifyRequest request, Path deb, CarriedRecipe c, Path scratch) {
        if (!c.architecture().equals(request.architecture())) {
            throw new RecipeException(RecipeException.Kind.ARCHITECTURE, deb + " is a package for " + c.architecture()
                    + ", and this host builds " + request.architecture()
                    + "\n  fix: verify it on a " + c.architecture() + " host (recipes build for the host's architecture)");
        }
        Path dir = request.recipeDirectory().orElse(scratch.resolve("recipes"));
        Path recipeFile = dir.resolve(c.name() + ".yaml");
        Recipe recipe = RecipeParser.parse(recipeTree(c, deb), recipeFile, s.mirrors);
        RecipeLock lock = RecipeLockJson.read(c.lock(), deb + " (" + RecipeBuilder.LOCK_MEMBER + ")");
        RecipeLocking.requireCurrent(recipe, lock, Path.of(deb + " (" + RecipeBuilder.LOCK_MEMBER + ")"), request.architecture());
        Path lockFile = scratch.resolve("locks").resolve(c.name() + "-" + c.buildKey().substring(7, 19) + ".lock.json");
        try {
            Files.createDirectories(lockFile.getParent());
            Files.write(lockFile, c.lock());
        } catch (IOException e) {
            throw new StoreException("cannot write the recipe's lock into " + scratch + ": " + IoErrors.why(e), e);
        }
        String sha256 = digest(deb).toString();
        Digest key = RecipeBuilder.key(recipe, lock, c.epoch());
        if (!key.toString().equals(c.buildKey())) {
            return new RecipeVerifyResult.Checked(c.name(), c.version(), c.architecture(), c.buildKey(), sha256, "",
                    List.of("control: " + RecipeBuilder.BUILD_KEY_FIELD + " " + c.buildKey() + ", but the recipe and lock it carries"
                            + " give " + key + " (the package was changed, or built by another kiln)"));
        }
        for (var p : lock.environment().fromRecipes(lock.architecture())) {
            // built with packages other recipes made: they come from no repository of its lock, only from this store
            var made = p.built().orElseThrow();
            if (!s.store().contains(made.sha256())) {
                throw new RecipeException(RecipeException.Kind.LOCK, deb + " was built with " + p.describe() + " as " + made.sha256()
                        + ", which is not in the store of this check\n  expected: the packages it was built with, from the image"
                        + " being verified\n  fix: verify an image that installs " + p.name() + " too (its recipe-built packages"
                        + " are verified together)");
            }
        }
        RecipeBuilder builder = RecipeBuilding.builder(s);
        // the store is fresh: a recipe met again in an image (its subpackages) is built once
        RecipeBuilder.Built built = RecipeBuilding.build(s, builder, new RecipeBuilding.Locked(recipe, lock, lockFile),
                Epoch.of(c.epoch()), false, new Object(), request.secrets());
        RecipeBuilder.Package rebuilt = built.packages().stream().filter(p -> p.name().equals(c.name())).findFirst()
                .orElse(null);
        if (rebuilt == null) {
            return new RecipeVerifyResult.Checked(c.name(), c.version(), c.architecture(), c.buildKey(), sha256, "",
                    List.of("the rebuild makes no package " + c.name() + ", only " + built.packages().stream()
                            .map(RecipeBuilder.Package::name).toList()));
        }
        Path diffs = scratch.resolve("diff-" + c.name());
        try {
            Files.createDirectories(diffs);
        } catch (IOException e) {
            throw new StoreException("cannot make " + diffs + ": " + IoErrors.why(e), e);
        }
        List<String> differences = DebDiff.between(deb, builder.file(rebuilt), diffs);
        return new RecipeVerifyResult.Checked(c.name(), c.version(), c.architecture(), c.buildKey(), sha256,
                rebuilt.sha256().toString(), differences);
    }

    /** The recipe a package carries: the document its canonical form wraps (YAML flow style, which the recipe parser reads). */
    private static byte[] recipeTree(CarriedRecipe c, Path deb) {
        String canonical = new String(c.recipe(), StandardCharsets.UTF_8);
        String head = "{\"format\":\"" + Recipe.CANONICAL_FORMAT + "\",\"recipe\":";
        if (!canonical.startsWith(head) || !canonical.endsWith("}")) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, deb + ": its " + RecipeBuilder.RECIPE_MEMBER
                    + " is not a recipe this kiln wrote\n  expected: " + head + "...}");
        }
        return canonical.substring(head.length(), canonical.length() - 1).getBytes(StandardCharsets.UTF_8);
    }

    private static Digest digest(Path file) {
        try (var in = Files.newInputStream(file)) {
            return Digest.of(in);
        } catch (IOException e) {
            throw new StoreException("cannot read " + file + ": " + IoErrors.why(e), e);
        }
    }
}
