package dev.kiln.builder.recipe;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * kiln's own definitions of melange's built-in script pipelines, each with a version that goes into
 * the build key: a change to a definition's script bumps its version, so a build made with the old
 * one is not taken for the new. {@code ${{inputs.NAME}}} in a template is the step's {@code with}
 * value, or the input's default.
 */
public enum BuiltinPipeline {
    /** {@code ./configure} with Debian's paths, for the host's GNU triplet; {@code opts} appended. */
    AUTOCONF_CONFIGURE("autoconf/configure", "1", inputs("dir", ".", "opts", ""),
            "cd '${{inputs.dir}}'\n"
            + "./configure --prefix=/usr --sysconfdir=/etc --localstatedir=/var --mandir=/usr/share/man"
            + " --infodir=/usr/share/info --build=${{host.triplet.gnu}} --host=${{host.triplet.gnu}} ${{inputs.opts}}\n"),
    /** {@code make}, one job per CPU the sandbox sees. */
    AUTOCONF_MAKE("autoconf/make", "1", inputs("dir", ".", "opts", ""),
            "make -C '${{inputs.dir}}' -j\"$(nproc)\" ${{inputs.opts}}\n"),
    /** {@code make install} into {@code ${{targets.destdir}}}. */
    AUTOCONF_MAKE_INSTALL("autoconf/make-install", "1", inputs("dir", ".", "opts", ""),
            "make -C '${{inputs.dir}}' install DESTDIR='${{targets.destdir}}' ${{inputs.opts}}\n"),
    /**
     * Strips every ELF file under {@code ${{targets.destdir}}} with the environment's binutils, in
     * path order, archives with {@code -D} (no timestamps, owners or modes from the host).
     */
    STRIP("strip", "2", inputs("opts", "--strip-unneeded"),
            // no pipeline feeds the loop: sh -e sees only a pipeline's last status, and a missing find or
            // strip must fail the step, not leave the programs unstripped
            "for tool in find sort od head tr strip; do command -v \"$tool\" >/dev/null"
            + " || { echo \"strip: the environment has no $tool (findutils, coreutils, binutils)\" >&2; exit 127; }; done\n"
            + "find '${{targets.destdir}}' -type f >/tmp/kiln-strip-files\n"
            + "LC_ALL=C sort /tmp/kiln-strip-files >/tmp/kiln-strip-sorted\n"
            + "while IFS= read -r f; do\n"
            + "  magic=$(head -c 4 \"$f\" | od -An -tx1 | tr -d ' \\n')\n"
            + "  case \"$magic\" in\n"
            + "    7f454c46) strip ${{inputs.opts}} \"$f\" ;;\n"
            + "    213c6172) case \"$f\" in *.a) strip -g -D \"$f\" ;; esac ;;\n"
            + "  esac\n"
            + "done </tmp/kiln-strip-sorted\n"
            + "rm -f /tmp/kiln-strip-files /tmp/kiln-strip-sorted\n");

    private final String id;
    private final String version;
    private final Map<String, String> inputs;
    private final String template;

    BuiltinPipeline(String id, String version, Map<String, String> inputs, String template) {
        this.id = id;
        this.version = version;
        this.inputs = inputs;
        this.template = template;
    }

    /** The name a step's {@code uses} gives, e.g. {@code autoconf/make}. */
    public String id() {
        return id;
    }

    /** The definition's version: part of the build key. */
    public String version() {
        return version;
    }

    /** The inputs a step may give in {@code with}, each with its default. */
    public Map<String, String> inputs() {
        return inputs;
    }

    /** The script, {@code ${{...}}} not yet substituted. */
    public String template() {
        return template;
    }

    /** The built-in a step's {@code uses} names. */
    public static Optional<BuiltinPipeline> named(String id) {
        for (BuiltinPipeline b : values()) {
            if (b.id.equals(id)) {
                return Optional.of(b);
            }
        }
        return Optional.empty();
    }

    /** Every name {@code uses} takes, sources included, for suggestions. */
    static String[] names() {
        BuiltinPipeline[] all = values();
        String[] names = new String[all.length + 2];
        names[0] = "fetch";
        names[1] = "git-checkout";
        for (int i = 0; i < all.length; i++) {
            names[i + 2] = all[i].id;
        }
        return names;
    }

    private static Map<String, String> inputs(String... namesAndDefaults) {
        Map<String, String> m = new LinkedHashMap<>();
        for (int i = 0; i < namesAndDefaults.length; i += 2) {
            m.put(namesAndDefaults[i], namesAndDefaults[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }
}
