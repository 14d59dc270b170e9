package io.kezdesu.cli.admin;

import io.kezdesu.cli.support.CliException;
import io.kezdesu.cli.Main;
import io.kezdesu.cli.daemon.DaemonFile;
import io.kezdesu.common.config.Config;
import io.kezdesu.common.config.ConfigKeys;
import io.kezdesu.common.config.ConfigLoader;
import io.kezdesu.common.data.DataDirectory;
import io.kezdesu.common.data.Secrets;
import io.kezdesu.common.tls.SelfSignedCertificate;
import java.nio.file.AccessDeniedException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * How an admin command finds the daemon: {@code --server}/{@code --token} when given, otherwise what the daemon
 * recorded in its data directory ({@code daemon.json}, {@code admin-token}), found through {@code --data-dir} or
 * {@code --config} like the daemon itself.
 */
public final class AdminOptions {

    @Option(names = "--server", paramLabel = "<url>", description = "Base URL of the daemon's HTTP API "
            + "(default: $KEZDESU_SERVER, else the URL recorded in the data directory)")
    String server;

    @Option(names = "--token", paramLabel = "<token>", description = "Admin token (default: $KEZDESU_ADMIN_TOKEN, "
            + "else <data-dir>/admin-token)")
    String token;

    @Option(names = "--data-dir", paramLabel = "<dir>", description = "The daemon's data directory")
    Path dataDir;

    @Option(names = "--config", paramLabel = "<file>", description = "The daemon's YAML configuration file")
    Path config;

    @Option(names = "--json", description = "Print JSON, for scripts")
    boolean json;

    AdminClient client(Map<String, String> env) {
        Config c;
        if (dataDir != null || config != null || env.containsKey(ConfigLoader.CONFIG_ENV)
                || server == null || token == null) {
            Map<String, List<String>> flags = dataDir == null ? Map.of()
                    : Map.of(ConfigKeys.DATA_DIR.name(), List.of(dataDir.toString()));
            Optional<Path> file = Optional.ofNullable(config)
                    .or(() -> Optional.ofNullable(env.get(ConfigLoader.CONFIG_ENV)).map(Path::of));
            c = ConfigLoader.loadWithoutFiles(file, env, flags);
        } else {
            c = Config.defaults();
        }
        Path dir = c.get(ConfigKeys.DATA_DIR).toAbsolutePath();
        String url = Optional.ofNullable(server).or(() -> Optional.ofNullable(env.get("KEZDESU_SERVER")))
                .or(() -> recordedUrl(dir))
                .orElseThrow(() -> new CliException("no running daemon recorded in " + dir
                        + " (start one with `kezdesu serve`, or pass --server and --token)", Main.FAILURE));
        String admin = Optional.ofNullable(token)
                .or(() -> c.find(ConfigKeys.ADMIN_TOKEN))
                .or(() -> DataDirectory.readText(dir.resolve(Secrets.ADMIN_TOKEN_FILE)))
                .orElseThrow(() -> new CliException("no admin token: pass --token or set KEZDESU_ADMIN_TOKEN ("
                        + dir.resolve(Secrets.ADMIN_TOKEN_FILE) + " does not exist)", Main.FAILURE));
        return new AdminClient(url, admin, Optional.of(dir.resolve(SelfSignedCertificate.CERT_FILE)));
    }

    private static Optional<String> recordedUrl(Path dir) {
        try {
            return DaemonFile.readUrl(dir);
        } catch (AccessDeniedException e) {
            throw new CliException("cannot read " + e.getFile() + ": permission denied (the data directory is "
                    + "readable by the daemon's user only: run as that user, or pass --server and --token)",
                    Main.FAILURE);
        }
    }
}
