package dev.kiln.builder.verify;

import dev.kiln.builder.RecipeException;
import dev.kiln.builder.build.RecipeBuilder;
import dev.kiln.store.IoErrors;
import java.io.BufferedInputStream;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.ar.ArArchiveEntry;
import org.apache.commons.compress.archivers.ar.ArArchiveInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * What a package kiln built from a recipe carries to be rebuilt: its control fields (name,
 * version, architecture, build key, epoch), the recipe's canonical form and the recipe's lock, read
 * from its {@code control.tar}. A package without them (Debian's own) carries no recipe.
 *
 * @param recipe the {@value RecipeBuilder#RECIPE_MEMBER} member's bytes
 * @param lock the {@value RecipeBuilder#LOCK_MEMBER} member's bytes
 */
public record CarriedRecipe(String name, String version, String architecture, String buildKey, long epoch, byte[] recipe,
                            byte[] lock) {
    private static final long MAX_MEMBER = 16L << 20;

    /** The recipe {@code deb} carries; empty for a package that carries none. */
    public static Optional<CarriedRecipe> read(Path deb) {
        Map<String, byte[]> members = new LinkedHashMap<>();
        try (ArArchiveInputStream ar = new ArArchiveInputStream(new BufferedInputStream(Files.newInputStream(deb)))) {
            for (ArArchiveEntry e; (e = ar.getNextEntry()) != null; ) {
                if (!e.getName().startsWith("control.tar")) {
                    continue;
                }
                if (e.getLength() > MAX_MEMBER) {
                    throw new IOException("its control.tar is " + e.getLength() + " bytes");
                }
                byte[] compressed = ar.readAllBytes();
                try (TarArchiveInputStream tar = new TarArchiveInputStream(DebDiff.decompress(e.getName(), new ByteArrayInputStream(compressed)))) {
                    for (TarArchiveEntry t; (t = tar.getNextEntry()) != null; ) {
                        String name = t.getName().startsWith("./") ? t.getName().substring(2) : t.getName();
                        if (t.isFile() && t.getSize() <= MAX_MEMBER) {
                            members.put(name, tar.readAllBytes());
                        }
                    }
                }
                break;
            }
        } catch (IOException | RuntimeException e) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, deb + " is not a Debian package kiln can read: "
                    + (e instanceof IOException io ? IoErrors.why(io) : String.valueOf(e.getMessage())), e);
        }
        byte[] recipe = members.get(RecipeBuilder.RECIPE_MEMBER);
        byte[] lock = members.get(RecipeBuilder.LOCK_MEMBER);
        byte[] control = members.get("control");
        if (recipe == null || lock == null || control == null) {
            return Optional.empty();
        }
        Map<String, String> fields = fields(new String(control, StandardCharsets.UTF_8));
        String key = fields.get(RecipeBuilder.BUILD_KEY_FIELD);
        String epoch = fields.get(RecipeBuilder.EPOCH_FIELD);
        if (key == null || epoch == null || !epoch.matches("[0-9]{1,12}")) {
            throw new RecipeException(RecipeException.Kind.PACKAGE, deb + " carries a recipe but not its "
                    + RecipeBuilder.BUILD_KEY_FIELD + " and " + RecipeBuilder.EPOCH_FIELD + " fields"
                    + "\n  found: " + RecipeBuilder.BUILD_KEY_FIELD + " '" + key + "', " + RecipeBuilder.EPOCH_FIELD + " '" + epoch + "'");
        }
        return Optional.of(new CarriedRecipe(fields.getOrDefault("Package", ""), fields.getOrDefault("Version", ""),
                fields.getOrDefault("Architecture", ""), key, Long.parseLong(epoch), recipe, lock));
    }

    private static Map<String, String> fields(String control) {
        Map<String, String> out = new LinkedHashMap<>();
        for (String line : control.split("\n")) {
            int colon = line.indexOf(':');
            if (colon > 0 && !line.startsWith(" ") && !line.startsWith("\t")) {
                out.put(line.substring(0, colon), line.substring(colon + 1).strip());
            }
        }
        return out;
    }
}
