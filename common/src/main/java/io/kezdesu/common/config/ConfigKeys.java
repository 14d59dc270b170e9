package io.kezdesu.common.config;

import static io.kezdesu.common.config.ConfigKey.Section.ACCOUNTS;
import static io.kezdesu.common.config.ConfigKey.Section.GENERAL;
import static io.kezdesu.common.config.ConfigKey.Section.HTTP;
import static io.kezdesu.common.config.ConfigKey.Section.PEERJS;
import static io.kezdesu.common.config.ConfigKey.Section.RELAY;
import static io.kezdesu.common.config.ConfigKey.Section.SIGNALING;
import static io.kezdesu.common.config.ConfigKey.Section.STORE;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration key kezdesu reads. Names follow coturn where a TURN option exists, so that a coturn operator
 * recognises them. docs/CONFIG.md and kezdesu.example.yaml list the same keys; a test keeps them in step.
 */
public final class ConfigKeys {

    public enum LogLevel { ERROR, WARN, INFO, DEBUG, TRACE }

    /** Who may read the signaling server's {@code /metrics}. */
    public enum MetricsAccess { PUBLIC, ADMIN }

    /** What happens when a user joins a room they are already in (another tab, another device). */
    public enum DuplicateJoin { EVICT_OLD, REJECT_NEW }

    private static final Map<String, ConfigKey<?>> ALL = new LinkedHashMap<>();

    // --- general -------------------------------------------------------------------------------------------------
    public static final ConfigKey<Path> DATA_DIR = key("data-dir", GENERAL, ValueType.path(), defaultDataDir(), false,
            "Directory for generated secrets, the embedded store and the development certificate");
    public static final ConfigKey<LogLevel> LOG_LEVEL = key("log-level", GENERAL,
            ValueType.enumeration(LogLevel.class), LogLevel.INFO, false, "Root log level");

    // --- storage -------------------------------------------------------------------------------------------------
    public static final ConfigKey<String> MONGO_URI = key("mongo-uri", STORE, ValueType.secret(10), null, true,
            "MongoDB connection string; unset starts the embedded store in the data directory");
    public static final ConfigKey<String> MONGO_DATABASE = key("mongo-database", STORE, ValueType.string(), "kezdesu",
            false, "Database name");

    // --- HTTP / WebSocket ----------------------------------------------------------------------------------------
    public static final ConfigKey<InetAddress> HTTP_IP = key("http-ip", HTTP, ValueType.ipAddress(),
            anyLocal(), false, "Address the HTTP(S) server listens on");
    public static final ConfigKey<Integer> HTTP_PORT = key("http-port", HTTP, ValueType.port(), 8080, false,
            "Port of the HTTP(S) server (API, WebSocket, web client); 0 picks a free port");
    public static final ConfigKey<Path> TLS_CERT = key("tls-cert", HTTP, ValueType.path(), null, false,
            "PEM certificate chain; with tls-key the server speaks HTTPS/WSS (and TURN over TLS)");
    public static final ConfigKey<Path> TLS_KEY = key("tls-key", HTTP, ValueType.path(), null, false,
            "PEM private key (PKCS#8 or PKCS#1) for tls-cert");
    public static final ConfigKey<Boolean> TLS_SELF_SIGNED = key("tls-self-signed", HTTP, ValueType.bool(), false,
            false, "Generate (once) and use a self-signed development certificate in the data directory");
    public static final ConfigKey<Long> MAX_BODY_SIZE = key("max-body-size", HTTP, ValueType.size(1024, 16 << 20),
            64L * 1024, false, "Largest accepted HTTP request body; larger requests get 413");
    public static final ConfigKey<List<AddressRange>> TRUSTED_PROXIES = key("trusted-proxies", HTTP,
            ValueType.listOf(ValueType.addressRange()), List.of(), false,
            "Reverse proxies whose Forwarded / X-Forwarded-For headers name the client (for per-address limits); "
                    + "empty trusts none");
    public static final ConfigKey<Duration> HEADER_TIMEOUT = key("header-timeout", HTTP,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(10), false,
            "An HTTP request not whole (headers and body) this long after its first byte gets 408 and is closed; a "
                    + "new connection that sends nothing this long is closed");
    public static final ConfigKey<Integer> CONNECTIONS_PER_IP = key("connections-per-ip", HTTP,
            ValueType.integer(0, 1_000_000), 500, false,
            "Open connections one client address (an IPv6 /64) may hold, HTTP and WebSocket (trusted proxies exempt) "
                    + "and, apart, TURN over TCP/TLS; more are closed at once; 0 = unlimited");
    public static final ConfigKey<Integer> MAX_CONNECTIONS = key("max-connections", HTTP,
            ValueType.integer(0, 10_000_000), 0, false,
            "Open connections the whole process may hold, HTTP, WebSocket and TURN over TCP/TLS together, so the "
                    + "open-file limit is never reached: past it a new connection replaces the one waiting longest "
                    + "(for a request: HTTP; for an allocation: TURN), or is closed when all are in use; 0 = the "
                    + "open-file limit less a tenth (at least 256) kept for the store, files and relay sockets");
    public static final ConfigKey<List<String>> ALLOWED_ORIGINS = key("allowed-origins", HTTP,
            ValueType.listOf(ValueType.url()), List.of(), false,
            "Other sites (scheme://host[:port]) whose pages may open /ws; a page's own origin and public-url's always "
                    + "may, any other browser origin gets 403");
    public static final ConfigKey<MetricsAccess> METRICS_ACCESS = key("metrics-access", HTTP,
            ValueType.enumeration(MetricsAccess.class), MetricsAccess.PUBLIC, false,
            "Who may read /metrics on the HTTP port: public (counts only, no identities) or admin (the admin token)");
    public static final ConfigKey<String> ADMIN_TOKEN = key("admin-token", HTTP, ValueType.secret(16), null, true,
            "Bearer token of the admin API; generated into the data directory when unset (with a store, once for "
                    + "the whole cluster)");

