package io.kezdesu.signaling.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.kezdesu.common.auth.oidc.TestProvider;
import io.kezdesu.signaling.SignalingFixture;
import io.kezdesu.signaling.SignalingFixture.TestUser;
import io.kezdesu.signaling.WsClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Access tokens of the configured identity provider on the HTTP API and the signaling socket: the provider's user
 * gets an account on first use (or the account with the same verified email), the same one every time after; a
 * token for another audience, or naming an email that has an account without saying it is verified, is 401 with a
 * clear message; the server's own login tokens keep working beside them.
 */
class IdpTokenAccountsTest {

    @Test
    void aProvidersTokensActAsItsUsersAccounts(@TempDir Path dir) throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key key = TestProvider.Key.es256("k1");
            idp.publish(key);
            try (SignalingFixture f = SignalingFixture.start(dir, Map.of("oidc-issuer", idp.issuer(),
                    "oidc-audience", "kezdesu"))) {
                String ada = idp.token(key, Map.of("sub", "ada-at-idp", "email", "Ada@Example.org", "name", "Ada"));
                JsonNode me = f.call("GET", "/api/me", null, ada).json();
                assertEquals("ada@example.org", me.path("email").asText(), me.toString());
                assertEquals("Ada", me.path("name").asText());
                String adaId = me.path("id").asText();
                assertEquals(adaId, f.call("GET", "/api/me", null, idp.token(key, Map.of("sub", "ada-at-idp",
                        "email", "ada@example.org"))).json().path("id").asText(), "the same account every time");

                // A service without an email (client credentials) gets one of the provider's host.
                JsonNode service = f.call("GET", "/api/me", null, idp.token(key, Map.of("sub", "reporting-job")))
                        .json();
                assertEquals("reporting-job@127.0.0.1", service.path("email").asText(), service.toString());

                // A local account with the same email: linked when the provider says the email is verified.
                TestUser local = f.user("Bob");
                String bobEmail = f.call("GET", "/api/me", null, local.token()).json().path("email").asText();
                SignalingFixture.Response unverified = f.call("GET", "/api/me", null, idp.token(key,
                        Map.of("sub", "bob-at-idp", "email", bobEmail)));
                assertEquals(401, unverified.status());
                assertTrue(unverified.json().path("message").asText().contains("without saying that the email is "
                        + "verified"), unverified.toString());
                JsonNode linked = f.call("GET", "/api/me", null, idp.token(key, Map.of("sub", "bob-at-idp",
                        "email", bobEmail, "email_verified", true))).json();
                assertEquals(local.id(), linked.path("id").asText(), linked.toString());

                SignalingFixture.Response other = f.call("GET", "/api/me", null, idp.token(key,
                        Map.of("aud", List.of("another-app"))));
                assertEquals(401, other.status());
                assertEquals("token for another audience (expected kezdesu)",
                        other.json().path("message").asText());

                // The socket takes the provider's token too, and the server's own tokens still work.
                String room = f.room(local, Map.of("name", "Mixed"));
                WsClient viaIdp = f.ws(new TestUser(adaId, "Ada", ada));
                viaIdp.send(Map.of("type", "join", "room", room));
                assertEquals(adaId, viaIdp.expect("joined").path("participants").get(0).path("userId").asText());
                WsClient viaLocal = f.ws(local);
                viaLocal.send(Map.of("type", "join", "room", room));
                assertNotEquals(null, viaLocal.expect("joined").path("you").asText(null));
            }
        }
    }

    /** Groups to rights: who may create rooms, who is an administrator; as the provider says with each token. */
    @Test
    void theProvidersGroupsDecideWhoCreatesRoomsAndWhoAdministers(@TempDir Path dir) throws Exception {
        try (TestProvider idp = new TestProvider()) {
            TestProvider.Key key = TestProvider.Key.es256("k1");
            idp.publish(key);
            try (SignalingFixture f = SignalingFixture.start(dir, Map.of("oidc-issuer", idp.issuer(),
                    "oidc-audience", "kezdesu", "oidc-groups-claim", "roles", "oidc-room-creators", "organisers",
                    "oidc-admins", "it-admins", "admin-token", "the-admin-token-of-this-test"))) {
                String organiser = idp.token(key, Map.of("sub", "olga", "roles", List.of("staff", "organisers")));
                String staff = idp.token(key, Map.of("sub", "sam", "roles", List.of("staff")));
                String admin = idp.token(key, Map.of("sub", "ivan", "roles", List.of("it-admins")));
                assertEquals(201, f.call("POST", "/api/rooms", Map.of("name", "Planning"), organiser).status());
                SignalingFixture.Response refused = f.call("POST", "/api/rooms", Map.of("name", "Mine"), staff);
                assertEquals(403, refused.status());
                assertEquals("only members of organisers may create rooms here",
                        refused.json().path("message").asText());
                assertEquals(403, f.call("POST", "/api/rooms", Map.of("name", "Local"), f.user("Lee").token())
                        .status(), "an account without the group, a local one too");

                assertEquals(200, f.call("GET", "/admin/users", null, admin).status());
                SignalingFixture.Response notAdmin = f.call("GET", "/admin/users", null, organiser);
                assertEquals(403, notAdmin.status());
                assertEquals("the admin API is for the admin token and members of it-admins",
                        notAdmin.json().path("message").asText());
                assertEquals(401, f.call("GET", "/admin/users", null, null).status());
                assertEquals(200, f.call("GET", "/admin/users", null, "the-admin-token-of-this-test").status());
                // Out of the group at the provider: out of the admin API with the next token.
                String demoted = idp.token(key, Map.of("sub", "ivan", "roles", List.of("staff")));
                assertEquals(403, f.call("GET", "/admin/users", null, demoted).status());
                JsonNode me = f.call("GET", "/api/me", null, demoted).json();
                assertEquals(List.of("staff"), List.of(me.path("groups").get(0).asText()),
                        "the account keeps the groups of its latest token, for the logins of this server it holds");
            }
        }
    }
}
