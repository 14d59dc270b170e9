package io.kezdesu.relay.policy;

import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Concurrent allocation limits (0 = unlimited): per user (the REST user id, so one user's many credentials share a
 * limit), per room (the REST room id), per client address (an {@code AddressKey}: IPv4, or an IPv6 /64), and in
 * total. The address limit is what keeps a farm of throwaway accounts on one network from taking the whole
 * {@code total-quota} for itself. {@link #tryAcquire} reserves all four or none; every success is paired with
 * exactly one {@link #release} when the allocation ends. Over quota is 486 (RFC 8656 §7.2 step 10).
 */
public final class QuotaPolicy {

    private final int perUser;
    private final int perRoom;
    private final int total;
    private final int perAddress;
    private final int permissionsPerAllocation;
    private final ConcurrentHashMap<String, AtomicInteger> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> rooms = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, AtomicInteger> addresses = new ConcurrentHashMap<>();
    private final AtomicInteger all = new AtomicInteger();

    public QuotaPolicy(int perUser, int perRoom, int total, int perAddress, int permissionsPerAllocation) {
        this.perUser = perUser;
        this.perRoom = perRoom;
        this.total = total;
        this.perAddress = perAddress;
        this.permissionsPerAllocation = permissionsPerAllocation;
    }

    public int permissionsPerAllocation() {
        return permissionsPerAllocation;
    }

    public synchronized boolean tryAcquire(String userId, Optional<String> roomId, String address) {
        if (total > 0 && all.get() >= total) {
            return false;
        }
        if (perUser > 0 && count(users, userId) >= perUser) {
            return false;
        }
        if (perRoom > 0 && roomId.isPresent() && count(rooms, roomId.get()) >= perRoom) {
            return false;
        }
        if (perAddress > 0 && count(addresses, address) >= perAddress) {
            return false;
        }
        all.incrementAndGet();
        users.computeIfAbsent(userId, k -> new AtomicInteger()).incrementAndGet();
        roomId.ifPresent(r -> rooms.computeIfAbsent(r, k -> new AtomicInteger()).incrementAndGet());
        addresses.computeIfAbsent(address, k -> new AtomicInteger()).incrementAndGet();
        return true;
    }

    public synchronized void release(String userId, Optional<String> roomId, String address) {
        all.decrementAndGet();
        decrement(users, userId);
        roomId.ifPresent(r -> decrement(rooms, r));
        decrement(addresses, address);
    }

    public int total() {
        return all.get();
    }

    private static int count(ConcurrentHashMap<String, AtomicInteger> map, String key) {
        AtomicInteger n = map.get(key);
        return n == null ? 0 : n.get();
    }

    private static void decrement(ConcurrentHashMap<String, AtomicInteger> map, String key) {
        AtomicInteger n = map.get(key);
        if (n != null && n.decrementAndGet() <= 0) {
            map.remove(key);
        }
    }
}