    // --- accounts ------------------------------------------------------------------------------------------------
    public static final ConfigKey<Boolean> ALLOW_REGISTRATION = key("allow-registration", ACCOUNTS, ValueType.bool(),
            true, false, "Whether POST /api/register is open; when false only `kezdesu user add` creates accounts");
    public static final ConfigKey<String> JWT_SECRET = key("jwt-secret", ACCOUNTS, ValueType.secret(32), null, true,
            "HS256 signing secret for login tokens (at least 32 characters); generated when unset");
    public static final ConfigKey<String> OIDC_ISSUER = key("oidc-issuer", ACCOUNTS, ValueType.url(), null, false,
            "OpenID provider whose access tokens the API, /ws and PeerJS accept (discovery at "
                    + "<issuer>/.well-known/openid-configuration); https://, or http:// on a loopback address only");
    public static final ConfigKey<String> OIDC_AUDIENCE = key("oidc-audience", ACCOUNTS, ValueType.string(), null,
            false, "The audience (aud) the provider's access tokens must carry; unset uses oidc-client-id");
    public static final ConfigKey<Duration> OIDC_KEYS_MIN_INTERVAL = key("oidc-keys-min-interval", ACCOUNTS,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(30), false,
            "A token naming a key the provider did not publish yet makes its keys be read again, at most this often "
                    + "(tokens with made-up key ids cannot make the server hammer the provider)");
    public static final ConfigKey<String> OIDC_CLIENT_ID = key("oidc-client-id", ACCOUNTS, ValueType.string(), null,
            false, "This server's client id at the OpenID provider; with it the login page offers sign-in with the "
                    + "provider (redirect URI: <public-url>/auth/oidc/callback)");
    public static final ConfigKey<String> OIDC_CLIENT_SECRET = key("oidc-client-secret", ACCOUNTS,
            ValueType.secret(8), null, true, "The client's secret at the provider (client_secret_basic); unset for a "
                    + "public client (PKCE alone)");
    public static final ConfigKey<String> OIDC_SCOPES = key("oidc-scopes", ACCOUNTS, ValueType.string(),
            "openid email profile", false, "Scopes asked for at sign-in");
    public static final ConfigKey<String> OIDC_DISPLAY_NAME = key("oidc-display-name", ACCOUNTS, ValueType.string(),
            null, false, "The provider's name on the login page (\"Sign in with …\"); unset: the issuer's host");
    public static final ConfigKey<List<io.kezdesu.common.auth.oidc.ProviderSpec>> OIDC_PROVIDERS = key(
            "oidc-providers", ACCOUNTS, ValueType.listOf(ValueType.oidcProvider()), List.of(), true,
            "More OpenID providers beside oidc-issuer, each `id=… issuer=… client-id=… [client-secret=…] "
                    + "[name=\"…\"] [audience=…] [scopes=\"…\"]`: each signs people in (its own button) and its tokens "
                    + "are accepted; the oidc-* claim, group and oidc-only settings apply to all");
    public static final ConfigKey<String> OIDC_EMAIL_CLAIM = key("oidc-email-claim", ACCOUNTS, ValueType.string(),
            "email", false, "The claim that gives a provider's user's email");
    public static final ConfigKey<String> OIDC_NAME_CLAIM = key("oidc-name-claim", ACCOUNTS, ValueType.string(),
            "name", false, "The claim that gives a provider's user's name");
    public static final ConfigKey<String> OIDC_GROUPS_CLAIM = key("oidc-groups-claim", ACCOUNTS, ValueType.string(),
            "groups", false, "The claim that lists a provider's user's groups (oidc-room-creators, oidc-admins)");
    public static final ConfigKey<List<String>> OIDC_ROOM_CREATORS = key("oidc-room-creators", ACCOUNTS,
            ValueType.listOf(ValueType.string()), List.of(), false,
            "Provider groups whose members may create rooms; empty: everyone may (set, accounts without one of these "
                    + "groups, local ones too, may join rooms but not create them)");
    public static final ConfigKey<List<String>> OIDC_ADMINS = key("oidc-admins", ACCOUNTS,
            ValueType.listOf(ValueType.string()), List.of(), false,
            "Provider groups whose members' logins the admin API accepts, besides the admin token");
    public static final ConfigKey<Boolean> OIDC_ONLY = key("oidc-only", ACCOUNTS, ValueType.bool(), false, false,
            "Accounts come from the provider only: no registration and no password login here");
    public static final ConfigKey<Duration> JWT_TTL = key("jwt-ttl", ACCOUNTS, ValueType.duration(Duration.ofMinutes(1)),
            Duration.ofHours(12), false, "Lifetime of a login token");
    public static final ConfigKey<String> JWT_ISSUER = key("jwt-issuer", ACCOUNTS, ValueType.string(), "kezdesu",
            false, "The iss claim written into and required of login tokens");
    public static final ConfigKey<Integer> LOGIN_FAILURES_PER_IP = key("login-failures-per-ip", ACCOUNTS,
            ValueType.integer(1, 1_000_000), 20, false,
            "Failed logins one client address (an IPv6 /64) may make before waits of 1 s, 2 s, 4 s ... (429)");
    public static final ConfigKey<Integer> LOGIN_FAILURES_PER_ACCOUNT = key("login-failures-per-account", ACCOUNTS,
            ValueType.integer(1, 1_000_000), 10, false,
            "Failed logins against one account from one client address before waits of 1 s, 2 s, 4 s ... (429); "
                    + "ten times as many from all addresses slow everyone's tries on the account");
    public static final ConfigKey<Duration> LOGIN_FAILURE_WINDOW = key("login-failure-window", ACCOUNTS,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofMinutes(15), false,
            "Longest wait after failed logins; a key with no failure for this long starts over");

