package dev.kiln.api;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.fields;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.domain.JavaModifier;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.Location;
import dev.kiln.api.internal.BuildVariation;
import java.util.List;
import java.util.Set;
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
 * cache     -> trust, oci, store
 * builder   -> assembler, resolver, oci, fetcher, store
 * api       -> any
 * </pre>
 *
 * <p>And the library (every module but the cli) reads no environment, prints nothing and keeps no
 * state in static fields: {@link SystemDefaults} is the one class that reads the host, and only
 * the cli calls it (the cli's own rules are its CliArchitectureTest). The api module exports its
 * package {@code dev.kiln.api}; everything else public in it is under {@code dev.kiln.api.internal}.
 */
class ArchitectureTest {
    private static final Pattern TEST_JAR = Pattern.compile(".*-tests\\.jar.*");

    /** kiln's main classes, from each module's classes or jar; test classes and the test-jars of shared fixtures are not on the map. */
    static final JavaClasses KILN = new ClassFileImporter()
            .withImportOption((Location location) -> !location.contains("/test-classes/") && !location.matches(TEST_JAR))
            .importPackages("dev.kiln");

    @Test
    void theMapSeesTheMainClassesOfEveryModuleAndNoTestClass() {
        for (String module : List.of("store", "fetcher", "resolver", "oci", "assembler", "trust", "cache", "builder", "api")) {
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
                .layer("cache").definedBy("dev.kiln.cache..")
                .layer("builder").definedBy("dev.kiln.builder..")
                .layer("api").definedBy("dev.kiln.api..")
                .whereLayer("store").mayNotAccessAnyLayer()
                .whereLayer("fetcher").mayOnlyAccessLayers("store")
                .whereLayer("resolver").mayOnlyAccessLayers("fetcher", "store")
                .whereLayer("oci").mayOnlyAccessLayers("store")
                .whereLayer("assembler").mayOnlyAccessLayers("oci", "resolver", "fetcher", "store")
                .whereLayer("trust").mayOnlyAccessLayers("oci", "store")
                .whereLayer("cache").mayOnlyAccessLayers("trust", "oci", "store")
                .whereLayer("builder").mayOnlyAccessLayers("assembler", "resolver", "oci", "fetcher", "store")
                .check(KILN);
    }

    @Test
    void noTwoPackagesDependOnEachOther() {
        slices().matching("dev.kiln.(**)").should().beFreeOfCycles().check(KILN);
    }

    /** The one class that reads the host, and the build check's, which reads this JVM's own java.home, java.version and class path. */
    private static final Set<String> READS_THE_HOST = Set.of(SystemDefaults.class.getName(), BuildVariation.class.getName(),
            BuildCheck.class.getName());

    @Test
    void theLibraryReadsNoEnvironmentVariableAndNoSystemProperty() {
        noClasses().that(describe("are not " + READS_THE_HOST, (JavaClass c) -> !READS_THE_HOST.contains(c.getName())))
                .should().callMethod(System.class, "getenv")
                .orShould().callMethod(System.class, "getenv", String.class)
                .orShould().callMethod(System.class, "getProperty", String.class)
                .orShould().callMethod(System.class, "getProperty", String.class, String.class)
                .orShould().callMethod(System.class, "getProperties")
                .orShould().callMethod(Boolean.class, "getBoolean", String.class)
                .orShould().callMethod(Integer.class, "getInteger", String.class)
                .orShould().callMethod(Long.class, "getLong", String.class)
                .check(KILN);
        noClasses().that().haveFullyQualifiedName(BuildVariation.class.getName()).or().haveFullyQualifiedName(BuildCheck.class.getName())
                .should().callMethod(System.class, "getenv").orShould().callMethod(System.class, "getenv", String.class)
                .check(KILN);
    }

    @Test
    void theLibraryPrintsNothing() {
        noClasses().should().accessField(System.class, "out").orShould().accessField(System.class, "err").check(KILN);
    }

    @Test
    void onlyTheCliCallsSystemDefaults() {
        noClasses().that().doNotHaveFullyQualifiedName(SystemDefaults.class.getName())
                .should().dependOnClassesThat().haveFullyQualifiedName(SystemDefaults.class.getName()).check(KILN);
    }

    @Test
    void theLibraryKeepsNoStateInStaticFields() {
        fields().that().areStatic().should().beFinal().check(KILN);
    }

    @Test
    void whatIsPublicInTheApiModuleIsItsPackageOrInternal() {
        classes().that().resideInAPackage("dev.kiln.api..").and().arePublic()
                .should().resideInAnyPackage("dev.kiln.api", "dev.kiln.api.internal..").check(KILN);
    }

    /** The API's surface, held: a type added to or taken from it is a deliberate change (README's Java API section). */
    @Test
    void theApiPackageExportsTheseTypes() {
        List<String> exported = KILN.stream().filter(c -> c.getPackageName().equals("dev.kiln.api"))
                .filter(c -> c.getModifiers().contains(JavaModifier.PUBLIC) && !c.isAnonymousClass())
                .filter(c -> c.getEnclosingClass().map(e -> e.getModifiers().contains(JavaModifier.PUBLIC)).orElse(true))
                .map(c -> c.getName().substring("dev.kiln.api.".length())).sorted().toList();
        assertEquals(List.of("BuildCheckEvent", "BuildCheckResult", "BuildRequest", "BuildResult", "BuildResult$ArchiveOutput",
                "BuildResult$LayoutOutput", "BuildResult$Output", "BuildResult$PlatformManifest", "BuildResult$RegistryOutput", "BuildWarningEvent",
                "CacheEvent", "CacheEvent$Hit", "CacheEvent$Miss", "CacheEvent$Pushed", "CacheEvent$Unavailable", "CachePushResult",
                "CheckFailedException",
                "CheckFailedException$Kind",
                "CopyMismatchException", "Epoch", "FetchEvent", "FetchEvent$Damaged", "FetchEvent$Download", "FetchEvent$Failed",
                "FetchEvent$Finished", "FetchEvent$Planned", "FetchEvent$Progress", "FetchEvent$Retrying", "FetchEvent$Started",
                "FetchRequest", "FetchResult", "ImageDifference", "ImageRef", "ImageRef$Archive", "ImageRef$Layout",
                "ImageRef$Registry", "Kiln", "Kiln$Builder", "KilnEvent", "LockCheckResult", "LockMode", "LockRequest", "LockResult",
                "LockResult$Change", "LockResult$Copy", "LockResult$Package", "OpenPgpKeys", "OpenPgpKeys$Generated", "OutdatedRequest", "OutdatedResult", "OutdatedResult$Changelog",
                "OutdatedResult$Update", "PhaseEvent", "Proxies", "RebuildEvent", "RecipeBuildRequest", "RecipeBuildResult", "RecipeBuildResult$Built", "RecipeBuildResult$PackageFile",
                "RecipeBuildResult$Repository", "RecipeEvent", "RecipeEvent$Finished", "RecipeEvent$Output", "RecipeEvent$Started",
                "RecipeEvent$Step", "RecipeEvent$Stopped", "RecipeLockRequest", "RecipeLockRequest$Action",
                "RecipeLockResult", "RecipeLockResult$Locked", "RecipeVerifyRequest", "RecipeVerifyResult", "RecipeVerifyResult$Checked", "Registries", "RegistryWaitEvent",
                "ShadowedPackageEvent", "SharedCache", "SignRequest", "SignResult", "SignResult$Attestation", "Spec", "Spec$Builder", "StoreEvent",
                "StoreEvent$DamagedBlobRemoved", "StoreEvent$MemoUsed", "StoreEvent$Waiting", "SystemDefaults", "Target", "Target$Archive", "Target$Layout",
                "Target$Registry", "VerifyRequest", "VerifyResult", "VerifyResult$Attestation", "VerifyResult$PackageMismatch",
                "VerifyResult$Signature", "WhyRequest", "WhyResult", "WhyResult$Answer", "WhyResult$Chain", "WhyResult$Link",
                "WhyResult$Status"), exported);
    }
}
