package dev.kiln.cli;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/** {@code kiln recipe}: the package builder's commands, each a class of its own. */
@Command(name = "recipe", mixinStandardHelpOptions = true,
        description = "Lock, build and verify your own packages, made from recipes.",
        subcommands = {RecipeLockCommand.class, RecipeBuildCommand.class, RecipeVerifyCommand.class, RecipeLogCommand.class})
final class RecipeCommand implements Runnable {
    @Spec
    CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a recipe command, e.g. 'kiln recipe lock packages/hello.yaml'");
    }
}
