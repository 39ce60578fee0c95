package dev.kiln.api;

import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The module map, held: which module may use which (DESIGN.md's table), and no cycle between
 * any two packages. The api module is the one whose test classpath holds every other module but
 * the cli, which nothing may depend on (Maven holds that: it is the top module).
 *
 * <pre>
 * store     -> (nothing of kiln)
 * fetcher   -> store
 * resolver  -> fetcher, store
 * oci       -> store
 * assembler -> oci, resolver, fetcher, store
 * trust     -> oci, store
 * api       -> any
 * </pre>
 */
class ArchitectureTest {
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar.*");

    /** kiln's main classes, from each module's classes or jar; test classes and the test-jars of shared fixtures are not on the map. */
    static final JavaClasses KILN = new ClassFileImporter()
            .withImportOption((Location location) -> !location.contains("/test-classes/") && !location.matches(TEST_JAR))
            .importPackages("dev.kiln");

    @Test
    void theMapSeesTheMainClassesOfEveryModuleAndNoTestClass() {
        for (String module : List.of("store", "fetcher", "resolver", "oci", "assembler", "trust", "api")) {
            assertTrue(KILN.containPackage("dev.kiln." + module), "no classes of " + module + " were imported");
        }
        assertTrue(KILN.stream().noneMatch(c -> c.getSimpleName().endsWith("Test")), "test classes were imported");
    }

    @Test
    void eachModuleUsesOnlyTheModulesBelowItOnTheMap() {
        layeredArchitecture().consideringOnlyDependenciesInLayers()
                .layer("store").definedBy("dev.kiln.store..")
                .layer("fetcher").definedBy("dev.kiln.fetcher..")
                .layer("resolver").definedBy("dev.kiln.resolver..")
                .layer("oci").definedBy("dev.kiln.oci..")
                .layer("assembler").definedBy("dev.kiln.assembler..")
                .layer("trust").definedBy("dev.kiln.trust..")
                .layer("api").definedBy("dev.kiln.api..")
                .whereLayer("store").mayNotAccessAnyLayer()
                .whereLayer("fetcher").mayOnlyAccessLayers("store")
                .whereLayer("resolver").mayOnlyAccessLayers("fetcher", "store")
                .whereLayer("oci").mayOnlyAccessLayers("store")
                .whereLayer("assembler").mayOnlyAccessLayers("oci", "resolver", "fetcher", "store")
                .whereLayer("trust").mayOnlyAccessLayers("oci", "store")
                .check(KILN);
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("dev.kiln.(**)").should().beFreeOfCycles().check(KILN);
    }
}
