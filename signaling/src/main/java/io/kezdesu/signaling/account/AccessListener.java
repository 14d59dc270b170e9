package io.kezdesu.signaling.account;

/**
 * Told when an account's standing changes in a way that can end logins already in use: it was disabled or enabled,
 * or a password change or reset raised its token version. Called once the store holds the change, with the account
 * as stored; never on an event loop's critical path for long (implementations only hand work to event loops).
 */
@FunctionalInterface
public interface AccessListener {

    void accessChanged(User user);
}
