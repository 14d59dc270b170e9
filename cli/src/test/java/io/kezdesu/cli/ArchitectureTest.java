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
            .importPackages("io.kezdesu");

    @Test
    void commonDependsOnNoOtherModuleAndNoNettyPipelineOrPicocli() {
        noClasses().that().resideInAPackage("io.kezdesu.common..")
                .should().dependOnClassesThat().resideInAnyPackage("io.kezdesu.signaling..", "io.kezdesu.relay..",
                        "io.kezdesu.cli..", "io.netty.channel..", "io.netty.handler..", "picocli..")
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
}
