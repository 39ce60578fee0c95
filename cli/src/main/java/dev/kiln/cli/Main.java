package dev.kiln.cli;

import dev.kiln.store.KilnException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.UnmatchedArgumentException;

/** The {@code kiln} command: a thin shell over {@link dev.kiln.api.Kiln}. */
@Command(name = "kiln",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Minimal, reproducible container images from signed package repositories.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a check failed (for example 'lock --check' found the lock stale, 'outdated' a security update)",
            "2:wrong usage",
            "3:an error (spec, network, signature, store): the message says what to do"})
public final class Main implements Runnable {
    static final int CHECK_FAILED = 1;
    static final int ERROR = 3;

    /**
     * The commands, in the order help lists them. picocli reflects over every option of every
     * command it is given (~50 ms before a command starts), so a run that names its command gets
     * only that one; help and mistakes get them all.
     */
    static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("lock", LockCommand.class);
        m.put("outdated", OutdatedCommand.class);
        m.put("fetch", FetchCommand.class);
        m.put("build", BuildCommand.class);
        m.put("store", StoreCommand.class);
        m.put("sign", SignCommand.class);
        m.put("verify", VerifyCommand.class);
        m.put("why", WhyCommand.class);
        m.put("keys", KeysCommand.class);
        m.put("recipe", RecipeCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return m;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new ParameterException(spec.commandLine(), "name a command, e.g. 'kiln lock examples/base.yaml'");
    }

    public static void main(String[] args) {
        if (args.length == 1 && args[0].equals("--cds-training")) {
            CdsTraining.run();
            return;
        }
        System.exit(run(args, new PrintWriter(System.out, true), new PrintWriter(System.err, true)));
    }

    /** Runs the CLI without exiting the JVM (tests call this). */
    public static int run(String[] args, PrintWriter out, PrintWriter err) {
        CommandLine cl = new CommandLine(new Main());
        Class<?> named = args.length > 0 && !args[0].equals("help") ? COMMANDS.get(args[0]) : null;
        if (named != null) {
            cl.addSubcommand(args[0], named);
        } else {
            COMMANDS.forEach(cl::addSubcommand);
        }
        cl.setOut(out);
        cl.setErr(err);
        cl.setParameterExceptionHandler(Main::usageError);
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof KilnException k) {
                printError(commandLine, k);
                return ERROR;
            }
            if (json(commandLine)) {
                new JsonLines(commandLine.getOut()).internalError(e);
            } else {
                commandLine.getErr().println("kiln: internal error: " + e);
            }
            e.printStackTrace(commandLine.getErr());
            return ERROR;
        });
        return cl.execute(args);
    }

    /**
     * Says what failed: the message on stderr, and a line with what the command line can do about it
     * when there is one ({@link FlagHints}); with {@code --json}, the last line on stdout instead.
     */
    static void printError(CommandLine command, KilnException e) {
        Optional<String> hint = FlagHints.of(command, e);
        PrintWriter err = command.getErr();
        if (json(command)) {
            new JsonLines(command.getOut()).error(e, hint);
        } else {
            err.println("kiln: " + e.getMessage());
            hint.ifPresent(h -> err.println("  (kiln: " + h + ")"));
        }
        if (System.getenv("KILN_DEBUG") != null) {
            e.printStackTrace(err);
        }
    }

    /** Whether the command was run with {@code --json}. */
    private static boolean json(CommandLine command) {
        ParseResult parsed = command.getParseResult();
        return parsed != null && parsed.hasMatchedOption(JsonOption.NAME);
    }

    /**
     * A usage mistake is one line and where to read more, not the mistake above forty lines of help
     * (as git and cargo do): {@code kiln: unknown option '--lok' (did you mean --lock?)}.
     */
    private static int usageError(ParameterException e, String[] args) {
        CommandLine where = e.getCommandLine();
        PrintWriter err = where.getErr();
        err.println("kiln: " + said(e));
        err.println("Run '" + where.getCommandSpec().qualifiedName() + " --help' for usage.");
        return where.getCommandSpec().exitCodeOnInvalidInput();
    }

    private static String said(ParameterException e) {
        if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
            List<String> unmatched = u.getUnmatched();
            String first = unmatched.get(0);
            String what;
            if (first.startsWith("-")) {
                what = "unknown option '" + first + "'";
            } else if (!u.getCommandLine().getSubcommands().isEmpty()) {
                what = "'" + first + "' is not a " + u.getCommandLine().getCommandSpec().qualifiedName() + " command";
            } else {
                what = "unexpected argument" + (unmatched.size() == 1 ? " '" + first + "'"
                        : "s '" + String.join("', '", unmatched) + "'");
            }
            List<String> suggestions = u.getSuggestions();
            return suggestions.isEmpty() ? what : what + " (did you mean " + String.join(" or ", suggestions) + "?)";
        }
        String m = e.getMessage() == null ? "wrong usage" : e.getMessage();
        // picocli's sentences start with a capital; after "kiln: " ours do not
        return m.length() > 1 && Character.isUpperCase(m.charAt(0)) && Character.isLowerCase(m.charAt(1))
                ? Character.toLowerCase(m.charAt(0)) + m.substring(1) : m;
    }

    /** The version from the jar's manifest, or "dev" when run from classes. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[] {"kiln " + (v == null ? "dev" : v)};
        }
    }
}
