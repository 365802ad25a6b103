package io.chargerstatus.bench;

import java.util.List;
import picocli.CommandLine.Option;

/** Options of {@code java -jar charger-status.jar bench}, declared once with their defaults. */
public final class BenchOptions {
    @Option(names = "--chargers", description = "sessions to hold", defaultValue = "19000")
    int chargers;

    @Option(names = "--connectors", description = "connectors per charger", defaultValue = "2")
    int connectors;

    @Option(names = "--rate", description = "target status changes per second", defaultValue = "10000")
    int rate;

    @Option(names = "--seconds", description = "length of the sustained phase", defaultValue = "30")
    int seconds;

    @Option(names = "--sustained-chargers", description = "chargers driving the sustained phase", defaultValue = "2000")
    int sustainedChargers;

    @Option(
            names = "--cluster-chargers",
            description = "sessions to hold across the 3-instance cluster of the cluster phase",
            defaultValue = "56000")
    int clusterChargers;

    @Option(
            names = "--phases",
            description = "single (one instance), cluster (three), all: both in the same run, for ratios; or "
                    + "sustained: only the sustained changes, to compare one setting with another; notify: with"
                    + " and without notifications; roaming: with and without two OCPI partners, and paging"
                    + " through the Locations of 20,000 chargers; uptime: the reports over a year of 40,000"
                    + " ports, and the roll-up's cost; retention: a month of history dropped under load",
            defaultValue = "all")
    String phases;

    @Option(
            names = "--service-jvm",
            description = "the service's JVM options, space-separated (how GC settings are compared)",
            defaultValue = "-Xmx1g -XX:+UseG1GC")
    String serviceJvm;

    @Option(
            names = "--pg",
            description = "JDBC URL of the PostgreSQL to make the run's database on",
            defaultValue = "jdbc:postgresql://127.0.0.1:5432/postgres")
    String pg;

    List<String> serviceJvm() {
        return List.of(serviceJvm.trim().split("\\s+"));
    }
}
