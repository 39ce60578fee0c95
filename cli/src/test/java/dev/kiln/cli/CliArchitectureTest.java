package dev.kiln.cli;

import static com.tngtech.archunit.base.DescribedPredicate.describe;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.type;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.kiln.assembler.cache.BuildRoots;
import dev.kiln.store.IoErrors;
import dev.kiln.store.KilnException;
import dev.kiln.trust.KeyFiles;
import org.junit.jupiter.api.Test;

/**
 * The CLI is a shell over the API: its commands use kiln's public API package ({@code dev.kiln.api},
 * not its internals), the root of kiln's errors and their I/O wording, and nothing else of kiln
 * (and of jackson only jackson-core, the streaming generator {@code --json} writes with).
 * What remains below the API, deliberately: {@code kiln store} looks after the store with the
 * store's own classes (and the assembler's reader of roots, which knows what builds from a lock used), {@code kiln keys generate} writes
 * keys with the trust module's, and the CDS training loads classes a run loads, below the API too.
 */
class CliArchitectureTest {
    static final JavaClasses CLI = new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .importPackages("dev.kiln.cli");

    private static DescribedPredicate<JavaClass> within(Class<?> outer) {
        return describe("are " + outer.getSimpleName() + " or in it",
                c -> c.getName().equals(outer.getName()) || c.getName().startsWith(outer.getName() + "$"));
    }

    /** kiln's public API, the JDK, picocli, and jackson-core's streaming generator for {@code --json}. */
    private static final DescribedPredicate<JavaClass> API = resideInAnyPackage("dev.kiln.cli..", "dev.kiln.api", "java..", "picocli..",
            "com.fasterxml.jackson.core..")
            .or(type(KilnException.class)).or(type(IoErrors.class));

    @Test
    void theCommandsUseThePublicApiOnly() {
        classes().that().resideInAPackage("dev.kiln.cli..")
                .and(DescribedPredicate.not(within(StoreCommand.class))).and(DescribedPredicate.not(within(KeysCommand.class)))
                .and(DescribedPredicate.not(within(CdsTraining.class)))
                .should().onlyDependOnClassesThat(API).check(CLI);
    }

    @Test
    void storeAndKeysCommandsReachOnlyTheStoreAndTheKeyFiles() {
        classes().that(within(StoreCommand.class))
                .should().onlyDependOnClassesThat(API.or(resideInAnyPackage("dev.kiln.store")).or(type(BuildRoots.class))).check(CLI);
        classes().that(within(KeysCommand.class))
                .should().onlyDependOnClassesThat(API.or(within(KeyFiles.class))).check(CLI);
    }
}
