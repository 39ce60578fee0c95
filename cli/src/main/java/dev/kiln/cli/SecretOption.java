package dev.kiln.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import picocli.CommandLine;
import picocli.CommandLine.Option;

/** {@code --secret id=NAME,src=FILE|env=VAR}, repeatable: the values of recipes' secret mounts, read by the CLI only. */
final class SecretOption {
    @Option(names = "--secret", paramLabel = "id=NAME,src=FILE|env=VAR", description = "The value of the recipes' secret"
            + " mount NAME: the bytes of FILE, or of the variable VAR. Repeatable. Delivered to the steps that mount it as a"
            + " file of mode 0400 (never written to disk, never on a command line); never in a key, lock or log.")
    List<String> secrets = new ArrayList<>();

    /**
     * Each secret's value by id, in the order given; a malformed {@code --secret}, an unreadable file
     * or an unset variable is a usage error whose message never holds a value.
     */
    Map<String, byte[]> values(CommandLine commandLine) {
        Map<String, byte[]> out = new LinkedHashMap<>();
        for (String spec : secrets) {
            Map<String, String> parts = new TreeMap<>();
            for (String part : spec.split(",", -1)) {
                int eq = part.indexOf('=');
                if (eq <= 0 || parts.put(part.substring(0, eq), part.substring(eq + 1)) != null) {
                    throw usage(commandLine, "--secret " + spec + ": expected id=NAME,src=FILE or id=NAME,env=VAR");
                }
            }
            String id = parts.remove("id");
            String src = parts.remove("src");
            String env = parts.remove("env");
            if (id == null || !parts.isEmpty() || (src == null) == (env == null)) {
                throw usage(commandLine, "--secret " + spec + ": expected id=NAME and exactly one of src=FILE and env=VAR");
            }
            if (!id.matches("[A-Za-z0-9][A-Za-z0-9._-]{0,127}")) {
                throw usage(commandLine, "--secret: the id '" + id + "' is not letters, digits, '.', '_' and '-'");
            }
            if (src != null) {
                try {
                    out.put(id, Files.readAllBytes(Path.of(src)));
                } catch (IOException e) {
                    throw usage(commandLine, "--secret " + id + ": cannot read " + src + " (" + e.getClass().getSimpleName() + ")");
                }
            } else {
                String v = System.getenv(env);
                if (v == null) {
                    throw usage(commandLine, "--secret " + id + ": the variable " + env + " is not set");
                }
                out.put(id, v.getBytes(StandardCharsets.UTF_8));
            }
        }
        return out;
    }

    private static CommandLine.ParameterException usage(CommandLine commandLine, String message) {
        return new CommandLine.ParameterException(commandLine, message);
    }
}