    public static final ConfigKey<Integer> REGISTRATIONS_PER_IP = key("registrations-per-ip", ACCOUNTS,
            ValueType.integer(1, 1_000_000), 20, false,
            "Registrations one client address (an IPv6 /64) may make per registration-window before getting 429");
    public static final ConfigKey<Duration> REGISTRATION_WINDOW = key("registration-window", ACCOUNTS,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofHours(1), false,
            "Window over which registrations are counted");
    public static final ConfigKey<Integer> PASSWORD_HASH_QUEUE = key("password-hash-queue", ACCOUNTS,
            ValueType.integer(2, 100_000), 64, false,
            "Password hashes and checks waiting or running at once; beyond it requests get 503. Registrations, room "
                    + "passwords and password changes may use at most half, so logins always have room");

    // --- signaling (rooms, WebSocket) ----------------------------------------------------------------------------
    public static final ConfigKey<String> PUBLIC_URL = key("public-url", SIGNALING, ValueType.url(), null, false,
            "Base URL users reach the server at, for join links; unset derives it from each request's Host");
    public static final ConfigKey<String> TURN_HOST = key("turn-host", SIGNALING, ValueType.host(), null, false,
            "Host name or address advertised in STUN/TURN URLs; unset uses the host the client reached HTTP at. A "
                    + "relay with a store registers it for the fleet (unset: its external-ip or listening-ip)");
    public static final ConfigKey<List<String>> ICE_URLS = key("ice-urls", SIGNALING,
            ValueType.listOf(ValueType.iceUrl()), List.of(), false,
            "STUN/TURN URLs handed to clients instead of the derived ones (e.g. a separate relay fleet)");
    public static final ConfigKey<Integer> DEFAULT_MAX_PARTICIPANTS = key("default-max-participants", SIGNALING,
            ValueType.integer(1, 10_000), 10, false, "Participant limit of a room created without one");
    public static final ConfigKey<Integer> ROOMS_PER_USER = key("rooms-per-user", SIGNALING,
            ValueType.integer(1, 1_000_000), 100, false,
            "Open rooms one user may head (through the API; the admin API is not limited); more get 409 too-many-rooms");
    public static final ConfigKey<Integer> MAX_PARTICIPANTS_LIMIT = key("max-participants-limit", SIGNALING,
            ValueType.integer(1, 10_000), 50, false, "Server-wide cap on any room's participant limit");
    public static final ConfigKey<DuplicateJoin> DUPLICATE_JOIN = key("duplicate-join", SIGNALING,
            ValueType.enumeration(DuplicateJoin.class), DuplicateJoin.EVICT_OLD, false,
            "A user joining a room they are already in: evict-old replaces the old session, reject-new refuses");
    public static final ConfigKey<Long> WS_MAX_MESSAGE_SIZE = key("ws-max-message-size", SIGNALING,
            ValueType.size(1024, 16 << 20), 64L * 1024, false,
            "Largest WebSocket message; larger ones get an error and close code 1009");
    public static final ConfigKey<Integer> WS_RATE_LIMIT = key("ws-rate-limit", SIGNALING,
            ValueType.integer(1, 1_000_000), 100, false,
            "Messages per second one connection may send (bursts of twice that); floods get close code 1008");
    public static final ConfigKey<Duration> HEARTBEAT_TIMEOUT = key("heartbeat-timeout", SIGNALING,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(15), false,
            "A connection silent this long (no message, no pong) is dropped; pings go out at a third of it");
    public static final ConfigKey<Duration> MAX_CONFERENCE_EXTENSION = key("max-conference-extension", SIGNALING,
            ValueType.duration(Duration.ZERO), Duration.ofMinutes(60), false,
            "How much time a room's head may add in all to a conference that has a time limit (maxDurationMinutes)");
    public static final ConfigKey<Duration> RESUME_GRACE = key("resume-grace", SIGNALING,
            ValueType.duration(Duration.ZERO), Duration.ofSeconds(20), false,
            "How long a participant whose socket dropped may resume before the others see it leave");
    public static final ConfigKey<Integer> RESUME_QUEUE = key("resume-queue", SIGNALING,
            ValueType.integer(1, 100_000), 256, false,
            "Messages queued for a dropped participant; beyond it the participant is dropped");
    public static final ConfigKey<Duration> CONFERENCE_HEARTBEAT = key("conference-heartbeat", SIGNALING,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(30), false,
            "No longer used (accepted so older configuration files still load; a warning says it is ignored): a live "
                    + "conference's report runs to its node's last heartbeat, every third of node-timeout");
    public static final ConfigKey<Duration> NODE_TIMEOUT = key("node-timeout", SIGNALING,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(10), false,
            "A signaling node or relay that has not renewed its heartbeat in the store for this long is dead: a "
                    + "node's rooms' leases lapse, and its conferences go on where their people resume (else close "
                    + "after resume-grace); a relay is no longer handed out");
    public static final ConfigKey<String> NODE_ADDRESS = key("node-address", SIGNALING, ValueType.url(), null, false,
            "URL other signaling nodes on the same store reach this one at, e.g. http://10.0.0.5:8080; unset uses "
                    + "http-ip and http-port (when http-ip is 0.0.0.0, the machine's first address that is not "
                    + "loopback or link-local)");
    public static final ConfigKey<String> REGION = key("region", SIGNALING, ValueType.string(), null, false,
            "Region tag of this node or relay (e.g. eu-west); signaling hands out the relays of its own region first");
    public static final ConfigKey<Integer> ICE_RELAY_COUNT = key("ice-relay-count", SIGNALING,
            ValueType.integer(0, 100), 0, false,
            "How many healthy relays of the fleet a client is given: the same region first, then the least loaded; "
                    + "0 = all");
    public static final ConfigKey<String> CLUSTER_SECRET = key("cluster-secret", SIGNALING, ValueType.secret(16),
            null, true, "Secret nodes sign their links to each other with (the same on every node); unset derives it "
                    + "from jwt-secret");

