package io.kezdesu.cli.daemon;

import java.util.Map;

/** The accounts contract on the zero-setup embedded store. */
class EmbeddedStoreAccountsTest extends AccountsApiContract {

    @Override
    Map<String, String> storeSettings() {
        return Map.of();
    }
}
