package io.kezdesu.common.config;

import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a configuration value is written and read. Every parser throws {@link IllegalArgumentException} whose message
 * is the "expected: …" part of the error, so that {@link ConfigLoader} can report {@code key: value (expected: …)}.
 */
public final class ValueType<T> {

    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h|d)?");
    private static final Pattern SIZE = Pattern.compile("(\\d+)\\s*(B|KiB|MiB|GiB|K|M|G|KB|MB|GB)?", Pattern.CASE_INSENSITIVE);

    /** The longest duration any key takes: ten years, far below where nanoseconds overflow a long (292 years). */
    static final Duration MAX_DURATION = Duration.ofDays(3650);

    private final String expected;
    private final Function<String, T> parser;
    private final Function<T, String> printer;
    private final ValueType<?> element;

    private ValueType(String expected, Function<String, T> parser, Function<T, String> printer) {
        this(expected, parser, printer, null);
    }

    private ValueType(String expected, Function<String, T> parser, Function<T, String> printer, ValueType<?> element) {
        this.expected = expected;
        this.parser = parser;
        this.printer = printer;
        this.element = element;
    }

    /** Whether values are lists (YAML sequences, repeated flags, or comma-separated text). */
    public boolean isList() {
        return element != null;
    }

    /**
     * Whether a flag of this type may be written bare ({@code --allow-loopback-peers}, meaning true) as well as with a
     * value ({@code --allow-loopback-peers=false}), as coturn's boolean options are.
     */
    public boolean isBoolean() {
        return BOOLEAN_EXPECTED.equals(expected) && element == null;
    }

    private static final String BOOLEAN_EXPECTED = "true or false";

    /** What a valid value looks like, in words; used in error messages and docs. */
    public String expected() {
        return expected;
    }

    public T parse(String raw) {
        String text = raw.strip();
        T value;
        try {
            value = parser.apply(text);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException(expected, e);
        }
        if (value == null) {
            throw new IllegalArgumentException(expected);
        }
        return value;
    }

    public String print(T value) {
        return printer.apply(value);
    }

    public static ValueType<String> string() {
        return new ValueType<>("a non-empty string", s -> s.isEmpty() ? null : s, s -> s);
    }

    public static ValueType<String> secret(int minLength) {
        return new ValueType<>("a string of at least " + minLength + " characters",
                s -> s.length() < minLength ? null : s, s -> s);
    }

    public static ValueType<Integer> integer(int min, int max) {
        return new ValueType<>("an integer in [" + min + ", " + max + "]", s -> {
            int v = Integer.parseInt(s);
            return v < min || v > max ? null : v;
        }, String::valueOf);
    }

    public static ValueType<Integer> port() {
        return new ValueType<>("a port number in [0, 65535]; 0 picks a free port", s -> {
            int v = Integer.parseInt(s);
            return v < 0 || v > 65535 ? null : v;
        }, String::valueOf);
    }

    public static ValueType<Boolean> bool() {
        return new ValueType<>(BOOLEAN_EXPECTED, s -> switch (s.toLowerCase(Locale.ROOT)) {
            case "true", "yes", "on", "1" -> Boolean.TRUE;
            case "false", "no", "off", "0" -> Boolean.FALSE;
            default -> null;
        }, String::valueOf);
    }

    public static ValueType<Path> path() {
        return new ValueType<>("a file system path", s -> s.isEmpty() ? null : Path.of(expandHome(s)), Path::toString);
    }

    /**
     * Durations as {@code 90s}, {@code 15m}, {@code 12h}, {@code 7d}, {@code 250ms}, or ISO-8601 {@code PT12H}; at most
     * {@link #MAX_DURATION}, so that every timer can hold it in nanoseconds and every deadline in an {@code Instant}.
     */
    public static ValueType<Duration> duration(Duration min) {
        return new ValueType<>("a duration from " + printDuration(min) + " to " + printDuration(MAX_DURATION)
                + " such as 30s, 15m, 12h, 7d", s -> {
            Duration d;
            Matcher m = DURATION.matcher(s);
            if (m.matches()) {
                long n = Long.parseLong(m.group(1));
                String unit = m.group(2) == null ? "s" : m.group(2);
                d = switch (unit) {
                    case "ms" -> Duration.ofMillis(n);
                    case "s" -> Duration.ofSeconds(n);
                    case "m" -> Duration.ofMinutes(n);
                    case "h" -> Duration.ofHours(n);
                    default -> Duration.ofDays(n);
                };
            } else {
                d = Duration.parse(s.toUpperCase(Locale.ROOT));
            }
            return d.compareTo(min) < 0 || d.compareTo(MAX_DURATION) > 0 ? null : d;
        }, ValueType::printDuration);
    }

    /** Byte sizes as {@code 65536}, {@code 64KiB}, {@code 1MiB}. */
    public static ValueType<Long> size(long min, long max) {
        return new ValueType<>("a size in bytes in [" + min + ", " + max + "] such as 65536 or 64KiB", s -> {
            Matcher m = SIZE.matcher(s);
            if (!m.matches()) {
                return null;
            }
            long n = Long.parseLong(m.group(1));
            String unit = m.group(2) == null ? "B" : m.group(2).toUpperCase(Locale.ROOT);
            long factor = switch (unit) {
                case "K", "KB", "KIB" -> 1024L;
                case "M", "MB", "MIB" -> 1024L * 1024;
                case "G", "GB", "GIB" -> 1024L * 1024 * 1024;
                default -> 1L;
            };
            long v = Math.multiplyExact(n, factor);
            return v < min || v > max ? null : v;
        }, String::valueOf);
    }

    public static <E extends Enum<E>> ValueType<E> enumeration(Class<E> type) {
        List<String> names = new ArrayList<>();
        for (E e : type.getEnumConstants()) {
            names.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
        }
        return new ValueType<>("one of " + String.join(", ", names),
                s -> Enum.valueOf(type, s.toUpperCase(Locale.ROOT).replace('-', '_')),
                e -> e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }

    /** An absolute http(s) URL without a trailing slash, e.g. {@code https://meet.example.org}. */
    public static ValueType<String> url() {
        return new ValueType<>("an http:// or https:// URL such as https://meet.example.org", s -> {
            java.net.URI u = java.net.URI.create(s);
            boolean ok = ("http".equals(u.getScheme()) || "https".equals(u.getScheme())) && u.getHost() != null
                    && u.getQuery() == null && u.getFragment() == null;
            return ok ? (s.endsWith("/") ? s.substring(0, s.length() - 1) : s) : null;
        }, s -> s);
    }

    /** A DNS name or a literal address (IPv6 without brackets). */
    public static ValueType<String> host() {
        return new ValueType<>("a host name or IP address", s -> s.matches("[A-Za-z0-9.-]{1,253}")
                || (s.contains(":") && literalAddress(s) != null) ? s : null, s -> s);
    }

    /** A STUN/TURN URL (RFC 7064 / RFC 7065), e.g. {@code turns:turn.example.org:443?transport=tcp}. */
    public static ValueType<String> iceUrl() {
        return new ValueType<>("a stun:, stuns:, turn: or turns: URL", s -> s.matches(
                "(stun|stuns|turn|turns):[^\\s?]+(\\?transport=(udp|tcp))?") ? s : null, s -> s);
    }

    /** A literal IPv4 or IPv6 address; host names are refused so that nothing resolves DNS at start-up. */
    public static ValueType<InetAddress> ipAddress() {
        return new ValueType<>("an IPv4 or IPv6 address", ValueType::literalAddress, InetAddress::getHostAddress);
    }

    public static ValueType<AddressRange> addressRange() {
        return new ValueType<>("an address, a CIDR block (10.0.0.0/8) or a range (10.0.0.1-10.0.0.9)",
                AddressRange::parse, AddressRange::toString);
    }

    public static ValueType<AddressMapping> addressMapping() {
        return new ValueType<>("a public address, or public/private addresses", AddressMapping::parse,
                AddressMapping::toString);
    }

    /** One more OpenID provider: {@code id=… issuer=… client-id=… [client-secret=…] [name="…"] …}. */
    public static ValueType<io.kezdesu.common.auth.oidc.ProviderSpec> oidcProvider() {
        return new ValueType<>("id=<a-z0-9-> issuer=<https URL> client-id=<id> and optionally client-secret=, "
                + "name=\"…\", audience=, scopes=\"…\"", io.kezdesu.common.auth.oidc.ProviderSpec::parse,
                io.kezdesu.common.auth.oidc.ProviderSpec::toString);
    }

    /** A webhook receiver: {@code URL whsec_…} (the Standard Webhooks secret format). */
    public static ValueType<io.kezdesu.common.webhook.WebhookReceiver> webhook() {
        return new ValueType<>("an http(s) URL and a whsec_ secret (base64 of at least 16 bytes), separated by a space",
                io.kezdesu.common.webhook.WebhookReceiver::parse,
                io.kezdesu.common.webhook.WebhookReceiver::toString);
    }

    /** An http:// or https:// URL with a host; a query is allowed (a webhook receiver's). */
    public static ValueType<String> endpoint() {
        return new ValueType<>("an http:// or https:// URL", s -> io.kezdesu.common.webhook.WebhookReceiver.url(s)
                == null ? null : s, s -> s);
    }

    /** A Standard Webhooks secret: {@code whsec_} and the base64 of at least 16 bytes. */
    public static ValueType<String> webhookSecret() {
        return new ValueType<>("whsec_ followed by the base64 of at least 16 bytes",
                s -> io.kezdesu.common.webhook.WebhookReceiver.key(s) == null ? null : s, s -> "<redacted>");
    }

    /** A mapping {@code name:value} such as coturn's {@code user=name:password}. */
    public static ValueType<NamedSecret> namedSecret() {
        return new ValueType<>("name:secret", s -> {
            int colon = s.indexOf(':');
            return colon <= 0 || colon == s.length() - 1 ? null
                    : new NamedSecret(s.substring(0, colon), s.substring(colon + 1));
        }, NamedSecret::toString);
    }

    /** Wraps a value type as a list; files give YAML lists, flags and environment give comma-separated values. */
    public static <E> ValueType<List<E>> listOf(ValueType<E> element) {
        return new ValueType<>("a comma-separated list of " + element.expected, s -> {
            List<E> out = new ArrayList<>();
            if (s.isEmpty()) {
                return List.copyOf(out);
            }
            for (String part : s.split(",")) {
                String p = part.strip();
                if (!p.isEmpty()) {
                    out.add(element.parse(p));
                }
            }
            return List.copyOf(out);
        }, list -> {
            List<String> parts = new ArrayList<>();
            for (E e : list) {
                parts.add(element.print(e));
            }
            return String.join(",", parts);
        }, element);
    }

    /** Parses list elements given one by one (a YAML sequence or repeated flags), so no element is split at commas. */
    @SuppressWarnings("unchecked")
    public T parseElements(List<String> raw) {
        if (element == null) {
            throw new IllegalStateException("not a list type");
        }
        List<Object> out = new ArrayList<>();
        for (String r : raw) {
            if (!r.isBlank()) {
                out.add(element.parse(r));
            }
        }
        return (T) List.copyOf(out);
    }

    static InetAddress literalAddress(String s) {
        String host = s.startsWith("[") && s.endsWith("]") ? s.substring(1, s.length() - 1) : s;
        if (!host.matches("[0-9a-fA-F:.]+") || host.isEmpty()) {
            return null;
        }
        // InetAddress also reads inet_aton's short forms: 1.2.3 is 1.2.0.3, 10.1 is 10.0.0.1. A typo must not
        // become another address, so IPv4 is taken only as four dotted decimals.
        if (!host.contains(":") && !host.matches("(\\d{1,3}\\.){3}\\d{1,3}")) {
            return null;
        }
        try {
            return InetAddress.getByName(host);
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    private static String expandHome(String s) {
        if (s.equals("~") || s.startsWith("~/")) {
            return System.getProperty("user.home") + s.substring(1);
        }
        return s;
    }

    static String printDuration(Duration d) {
        long ms = d.toMillis();
        if (ms % 86_400_000L == 0 && ms > 0) {
            return ms / 86_400_000L + "d";
        }
        if (ms % 3_600_000L == 0 && ms > 0) {
            return ms / 3_600_000L + "h";
        }
        if (ms % 60_000L == 0 && ms > 0) {
            return ms / 60_000L + "m";
        }
        if (ms % 1000L == 0) {
            return ms / 1000L + "s";
        }
        return ms + "ms";
    }
}
