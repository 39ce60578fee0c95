package dev.kiln.resolver.lock;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** What {@code kiln lock} and {@code kiln recipe lock} say of a name taken from a file: repository or a recipe over another repository. */
class ShadowedTest {
    @Test
    void aFileRepositoryAndARecipeSayWhatShadowsWhat() {
        assertEquals("hello: taken from file:../repo recipes (2.10-0kiln1), not from ${DEBIAN_MIRROR} bookworm (2.10-3): a file:"
                + " repository shadows the others for the names it offers", new Resolver.Shadowed("hello", "2.10-0kiln1",
                "deb [signed-by=k.asc] file:../repo recipes main", "2.10-3", "deb ${DEBIAN_MIRROR} bookworm main").message());
        assertEquals("hello: taken from recipe hello (2.10-0kiln1), not from file:../repo recipes (2.9-0kiln1): the recipes locked"
                + " together shadow every repository for the packages they make", new Resolver.Shadowed("hello", "2.10-0kiln1",
                Resolver.Shadowed.RECIPE + "hello", "2.9-0kiln1", "deb [signed-by=k.asc] file:../repo recipes main").message());
    }
}
