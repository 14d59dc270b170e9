package io.kezdesu.signaling.session;

/** Why an open socket lost the login it was authenticated with. */
public enum Revocation {
    /** A password change or reset raised the account's token version past the socket's token. */
    TOKEN_REVOKED,
    /** An administrator disabled the account. */
    ACCOUNT_DISABLED
}
