package io.kezdesu.relay.stun;

/** STUN/TURN method and class numbers (RFC 8489 §5, RFC 8656 §17) and the attribute types the relay reads. */
public final class StunTypes {

    public enum Kind { REQUEST, INDICATION, SUCCESS, ERROR }

    public static final int BINDING = 0x001;
    public static final int ALLOCATE = 0x003;
    public static final int REFRESH = 0x004;
    public static final int SEND = 0x006;
    public static final int DATA = 0x007;
    public static final int CREATE_PERMISSION = 0x008;
    public static final int CHANNEL_BIND = 0x009;

    public static final int ATTR_MAPPED_ADDRESS = 0x0001;
    public static final int ATTR_USERNAME = 0x0006;
    public static final int ATTR_MESSAGE_INTEGRITY = 0x0008;
    public static final int ATTR_ERROR_CODE = 0x0009;
    public static final int ATTR_UNKNOWN_ATTRIBUTES = 0x000A;
    public static final int ATTR_CHANNEL_NUMBER = 0x000C;
    public static final int ATTR_LIFETIME = 0x000D;
    public static final int ATTR_XOR_PEER_ADDRESS = 0x0012;
    public static final int ATTR_DATA = 0x0013;
    public static final int ATTR_REALM = 0x0014;
    public static final int ATTR_NONCE = 0x0015;
    public static final int ATTR_XOR_RELAYED_ADDRESS = 0x0016;
    public static final int ATTR_REQUESTED_ADDRESS_FAMILY = 0x0017;
    public static final int ATTR_EVEN_PORT = 0x0018;
    public static final int ATTR_REQUESTED_TRANSPORT = 0x0019;
    public static final int ATTR_DONT_FRAGMENT = 0x001A;
    public static final int ATTR_RESERVATION_TOKEN = 0x0022;
    public static final int ATTR_XOR_MAPPED_ADDRESS = 0x0020;
    /** RFC 8656 §18.11, §18.12: dual allocations (comprehension-optional). */
    public static final int ATTR_ADDITIONAL_ADDRESS_FAMILY = 0x8000;
    public static final int ATTR_ADDRESS_ERROR_CODE = 0x8001;
    /** RFC 8656 §18.5: the family octet of REQUESTED-ADDRESS-FAMILY and friends. */
    public static final int FAMILY_IPV4 = 0x01;
    public static final int FAMILY_IPV6 = 0x02;
    /** RFC 5780 §7.2, §7.4, §7.3: NAT behaviour discovery (sent and read by the probe client only). */
    public static final int ATTR_CHANGE_REQUEST = 0x0003;
    public static final int ATTR_OTHER_ADDRESS = 0x802C;
    public static final int ATTR_RESPONSE_ORIGIN = 0x802B;
    /** RFC 8489 §14.15 and §14.16. */
    public static final int ATTR_ALTERNATE_SERVER = 0x8023;
    public static final int ATTR_ALTERNATE_DOMAIN = 0x8003;
    public static final int ATTR_SOFTWARE = 0x8022;
    public static final int ATTR_FINGERPRINT = 0x8028;

    public static final int MAGIC_COOKIE = 0x2112A442;
    public static final int HEADER_LENGTH = 20;
    /** RFC 8656 §12: channel numbers 0x4000 through 0x4FFF. */
    public static final int MIN_CHANNEL = 0x4000;
    public static final int MAX_CHANNEL = 0x4FFF;
    public static final int PROTOCOL_UDP = 17;

    private StunTypes() {
    }

    /** RFC 8489 §5: the method bits M0–M11 interleaved with the class bits C0 (bit 4) and C1 (bit 8). */
    public static int method(int type) {
        return (type & 0x000F) | ((type & 0x00E0) >> 1) | ((type & 0x3E00) >> 2);
    }

    public static Kind kind(int type) {
        return switch (type & 0x0110) {
            case 0x0000 -> Kind.REQUEST;
            case 0x0010 -> Kind.INDICATION;
            case 0x0100 -> Kind.SUCCESS;
            default -> Kind.ERROR;
        };
    }

    public static int type(int method, Kind kind) {
        int classBits = switch (kind) {
            case REQUEST -> 0x0000;
            case INDICATION -> 0x0010;
            case SUCCESS -> 0x0100;
            case ERROR -> 0x0110;
        };
        return (method & 0x000F) | ((method & 0x0070) << 1) | ((method & 0x0F80) << 2) | classBits;
    }

    /** RFC 8489 §14: 0x0000–0x7FFF are comprehension-required. */
    public static boolean comprehensionRequired(int attributeType) {
        return attributeType < 0x8000;
    }
}
