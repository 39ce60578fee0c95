package dev.kiln.cli;

import dev.kiln.api.Kiln;
import dev.kiln.api.RecipeEvent;
import java.io.PrintWriter;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What a recipe build prints as it goes. Plain: a line when a recipe starts, each step, a recipe
 * not built (and with {@code verbose} every line a step prints, after its recipe's name). Live (a
 * terminal): one line per running build, its step and the last line it printed, redrawn in place,
 * and a line for each recipe as it ends.
 */
final class RecipeProgress {
    private final PrintWriter err;
    private final boolean live;
    private final boolean verbose;
    private final Map<String, String> running = new LinkedHashMap<>();
    private int drawn;

    RecipeProgress(PrintWriter err, boolean live, boolean verbose) {
        this.err = err;
        this.live = live;
        this.verbose = verbose;
    }

    /** Whether kiln's standard error is a terminal that takes cursor movements. */
    static boolean terminal() {
        return System.console() != null && System.getenv("TERM") != null && !"dumb".equals(System.getenv("TERM"));
    }

    /** Registers the progress on {@code b}: live on a terminal (unless {@code verbose}), plain otherwise. */
    static void register(Kiln.Builder b, PrintWriter err, boolean live, boolean verbose) {
        RecipeProgress p = new RecipeProgress(err, live && !verbose, verbose);
        b.addEventHandler(RecipeEvent.class, p::on);
    }

    synchronized void on(RecipeEvent e) {
        if (!live) {
            plain(e);
            return;
        }
        clear();
        if (e instanceof RecipeEvent.Started s) {
            running.put(s.recipe(), "starting");
        } else if (e instanceof RecipeEvent.Step s) {
            running.put(s.recipe(), s.step());
        } else if (e instanceof RecipeEvent.Output o) {
            running.put(o.recipe(), o.step() + ": " + o.line());
        } else if (e instanceof RecipeEvent.Finished f) {
            if (running.remove(f.recipe()) != null) {
                err.println("kiln: built " + f.recipe() + " " + f.version());
            }
        } else if (e instanceof RecipeEvent.Stopped s) {
            running.remove(s.recipe());
            err.println("kiln: " + s.recipe() + " not built: " + s.reason());
        }
        for (Map.Entry<String, String> r : running.entrySet()) {
            String line = "  " + r.getKey() + ": " + r.getValue();
            err.println(line.length() > 100 ? line.substring(0, 97) + "..." : line);
            drawn++;
        }
        err.flush();
    }

    private void plain(RecipeEvent e) {
        if (e instanceof RecipeEvent.Started s) {
            err.println("kiln: building " + s.recipe() + " " + s.version());
        } else if (e instanceof RecipeEvent.Step s) {
            err.println("kiln: " + s.recipe() + ": " + s.step());
        } else if (e instanceof RecipeEvent.Output o && verbose) {
            err.println("  " + o.recipe() + "| " + o.line());
        } else if (e instanceof RecipeEvent.Stopped s) {
            err.println("kiln: " + s.recipe() + " not built: " + s.reason());
        }
    }

    private void clear() {
        for (int i = 0; i < drawn; i++) {
            err.print("\033[1A\033[2K");
        }
        drawn = 0;
    }
}
