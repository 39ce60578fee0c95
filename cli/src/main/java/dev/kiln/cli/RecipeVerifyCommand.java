package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.RecipeVerifyRequest;
import dev.kiln.api.RecipeVerifyResult;
import dev.kiln.api.SystemDefaults;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "verify", mixinStandardHelpOptions = true,
        description = {
            "Rebuild recipe-built packages from what they carry: the same bytes.",
            "%nEach package carries its recipe and recipe lock; it is rebuilt from them in a fresh store and sandbox at"
                    + " the epoch it records, and compared byte for byte. A difference is named down to the tar entry"
                    + " (content, mode, owner, mtime, link). For an image, its packages are fetched by the sha256 its lock"
                    + " pins; a relative file: repository of its spec is found in --context DIR, as for 'kiln verify'."
                    + " Exit 0: identical; 1: a package differs."})
final class RecipeVerifyCommand implements Callable<Integer> {
    @Parameters(paramLabel = "DEB-OR-IMAGE", description = "A .deb file, or an image: a layout directory (DIR or DIR:NAME),"
            + " a docker archive (.tar) or a registry reference.")
    String target;

    @Option(names = "--recipe-dir", paramLabel = "DIR", description = "The directory the recipe was in, for a recipe with"
            + " local sources (a package carries the recipe and its lock, not local files).")
    Path recipeDir;

    @Mixin
    SecretOption secrets;

    @Mixin
    ContextOption context;

    @Mixin
    StoreOption store;

    @Mixin
    JsonOption json;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() {
        var out = commandSpec.commandLine().getOut();
        var err = commandSpec.commandLine().getErr();
        JsonLines lines = json.lines(out);
        Path asFile = Path.of(target);
        RecipeVerifyRequest request = target.endsWith(".deb") || Files.isRegularFile(asFile) && !target.endsWith(".tar")
                ? RecipeVerifyRequest.ofPackage(asFile, SystemDefaults.architecture())
                : RecipeVerifyRequest.ofImage(ImageArgument.forVerify(target), SystemDefaults.architecture());
        if (recipeDir != null) {
            request = request.withRecipeDirectory(recipeDir);
        }
        for (Map.Entry<String, byte[]> secret : secrets.values(commandSpec.commandLine()).entrySet()) {
            byte[] value = secret.getValue();
            request = request.withSecret(secret.getKey(), () -> value.clone());
        }
        RecipeVerifyResult result;
        try (Kiln kiln = KilnSetup.builder(store.store, context.context, false, err, lines).open()) {
            result = kiln.recipeVerify(request);
        }
        if (lines != null) {
            lines.result(g -> JsonResults.recipeVerify(g, result));
        } else {
            if (result.packages().isEmpty()) {
                out.println(result.target() + " holds no package built from a recipe (" + result.withoutRecipe() + " others)");
            }
            for (RecipeVerifyResult.Checked c : result.packages()) {
                if (c.identical()) {
                    out.println("ok: " + c.name() + " " + c.version() + " rebuilt to the same bytes (" + c.sha256() + ")");
                } else {
                    out.println("DIFFERS: " + c.name() + " " + c.version() + " (" + c.sha256() + ", rebuilt "
                            + (c.rebuilt().isEmpty() ? "not at all" : c.rebuilt()) + "):");
                    c.differences().forEach(d -> out.println("  " + d));
                }
            }
        }
        return result.identical() ? 0 : Main.CHECK_FAILED;
    }
}
