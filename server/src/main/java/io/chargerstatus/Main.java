package io.chargerstatus;

import io.chargerstatus.infra.Config;
import io.chargerstatus.infra.Logging;
import io.chargerstatus.infra.Passwords;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code java -jar charger-status-server.jar [serve|version|help]}: the service (the default), each command
 * with {@code --help}. The tools' jar (charger-status.jar) adds demo, simulate and bench to the same command
 * line ({@link #commandLine()}). A bad option is one line and exit code 2; so is a bad setting (it names the
 * environment variable).
 */
@Command(
        name = "charger-status",
        mixinStandardHelpOptions = true,
        versionProvider = Main.Version.class,
        description = "OCPP-J charger sessions to the ten back-office statuses, in PostgreSQL, over REST and SSE.%n"
                + "Without a subcommand: serve.",
        subcommands = {Main.Serve.class, Main.VersionCommand.class, CommandLine.HelpCommand.class},
        footer = "%nSettings come from conf/charger-status.json and environment variables (README, Configuration).")
public final class Main implements Callable<Integer> {

    public static void main(String[] args) {
        exit(commandLine().execute(args));
    }

    /** The command line of the service with {@code tools} as more subcommands (the tools' jar adds its own). */
    public static CommandLine commandLine(Object... tools) {
        CommandLine cli = new CommandLine(new Main());
        for (Object tool : tools) {
            cli.addSubcommand(tool);
        }
        // After the subcommands: the handler is set on those the command line has now.
        cli.setParameterExceptionHandler(Main::badOption);
        cli.getSubcommands().get("serve").getCommandSpec().usageMessage().footer(settingsFooter());
        return cli;
    }

    /** Exits with a command's code; 0 leaves serve and demo running on Vert.x's threads until SIGTERM. */
    public static void exit(int code) {
        if (code != 0) {
            System.exit(code);
        }
    }

    @Override
    public Integer call() {
        return new Serve().call();
    }

    /** A bad option: one line and the usage hint, exit code 2 (no stack trace, no full help). */
    private static int badOption(CommandLine.ParameterException e, String[] args) {
        CommandLine cmd = e.getCommandLine();
        cmd.getErr().println("charger-status: " + e.getMessage());
        cmd.getErr().println("see: java -jar charger-status.jar " + qualifiedName(cmd) + "--help");
        return 2;
    }

    private static String qualifiedName(CommandLine cmd) {
        return cmd.getParent() == null ? "" : cmd.getCommandName() + " ";
    }

    @Command(
            name = "serve",
            mixinStandardHelpOptions = true,
            description = "Run the service until SIGTERM (the default). Without PG_URL an embedded PostgreSQL "
                    + "keeps its data under DATA_DIR (not in the server jar, which needs PG_URL); without ADMIN_TOKEN "
                    + "one is made up and printed.")
    static final class Serve implements Callable<Integer> {
        @Override
        public Integer call() {
            Config config;
            try {
                config = Launcher.config();
            } catch (Launcher.Refused r) {
                return r.say();
            }
            Logging.install(config.operations());
            if (config.http().adminToken() == null) {
                // Printed on the console once, never logged: logs are shipped and kept, a console is not.
                String token = Passwords.newToken();
                config = config.withAdminToken(token);
                System.out.println("ADMIN_TOKEN is not set; this run's admin token is: " + token);
            }
            try {
                Launcher.startStoppable(config, "cannot start");
            } catch (Launcher.StartFailed e) {
                return 1;
            }
            return 0;
        }
    }

    /**
     * {@code serve --help}'s list of settings: every key of the packed conf/charger-status.json as its
     * environment variable with its default (what each means: README, Configuration).
     */
    private static String settingsFooter() {
        StringBuilder b = new StringBuilder("%nSettings, as environment variables (default in brackets; README, "
                + "Configuration, says what each means):%n");
        Config.defaults()
                .forEach((key, value) -> b.append("  ")
                        .append(Config.envName(key))
                        .append(" [")
                        .append(value == null ? "none" : String.valueOf(value).replace("%", "%%"))
                        .append("]%n"));
        return b.toString();
    }

    @Command(name = "version", mixinStandardHelpOptions = true, description = "Print the version and exit.")
    static final class VersionCommand implements Callable<Integer> {
        @Override
        public Integer call() {
            System.out.println(new Version().getVersion()[0]);
            return 0;
        }
    }

    /** The version of the jar's manifest ("dev" when run from classes). */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = Main.class.getPackage().getImplementationVersion();
            return new String[] {"charger-status " + (version == null ? "dev" : version)};
        }
    }
}
