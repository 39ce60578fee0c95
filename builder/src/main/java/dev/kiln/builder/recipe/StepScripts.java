package dev.kiln.builder.recipe;

import dev.kiln.builder.RecipeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Each step of a pipeline as the concrete {@code /bin/sh} script the sandbox runs, every
 * {@code ${{...}}} substituted: {@code targets.destdir}, {@code targets.subpkgdir} (in a
 * subpackage's pipeline), {@code package.name}, {@code package.version}, {@code package.epoch},
 * {@code package.full-version} (the Debian version), {@code host.triplet.gnu}, and in a built-in's
 * template {@code inputs.NAME}. Paths are those inside the sandbox: the workspace
 * {@value #WORKSPACE}, the outputs under {@value #OUTPUTS}.
 */
public final class StepScripts {
    /** The workspace inside the sandbox: sources are unpacked there, steps run there. */
    public static final String WORKSPACE = "/home/build";
    /** Where the outputs are: {@code /out/PKGNAME} for each package the recipe builds. */
    public static final String OUTPUTS = "/out";

    private static final Pattern VARIABLE = Pattern.compile("\\$\\{\\{\\s*([^}\\s]*)\\s*}}");
    private static final Map<String, String> TRIPLETS = Map.of(
            "amd64", "x86_64-linux-gnu", "arm64", "aarch64-linux-gnu", "armhf", "arm-linux-gnueabihf",
            "armel", "arm-linux-gnueabi", "i386", "i686-linux-gnu", "ppc64el", "powerpc64le-linux-gnu",
            "s390x", "s390x-linux-gnu", "riscv64", "riscv64-linux-gnu", "mips64el", "mips64el-linux-gnuabi64");

    /**
     * One step, ready to run.
     *
     * @param name the step's {@code name}, else its built-in's, else its key ({@code pipeline[4]})
     * @param script for {@code /bin/sh -e -c}
     * @param workingDirectory absolute, inside the sandbox
     * @param environment the step's own variables (substituted), in the order written
     * @param mounts the step's mounts, as declared
     */
    public record StepScript(String name, String script, String workingDirectory, Map<String, String> environment,
                             List<StepMount> mounts) {
        public StepScript {
            mounts = List.copyOf(mounts);
            Objects.requireNonNull(name, "name");
            Objects.requireNonNull(script, "script");
            Objects.requireNonNull(workingDirectory, "workingDirectory");
            environment = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(environment));
        }
    }

    private StepScripts() {
    }

    /** The main package's steps, for a build on {@code arch} (a Debian architecture name). */
    public static List<StepScript> of(Recipe recipe, String arch) {
        return scripts(recipe.pipeline(), variables(recipe, Optional.empty(), arch), recipe.file().toString());
    }

    /** A subpackage's steps, for a build on {@code arch}. */
    public static List<StepScript> of(Recipe recipe, Subpackage subpackage, String arch) {
        return scripts(subpackage.pipeline(), variables(recipe, Optional.of(subpackage.name()), arch), recipe.file().toString());
    }

    /** The versions of the built-ins {@code recipe} uses, by name: for the build key. */
    public static Map<String, String> builtinVersions(Recipe recipe) {
        Map<String, String> out = new TreeMap<>();
        List<Step> all = new ArrayList<>(recipe.pipeline());
        recipe.subpackages().forEach(s -> all.addAll(s.pipeline()));
        for (Step s : all) {
            s.uses().flatMap(BuiltinPipeline::named).ifPresent(b -> out.put(b.id(), b.version()));
        }
        return out;
    }

    /** Every mount of every step of {@code recipe}, main pipeline first, in the order written. */
    public static List<StepMount> mounts(Recipe recipe) {
        List<StepMount> out = new ArrayList<>();
        recipe.pipeline().forEach(s -> out.addAll(s.mounts()));
        recipe.subpackages().forEach(p -> p.pipeline().forEach(s -> out.addAll(s.mounts())));
        return out;
    }

    /** The GNU triplet of a Debian architecture, e.g. {@code x86_64-linux-gnu} for amd64. */
    public static String gnuTriplet(String arch) {
        String t = TRIPLETS.get(arch);
        if (t == null) {
            throw new RecipeException(RecipeException.Kind.ARCHITECTURE, "kiln knows no GNU triplet for the architecture '" + arch
                    + "'\n  fix: build on one of " + new java.util.TreeSet<>(TRIPLETS.keySet()));
        }
        return t;
    }

    /** The names a script may use in {@code ${{...}}} (inputs aside): for the parser's check. */
    static List<String> knownNames(boolean subpackage) {
        List<String> names = new ArrayList<>(List.of("targets.destdir", "package.name", "package.version", "package.epoch",
                "package.full-version", "host.triplet.gnu"));
        if (subpackage) {
            names.add("targets.subpkgdir");
        }
        return names;
    }

    /**
     * The first {@code ${{...}}} in {@code text} that is not among {@code known}, if any (also one
     * left open: {@code ${{} without its {@code }}}).
     */
    static Optional<String> unknownVariable(String text, List<String> known) {
        Matcher m = VARIABLE.matcher(text);
        while (m.find()) {
            if (!known.contains(m.group(1))) {
                return Optional.of(m.group(0));
            }
        }
        String rest = VARIABLE.matcher(text).replaceAll("");
        int open = rest.indexOf("${{");
        return open < 0 ? Optional.empty() : Optional.of(rest.substring(open).lines().findFirst().orElse("${{"));
    }

    private static Map<String, String> variables(Recipe recipe, Optional<String> subpackage, String arch) {
        Map<String, String> v = new LinkedHashMap<>();
        v.put("targets.destdir", OUTPUTS + "/" + recipe.name());
        subpackage.ifPresent(s -> v.put("targets.subpkgdir", OUTPUTS + "/" + s));
        v.put("package.name", recipe.name());
        v.put("package.version", recipe.version());
        v.put("package.epoch", Long.toString(recipe.epoch()));
        v.put("package.full-version", recipe.debianVersion());
        v.put("host.triplet.gnu", gnuTriplet(arch));
        return v;
    }

    private static List<StepScript> scripts(List<Step> steps, Map<String, String> variables, String file) {
        List<StepScript> out = new ArrayList<>();
        for (Step step : steps) {
            String script;
            String name;
            if (step.uses().isPresent()) {
                BuiltinPipeline b = BuiltinPipeline.named(step.uses().get()).orElseThrow();
                Map<String, String> withInputs = new LinkedHashMap<>(variables);
                b.inputs().forEach((k, def) -> withInputs.put("inputs." + k,
                        substitute(step.with().getOrDefault(k, def), variables, file, step)));
                script = substitute(b.template(), withInputs, file, step);
                name = step.name().orElse(b.id());
            } else {
                script = substitute(step.runs().orElseThrow(), variables, file, step);
                name = step.name().orElse(step.key());
            }
            Map<String, String> env = new LinkedHashMap<>();
            step.environment().forEach((k, val) -> env.put(k, substitute(val, variables, file, step)));
            String wd = step.workingDirectory().map(d -> substitute(d, variables, file, step)).map(StepScripts::inWorkspace)
                    .orElse(WORKSPACE);
            out.add(new StepScript(name, script, wd, env, step.mounts()));
        }
        return out;
    }

    private static String inWorkspace(String dir) {
        if (dir.startsWith("/")) {
            return dir;
        }
        String rel = dir.equals(".") ? "" : dir.startsWith("./") ? dir.substring(2) : dir;
        return rel.isEmpty() ? WORKSPACE : WORKSPACE + "/" + rel;
    }

    private static String substitute(String text, Map<String, String> values, String file, Step step) {
        Matcher m = VARIABLE.matcher(text);
        StringBuilder sb = new StringBuilder();
        while (m.find()) {
            String value = values.get(m.group(1));
            if (value == null) {
                // the parser refuses these; a Step made in code can still hold one
                throw new RecipeException(RecipeException.Kind.SPEC, file + ":" + step.line() + ": " + step.key()
                        + ": unknown variable " + m.group(0) + "\n  fix: use one of " + values.keySet().stream().map(k -> "${{" + k + "}}").toList());
            }
            m.appendReplacement(sb, Matcher.quoteReplacement(value));
        }
        m.appendTail(sb);
        return sb.toString();
    }
}
