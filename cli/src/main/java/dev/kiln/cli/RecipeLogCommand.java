package dev.kiln.cli;

import dev.kiln.api.Kiln;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Parameters;

@Command(name = "log", mixinStandardHelpOptions = true,
        description = {"Print the whole output of a recipe's last build.",
            "%nThe log of the last build of the package NAME run with this store, finished or failed (STORE/logs/NAME/last.log):"
                    + " each step's lines after '==> step STEP', scrubbed of secret values. A build found in the store by its key"
                    + " runs nothing and writes no log."})
final class RecipeLogCommand implements Callable<Integer> {
    @Parameters(paramLabel = "NAME", description = "The recipe's package name (package.name).")
    String name;

    @Mixin
    StoreOption store;

    @CommandLine.Spec
    CommandSpec commandSpec;

    @Override
    public Integer call() throws IOException {
        var err = commandSpec.commandLine().getErr();
        if (!name.matches("[A-Za-z0-9][A-Za-z0-9._+-]*")) {
            throw new CommandLine.ParameterException(commandSpec.commandLine(), "'" + name + "' is not a package name");
        }
        Optional<Path> log;
        try (Kiln kiln = KilnSetup.builder(store.store, null, true, err, null).open()) {
            log = kiln.recipeLog(name);
        }
        if (log.isEmpty()) {
            err.println("kiln: no build of " + name + " has run with this store (a build found by its key writes no log)");
            return Main.CHECK_FAILED;
        }
        var out = commandSpec.commandLine().getOut();
        out.print(Files.readString(log.get()));
        out.flush();
        return 0;
    }
}
