package io.chargerstatus;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.junit.AnalyzeClasses;
import com.tngtech.archunit.junit.ArchTest;
import com.tngtech.archunit.lang.ArchRule;

/**
 * The source tree's rules: each package imports only packages below it, and no two packages import
 * each other. From the bottom: status (the pure model), infra, store, bus, rules; the verticles' packages
 * (engine, ocpp, api) beside each other; the entry points at the root. The tools (simulator, demo, benchmark)
 * are another Maven module, which depends on this one: nothing here can use them.
 */
@AnalyzeClasses(packages = "io.chargerstatus", importOptions = ImportOption.DoNotIncludeTests.class)
class ArchitectureTest {

    @ArchTest
    static final ArchRule layers = layeredArchitecture()
            .consideringOnlyDependenciesInLayers()
            .layer("Entry points")
            .definedBy("io.chargerstatus")
            .layer("Api")
            .definedBy("io.chargerstatus.api..")
            .layer("Ocpp")
            .definedBy("io.chargerstatus.ocpp..")
            .layer("Engine")
            .definedBy("io.chargerstatus.engine..")
            .layer("Incident")
            .definedBy("io.chargerstatus.incident..")
            .layer("Notify")
            .definedBy("io.chargerstatus.notify..")
            .layer("Uptime")
            .definedBy("io.chargerstatus.uptime..")
            .layer("Roaming")
            .definedBy("io.chargerstatus.roaming..")
            .layer("Rules")
            .definedBy("io.chargerstatus.rules..")
            .layer("Command")
            .definedBy("io.chargerstatus.command..")
            .layer("Bus")
            .definedBy("io.chargerstatus.bus..")
            .layer("Store")
            .definedBy("io.chargerstatus.store..")
            .layer("Status")
            .definedBy("io.chargerstatus.status..")
            .layer("Infra")
            .definedBy("io.chargerstatus.infra..")
            .whereLayer("Entry points")
            .mayNotBeAccessedByAnyLayer()
            .whereLayer("Api")
            .mayOnlyBeAccessedByLayers("Entry points")
            .whereLayer("Ocpp")
            .mayOnlyBeAccessedByLayers("Entry points")
            .whereLayer("Engine")
            .mayOnlyBeAccessedByLayers("Entry points")
            .whereLayer("Incident")
            .mayOnlyBeAccessedByLayers("Entry points", "Api")
            .whereLayer("Notify")
            .mayOnlyBeAccessedByLayers("Entry points", "Api", "Roaming")
            .whereLayer("Uptime")
            .mayOnlyBeAccessedByLayers("Entry points", "Api", "Roaming")
            .whereLayer("Roaming")
            .mayOnlyBeAccessedByLayers("Entry points", "Api")
            .whereLayer("Rules")
            .mayOnlyBeAccessedByLayers("Entry points", "Ocpp")
            .whereLayer("Command")
            .mayOnlyBeAccessedByLayers("Entry points", "Api", "Ocpp", "Rules")
            .whereLayer("Bus")
            .mayOnlyBeAccessedByLayers(
                    "Entry points", "Api", "Ocpp", "Engine", "Rules", "Command", "Incident", "Notify", "Roaming")
            .whereLayer("Store")
            .mayOnlyBeAccessedByLayers(
                    "Entry points",
                    "Api",
                    "Ocpp",
                    "Engine",
                    "Rules",
                    "Command",
                    "Bus",
                    "Incident",
                    "Notify",
                    "Uptime",
                    "Roaming")
            .whereLayer("Infra")
            .mayOnlyBeAccessedByLayers(
                    "Entry points",
                    "Api",
                    "Ocpp",
                    "Engine",
                    "Rules",
                    "Command",
                    "Bus",
                    "Store",
                    "Incident",
                    "Notify",
                    "Uptime",
                    "Roaming")
            .whereLayer("Status")
            .mayOnlyBeAccessedByLayers(
                    "Entry points",
                    "Api",
                    "Ocpp",
                    "Engine",
                    "Rules",
                    "Command",
                    "Bus",
                    "Store",
                    "Incident",
                    "Notify",
                    "Uptime",
                    "Roaming",
                    "Infra");

    @ArchTest
    static final ArchRule noCycles =
            slices().matching("io.chargerstatus.(*)..").should().beFreeOfCycles();

    @ArchTest
    static final ArchRule statusModelIsPure = noClasses()
            .that()
            .resideInAPackage("io.chargerstatus.status..")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.vertx..", "io.netty..")
            .as("the status model is pure: no Vert.x or Netty types");

    @ArchTest
    static final ArchRule incidentRulesArePure = noClasses()
            .that()
            .haveNameMatching(
                    "io\\.chargerstatus\\.incident\\.(IncidentModel|SiteOutages|Watch|SiteIncident|Incident|AlertRules)(\\$.*)?")
            .should()
            .dependOnClassesThat()
            .resideInAnyPackage("io.vertx..", "io.netty..", "java.sql..")
            .as("the incident rules are pure: no Vert.x, Netty or JDBC types");
}