    public static final ConfigKey<List<io.kezdesu.common.webhook.WebhookReceiver>> WEBHOOKS = key("webhooks",
            SIGNALING, ValueType.listOf(ValueType.webhook()), List.of(), true,
            "Receivers of room, conference and participant events, each as `URL whsec_secret`; signed and delivered "
                    + "as the Standard Webhooks specification says, from a durable outbox in the store");
    public static final ConfigKey<String> WEBHOOK_URL = key("webhook-url", SIGNALING, ValueType.endpoint(), null,
            false, "One more webhook receiver, given with webhook-secret (for flags and the environment)");
    public static final ConfigKey<String> WEBHOOK_SECRET = key("webhook-secret", SIGNALING,
            ValueType.webhookSecret(), null, true, "The whsec_ secret of webhook-url");
    public static final ConfigKey<Duration> WEBHOOK_RETRY_FOR = key("webhook-retry-for", SIGNALING,
            ValueType.duration(Duration.ofMinutes(1)), Duration.ofHours(24), false,
            "How long an event a receiver does not take (no 2xx) is retried before it is given up");
    public static final ConfigKey<Duration> WEBHOOK_FIRST_RETRY = key("webhook-first-retry", SIGNALING,
            ValueType.duration(Duration.ofMillis(100)), Duration.ofSeconds(5), false,
            "Wait before the first retry of a failed delivery; each next wait doubles, up to an hour");

