package dev.kiln.cli;

import dev.kiln.store.KilnException;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParseResult;

/**
 * The command line's part of a fix. The library's messages say what to do in its own terms ("give
 * a wider build context", "repair the store", "allow plain HTTP to it"), since a Java caller has no
 * flags; the CLI adds, by the error's code, the option or command that does it, for the command at
 * hand and only when it has that option: {@code (kiln: --context DIR gives a wider build context ...)}.
 */
final class FlagHints {
    private FlagHints() {
    }

    /** What {@code command} (as it was run) can do about {@code e}, in a short phrase, if anything. */
    static Optional<String> of(CommandLine command, KilnException e) {
        return Optional.ofNullable(hint(new Run(command), e.code(), causeCode(e)));
    }

    /** The command as it was run: its name, its options and those given. */
    private record Run(CommandLine command) {
        /** {@code build}, {@code store verify}, ... */
        String name() {
            String q = command.getCommandSpec().qualifiedName(" ");
            return q.startsWith("kiln ") ? q.substring("kiln ".length()) : q;
        }

        boolean has(String option) {
            CommandSpec spec = command.getCommandSpec();
            return spec.findOption(option) != null;
        }

        boolean given(String option) {
            ParseResult p = command.getParseResult();
            return p != null && p.hasMatchedOption(option);
        }

        /** The command again with {@code --store DIR} when the store was named. */
        String storeCommand(String what) {
            return "'kiln " + what + (given("--store") ? " --store DIR'" : "'");
        }
    }

    private static String hint(Run run, String code, String cause) {
        String command = run.name();
        switch (code) {
            case "spec.copy-outside-context":
                return run.has("--context") && !run.given("--context")
                        ? "--context DIR gives a wider build context, one that holds the spec and what it copies" : null;
            case "spec.context":
                if (command.equals("verify") && !run.given("--context")) {
                    return "--context DIR names the directory the image's spec was in, which its relative file: repositories"
                            + " are relative to";
                }
                return run.given("--context") ? "--context DIR names the build context: a directory that holds the spec;"
                        + " without it, the spec's own directory is" : null;
            case "lock.mismatch":
            case "lock.stale":
                return command.equals("build") && run.given("--frozen")
                        ? "'kiln lock SPEC' pins it anew, as kiln build does itself without --frozen" : null;
            case "store.damaged":
                return run.has("--store") ? storeCommandUnlessRepairing(run) : null;
            case "store.cannot-create":
                return run.has("--store") ? "--store DIR (or KILN_STORE) puts the store elsewhere" : null;
            case "store.disk-full":
                return run.has("--store") ? run.storeCommand("store gc") + " deletes the blobs no lock uses;"
                        + " --store DIR (or KILN_STORE) puts the store elsewhere" : null;
            case "store.missing":
                return command.equals("verify") && !run.given("--use-store")
                        ? "--use-store --store DIR rebuilds with the store that built the image" : null;
            case "fetch.offline-missing":
            case "resolve.offline-missing":
                return run.given("--offline") ? "without --offline, kiln " + command + " downloads what is missing" : null;
            case "oci.platform":
                return run.has("--arch") ? (run.given("--arch") ? "--arch takes one of the spec's architectures"
                        : "--arch ARCH chooses the platform that goes into --tarball") : null;
            case "oci.target-refused":
                return command.equals("build") ? "-o DIR says where the layout goes, --tarball FILE the archive" : null;
            case "oci.not-a-layout":
                return command.equals("sign") || command.equals("verify") ? "'kiln build SPEC -o DIR' writes a layout" : null;
            case "registry.plain-http":
                return run.has("--insecure") && !run.given("--insecure")
                        ? "--insecure allows plain HTTP to the registry, for a network you trust" : null;
            case "registry.unavailable":
                return run.has("--registry-timeout") ? "--registry-timeout SECONDS sets how long kiln waits for a registry that is only slow"
                        : null;
            case "trust.key-password":
                return run.has("--password-stdin") ? (run.given("--password-stdin")
                        ? "--password-stdin read the password from the first line of standard input"
                        : "--password-stdin reads the password from standard input, else $" + PasswordOption.ENV + " gives it")
                        : null;
            case "recipe.secret":
                return run.has("--secret") ? "--secret id=NAME,src=FILE (or id=NAME,env=VAR) gives a secret its value" : null;
            case "verify.signature":
                return "trust.signature.missing".equals(cause) ? "'kiln sign IMAGE --key KEY' signs it" : null;
            default:
                return null;
        }
    }

    private static String storeCommandUnlessRepairing(Run run) {
        return run.name().equals("store verify") ? "--repair removes what is damaged"
                : run.storeCommand("store verify --repair") + " removes what is damaged";
    }

    private static String causeCode(Throwable e) {
        for (Throwable c = e.getCause(); c != null && c != e; c = c.getCause()) {
            if (c instanceof KilnException k) {
                return k.code();
            }
        }
        return null;
    }
}
