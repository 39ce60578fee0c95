package dev.kiln.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.kiln.api.RecipeEvent;
import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;

/** Recipe progress: plain lines, or one live line per running build redrawn in place. */
class RecipeProgressTest {
    private static final String UP = "\033[1A\033[2K";

    @Test
    void liveKeepsOneLinePerRunningBuildWithItsLastOutput() {
        StringWriter text = new StringWriter();
        RecipeProgress p = new RecipeProgress(new PrintWriter(text), true, false);
        p.on(new RecipeEvent.Started("left", "1.0", "k1"));
        p.on(new RecipeEvent.Started("right", "1.0", "k2"));
        p.on(new RecipeEvent.Output("left", "make", "cc -c a.c"));
        p.on(new RecipeEvent.Finished("left", "1.0", "k1", false));
        assertEquals("  left: starting\n"
                + UP + "  left: starting\n  right: starting\n"
                + UP + UP + "  left: make: cc -c a.c\n  right: starting\n"
                + UP + UP + "kiln: built left 1.0\n  right: starting\n", text.toString());
    }

    @Test
    void plainPrintsStartsStepsAndStopsAndOutputOnlyWhenVerbose() {
        StringWriter text = new StringWriter();
        RecipeProgress p = new RecipeProgress(new PrintWriter(text), false, false);
        p.on(new RecipeEvent.Started("top", "1.0", "k"));
        p.on(new RecipeEvent.Step("top", "work"));
        p.on(new RecipeEvent.Output("top", "work", "hidden"));
        p.on(new RecipeEvent.Stopped("top", "1.0", "needs base, which failed"));
        assertEquals("kiln: building top 1.0\nkiln: top: work\nkiln: top not built: needs base, which failed\n", text.toString());
        StringWriter verbose = new StringWriter();
        new RecipeProgress(new PrintWriter(verbose), false, true).on(new RecipeEvent.Output("top", "work", "shown"));
        assertEquals("  top| shown\n", verbose.toString());
    }
}