    // --- PeerJS compatibility (peerjs-server 1.0.2 option names where one exists; see docs/PEERJS.md) -----------
    public static final ConfigKey<Boolean> PEERJS_ENABLED = key("peerjs-enabled", PEERJS, ValueType.bool(), true,
            false, "Serve the PeerJS-compatible HTTP API and WebSocket under peerjs-path");
    public static final ConfigKey<String> PEERJS_PATH = key("peerjs-path", PEERJS, ValueType.string(), "/peerjs",
            false, "Base path of the PeerJS endpoint (the client's `path` option); the socket is at {path}/peerjs");
    public static final ConfigKey<String> PEERJS_KEY = key("peerjs-key", PEERJS, ValueType.string(), "peerjs", false,
            "The API key PeerJS clients must present (peerjs-server's `key`)");
    public static final ConfigKey<Boolean> PEERJS_ALLOW_DISCOVERY = key("peerjs-allow-discovery", PEERJS,
            ValueType.bool(), false, false, "Whether GET {path}/{key}/peers lists connected ids (else 401)");
    public static final ConfigKey<Integer> PEERJS_CONCURRENT_LIMIT = key("peerjs-concurrent-limit", PEERJS,
            ValueType.integer(1, 1_000_000), 5000, false,
            "Connected PeerJS clients at most; newcomers beyond it get the concurrent-limit ERROR");
    public static final ConfigKey<Duration> PEERJS_ALIVE_TIMEOUT = key("peerjs-alive-timeout", PEERJS,
            ValueType.duration(Duration.ofMillis(100)), Duration.ofSeconds(90), false,
            "A PeerJS client that sends no HEARTBEAT for this long is disconnected");
    public static final ConfigKey<Duration> PEERJS_EXPIRE_TIMEOUT = key("peerjs-expire-timeout", PEERJS,
            ValueType.duration(Duration.ofMillis(100)), Duration.ofSeconds(5), false,
            "How long messages for an offline id wait before each sender gets one EXPIRE");
    public static final ConfigKey<Integer> PEERJS_QUEUE_LIMIT = key("peerjs-queue-limit", PEERJS,
            ValueType.integer(1, 100_000), 256, false,
            "Messages held for one offline id; beyond it further messages are dropped (their senders get EXPIRE)");
    public static final ConfigKey<Integer> PEERJS_QUEUE_IDS = key("peerjs-queue-ids", PEERJS,
            ValueType.integer(1, 1_000_000), 10_000, false,
            "Offline ids messages may wait for at once; a message for one more gets EXPIRE at once");
    public static final ConfigKey<Long> PEERJS_QUEUE_BYTES_PER_SENDER = key("peerjs-queue-bytes-per-sender", PEERJS,
            ValueType.size(1024, 1L << 30), 1L << 20, false,
            "Bytes one sender may have waiting for offline ids; beyond it its messages are dropped (EXPIRE)");
    public static final ConfigKey<Long> PEERJS_QUEUE_BYTES = key("peerjs-queue-bytes", PEERJS,
            ValueType.size(1024, 1L << 34), 64L << 20, false,
            "Bytes waiting for all offline ids together; beyond it messages are dropped (EXPIRE)");
    public static final ConfigKey<Boolean> PEERJS_REQUIRE_AUTH = key("peerjs-require-auth", PEERJS, ValueType.bool(),
            false, false, "Require a kezdesu login token (JWT) as the PeerJS `token`; ids then belong to accounts");
    public static final ConfigKey<Long> PEERJS_MAX_MESSAGE_SIZE = key("peerjs-max-message-size", PEERJS,
            ValueType.size(1024, 16 << 20), 1L << 20, false,
            "Largest PeerJS WebSocket message; larger ones get an ERROR and close code 1009");
    public static final ConfigKey<Integer> PEERJS_RATE_LIMIT = key("peerjs-rate-limit", PEERJS,
            ValueType.integer(0, 1_000_000), 100, false,
            "Messages per second one PeerJS connection may send, pings included (bursts of twice that); 0 = unlimited");

