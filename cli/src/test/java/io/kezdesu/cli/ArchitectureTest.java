package io.kezdesu.cli;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

/** The module boundaries of docs/ARCHITECTURE: cli → signaling, relay → common, and ice4j behind one adapter. */
class ArchitectureTest {

    private static final JavaClasses CLASSES = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            // The other modules' test jars (their test fixtures) are on this module's test class path too.
            .withImportOption(location -> !location.contains("-tests.jar"))
            .importPackages("io.kezdesu");

    @Test
    void commonDependsOnNoOtherModuleAndNoNettyPipelineOrPicocli() {
        noClasses().that().resideInAPackage("io.kezdesu.common..")
                .should().dependOnClassesThat().resideInAnyPackage("io.kezdesu.signaling..", "io.kezdesu.relay..",
                        "io.kezdesu.cli..", "io.netty.handler..", "picocli..")
                .check(CLASSES);
        // The embedded store's backend is handed each connection (a Netty Channel) by mongo-java-server: it may look
        // at its addresses and close it, nothing more of Netty.
        noClasses().that().resideInAPackage("io.kezdesu.common..")
                .and().doNotHaveFullyQualifiedName("io.kezdesu.common.store.DurableH2Backend")
                .should().dependOnClassesThat().resideInAnyPackage("io.netty.channel..")
                .check(CLASSES);
    }

    @Test
    void signalingAndRelayNeverImportEachOtherOrTheCli() {
        noClasses().that().resideInAPackage("io.kezdesu.signaling..")
                .should().dependOnClassesThat().resideInAnyPackage("io.kezdesu.relay..", "io.kezdesu.cli..")
                .check(CLASSES);
        noClasses().that().resideInAPackage("io.kezdesu.relay..")
                .should().dependOnClassesThat().resideInAnyPackage("io.kezdesu.signaling..", "io.kezdesu.cli..")
                .allowEmptyShould(true)
                .check(CLASSES);
    }

    /**
     * No two packages need each other: a package cycle (room and session once were one) means neither can be moved,
     * split or tested alone, which the cluster's movable rooms need.
     */
    @Test
    void packagesAreFreeOfCycles() {
        com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices().matching("io.kezdesu.(**)")
                .should().beFreeOfCycles()
                .check(CLASSES);
    }

    @Test
    void ice4jIsUsedOnlyInsideTheRelayAdapter() {
        noClasses().that().resideOutsideOfPackage("io.kezdesu.relay.ice4j..")
                .should().dependOnClassesThat().resideInAPackage("org.ice4j..")
                .check(CLASSES);
    }

    @Test
    void picocliStaysInTheCli() {
        noClasses().that().resideOutsideOfPackage("io.kezdesu.cli..")
                .should().dependOnClassesThat().resideInAPackage("picocli..")
                .check(CLASSES);
    }

    /**
     * What an attacker must not guess (relay ports, reservation tokens, ids, secrets) comes from SecureRandom:
     * ThreadLocalRandom and java.util.Random are predictable from a few outputs. Only the relay's Data indication
     * transaction ids (no secret, RFC 8489 asks for uniqueness only) may use ThreadLocalRandom.
     */
    @Test
    void nothingGuessableComesFromAPredictableRandom() {
        noClasses().that().doNotHaveFullyQualifiedName("io.kezdesu.relay.allocation.Allocation")
                .should().dependOnClassesThat().haveFullyQualifiedName("java.util.concurrent.ThreadLocalRandom")
                .check(CLASSES);
        noClasses().should().dependOnClassesThat().haveFullyQualifiedName("java.util.Random")
                .check(CLASSES);
    }
}
