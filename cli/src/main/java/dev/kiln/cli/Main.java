package dev.kiln.cli;

import dev.kiln.store.KilnException;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** The {@code kiln} command: a thin shell over {@link dev.kiln.assembler.Kiln}. */
@Command(name = "kiln",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "Minimal, reproducible container images from signed package repositories.",
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
            "0:success",
            "1:a check failed (for example 'lock --check' found the lock stale)",
            "2:wrong usage",
            "3:an error (bad spec, network, signature, store); the message says what to do"})
public final class Main implements Runnable {
    static final int CHECK_FAILED = 1;
    static final int ERROR = 3;

    /**
     * The commands, in the order help lists them. picocli reflects over every option of every
     * command it is given (~50 ms before a command starts), so a run that names its command gets
     * only that one; help and mistakes get them all.
     */
    private static final Map<String, Class<?>> COMMANDS = commands();

    private static Map<String, Class<?>> commands() {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        m.put("lock", LockCommand.class);
        m.put("fetch", FetchCommand.class);
        m.put("build", BuildCommand.class);
        m.put("store", StoreCommand.class);
        m.put("sign", SignCommand.class);
        m.put("verify", VerifyCommand.class);
        m.put("keys", KeysCommand.class);
        m.put("help", CommandLine.HelpCommand.class);
        return m;
    }

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "name a command, e.g. 'kiln lock examples/base.yaml'");
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
        cl.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            if (e instanceof KilnException) {
                err.println("kiln: " + e.getMessage());
                if (System.getenv("KILN_DEBUG") != null) {
                    e.printStackTrace(err);
                }
                return ERROR;
            }
            err.println("kiln: internal error: " + e);
            e.printStackTrace(err);
            return ERROR;
        });
        return cl.execute(args);
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