    // --- relay (coturn names) ------------------------------------------------------------------------------------
    public static final ConfigKey<List<InetAddress>> LISTENING_IP = key("listening-ip", RELAY,
            ValueType.listOf(ValueType.ipAddress()), List.of(), false,
            "Addresses the STUN/TURN listeners bind; empty binds 0.0.0.0 (every IPv4 address): list IPv6 addresses too "
                    + "to serve IPv6 clients");
    public static final ConfigKey<Integer> LISTENING_PORT = key("listening-port", RELAY, ValueType.port(), 3478, false,
            "STUN/TURN port for UDP and TCP; 0 picks a free port");
    public static final ConfigKey<Integer> ALT_LISTENING_PORT = key("alt-listening-port", RELAY, ValueType.port(), 0,
            false, "RFC 5780 NAT behaviour discovery's second port (served when listening-ip names two addresses of "
                    + "one family); 0 is listening-port + 1");
    public static final ConfigKey<Integer> TLS_LISTENING_PORT = key("tls-listening-port", RELAY, ValueType.port(), 5349,
            false, "STUN/TURN over TLS port (used when a certificate is configured); 0 picks a free port");
    public static final ConfigKey<List<InetAddress>> RELAY_IP = key("relay-ip", RELAY,
            ValueType.listOf(ValueType.ipAddress()), List.of(), false,
            "Addresses relayed transport addresses are allocated on: at most one IPv4 and one IPv6 address "
            + "(dual stack; IPv4 is the default family, RELAY.md); empty uses the listening address");
    public static final ConfigKey<List<AddressMapping>> EXTERNAL_IP = key("external-ip", RELAY,
            ValueType.listOf(ValueType.addressMapping()), List.of(), false,
            "Public address behind 1:1 NAT, as public or public/private; every emitted address is mapped");
    public static final ConfigKey<Integer> MIN_PORT = key("min-port", RELAY, ValueType.integer(1, 65535), 49152, false,
            "Lowest relay port");
    public static final ConfigKey<Integer> MAX_PORT = key("max-port", RELAY, ValueType.integer(1, 65535), 65535, false,
            "Highest relay port");
    public static final ConfigKey<String> REALM = key("realm", RELAY, ValueType.string(), "kezdesu", false,
            "TURN realm for long-term credentials");
    public static final ConfigKey<List<String>> STATIC_AUTH_SECRET = key("static-auth-secret", RELAY,
            ValueType.listOf(ValueType.secret(16)), List.of(), true,
            "TURN REST shared secrets (coturn use-auth-secret); the first mints, all verify; generated when empty "
                    + "(with a store, once for the whole fleet)");
    public static final ConfigKey<String> NONCE_SECRET = key("nonce-secret", RELAY, ValueType.secret(16), null, true,
            "Key of the stateless TURN nonces; generated when unset (with a store, once for the whole fleet)");
    public static final ConfigKey<List<NamedSecret>> USER = key("user", RELAY,
            ValueType.listOf(ValueType.namedSecret()), List.of(), true, "Static TURN users as name:password");
    public static final ConfigKey<Duration> TURN_CREDENTIAL_TTL = key("turn-credential-ttl", RELAY,
            ValueType.duration(Duration.ofMinutes(1)), Duration.ofHours(12), false,
            "Lifetime of the TURN REST credentials handed to clients");
    public static final ConfigKey<List<AddressRange>> DENIED_PEER_IP = key("denied-peer-ip", RELAY,
            ValueType.listOf(ValueType.addressRange()), List.of(), false,
            "Peer address ranges the relay refuses, in addition to the built-in unsafe ranges");
    public static final ConfigKey<List<AddressRange>> ALLOWED_PEER_IP = key("allowed-peer-ip", RELAY,
            ValueType.listOf(ValueType.addressRange()), List.of(), false,
            "Peer address ranges the relay accepts even when denied (allow wins)");
    public static final ConfigKey<Boolean> ALLOW_LOOPBACK_PEERS = key("allow-loopback-peers", RELAY, ValueType.bool(),
            false, false, "Allow relaying to 127.0.0.0/8 and ::1 (tests and single-host setups only)");
    public static final ConfigKey<Boolean> DENY_PRIVATE_PEERS = key("deny-private-peers", RELAY, ValueType.bool(),
            false, false, "Also refuse RFC 1918 / RFC 6598 / ULA peers (the default allows them, as coturn does)");
    public static final ConfigKey<Duration> MAX_ALLOCATE_LIFETIME = key("max-allocate-lifetime", RELAY,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(3600), false,
            "Longest allocation lifetime a client may request");
    public static final ConfigKey<Duration> DEFAULT_ALLOCATE_LIFETIME = key("default-allocate-lifetime", RELAY,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(600), false,
            "Allocation lifetime when the client asks for none");
    public static final ConfigKey<Duration> MAX_ALLOCATE_TIMEOUT = key("max-allocate-timeout", RELAY,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(60), false,
            "Longest a TCP/TLS connection may stay without an allocation, after it opens or its allocation ends");
    public static final ConfigKey<Duration> PERMISSION_LIFETIME = key("permission-lifetime", RELAY,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(300), false, "Permission lifetime");
    public static final ConfigKey<Duration> CHANNEL_LIFETIME = key("channel-lifetime", RELAY,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(600), false, "Channel binding lifetime");
    public static final ConfigKey<Duration> NONCE_LIFETIME = key("nonce-lifetime", RELAY,
            ValueType.duration(Duration.ofSeconds(1)), Duration.ofSeconds(600), false,
            "How long a nonce is accepted before 438 Stale Nonce");
    public static final ConfigKey<Integer> UNAUTHORIZED_PER_SECOND = key("unauthorized-per-second", RELAY,
            ValueType.integer(1, 1_000_000), 100, false,
            "401 challenges (and, over UDP, other errors to unauthenticated requests) answered per second to one "
                    + "source address (bursts of unauthorized-burst); more are "
                    + "dropped, so the relay reflects little at a spoofed victim. Raise it for a big NAT");
    public static final ConfigKey<Integer> UNAUTHORIZED_BURST = key("unauthorized-burst", RELAY,
            ValueType.integer(1, 1_000_000), 200, false, "401 challenges one source address may get at once");
    public static final ConfigKey<Integer> BINDING_PER_SECOND = key("binding-per-second", RELAY,
            ValueType.integer(1, 1_000_000), 100, false,
            "STUN Binding requests answered per second to one source address over UDP (bursts of binding-burst); "
                    + "more are dropped, so the relay reflects little at a spoofed victim");
    public static final ConfigKey<Integer> BINDING_BURST = key("binding-burst", RELAY,
            ValueType.integer(1, 1_000_000), 200, false, "STUN Binding answers one source address may get at once");
    public static final ConfigKey<Integer> USER_QUOTA = key("user-quota", RELAY, ValueType.integer(0, 1_000_000), 10,
            false, "Concurrent allocations per user (the REST user id); 0 = unlimited");
    public static final ConfigKey<Integer> ROOM_QUOTA = key("room-quota", RELAY, ValueType.integer(0, 1_000_000), 100,
            false, "Concurrent allocations per room (from the REST username); 0 = unlimited");
    public static final ConfigKey<Integer> TOTAL_QUOTA = key("total-quota", RELAY, ValueType.integer(0, 1_000_000),
            5000, false, "Concurrent allocations in total; 0 = unlimited");
    public static final ConfigKey<Integer> ADDRESS_QUOTA = key("address-quota", RELAY,
            ValueType.integer(0, 1_000_000), 500, false,
            "Concurrent allocations per client address (an IPv6 /64), whatever the accounts; 0 = unlimited");
    public static final ConfigKey<Integer> PERMISSION_QUOTA = key("permission-quota", RELAY,
            ValueType.integer(1, 100_000), 64, false, "Permissions per allocation");
    public static final ConfigKey<Long> MAX_BPS = key("max-bps", RELAY, ValueType.size(0, Long.MAX_VALUE / 2), 0L,
            false, "Bandwidth cap per allocation in bytes per second; 0 = unlimited");
    public static final ConfigKey<Boolean> LEGACY_CHANNEL_NUMBERS = key("legacy-channel-numbers", RELAY,
            ValueType.bool(), false, false, "Also accept RFC 5766 channel numbers 0x5000-0x7FFF (RFC 8656 reserved "
                    + "them); for older clients such as coturn's turnutils_uclient");
    public static final ConfigKey<Integer> RELAY_THREADS = key("relay-threads", RELAY, ValueType.integer(0, 1024), 0,
            false, "Event-loop threads of the relay (coturn's relay-threads); 0 = one per core");
    public static final ConfigKey<Duration> DRAIN_TIMEOUT = key("drain-timeout", RELAY,
            ValueType.duration(Duration.ZERO), Duration.ZERO, false,
            "On SIGTERM a relay first drains for at most this long: new allocations are sent to another relay of the "
                    + "fleet (300 Try Alternate), existing ones are served until they end; 0 stops at once. Also the "
                    + "limit of `kezdesu relay drain` when it names none (1h when this is 0)");
    public static final ConfigKey<Integer> METRICS_PORT = key("metrics-port", RELAY, ValueType.port(), 0, false,
            "Port of a plain-HTTP listener (on http-ip) with the relay's /metrics and /healthz; 0 = off. kezdesu serve "
                    + "also adds them to the signaling server's /metrics");

    private ConfigKeys() {
    }

    /** Every key, in declaration order. */
    public static List<ConfigKey<?>> all() {
        return Collections.unmodifiableList(new ArrayList<>(ALL.values()));
    }

    public static ConfigKey<?> byName(String name) {
        return ALL.get(name);
    }

    private static <T> ConfigKey<T> key(String name, ConfigKey.Section section, ValueType<T> type, T defaultValue,
                                        boolean secret, String description) {
        ConfigKey<T> key = new ConfigKey<>(name, section, type, defaultValue, secret, description);
        if (ALL.putIfAbsent(name, key) != null) {
            throw new IllegalStateException("duplicate key " + name);
        }
        return key;
    }

    static Path defaultDataDir() {
        String xdg = System.getenv("XDG_DATA_HOME");
        Path base = xdg != null && !xdg.isBlank() ? Path.of(xdg)
                : Path.of(System.getProperty("user.home"), ".local", "share");
        return base.resolve("kezdesu");
    }

    private static InetAddress anyLocal() {
        try {
            return InetAddress.getByAddress(new byte[4]);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }
}
