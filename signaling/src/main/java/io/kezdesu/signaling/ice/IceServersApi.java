package io.kezdesu.signaling.ice;

import io.kezdesu.signaling.account.AccountService;
import io.kezdesu.signaling.http.ApiResponse;
import io.kezdesu.signaling.http.Router;
import io.kezdesu.signaling.ws.WebSocketUpgradeHandler;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;

/**
 * {@code GET /api/ice-servers} (login token required): the same RTCIceServer array a {@code joined} message
 * carries, with a fresh TURN REST credential for the caller, for clients that do not speak our signaling (PeerJS:
 * pass it as {@code config.iceServers}).
 */
public final class IceServersApi {

    public static final String PATH = "/api/ice-servers";

    private final IceServers ice;
    private final AccountService accounts;

    public IceServersApi(IceServers ice, AccountService accounts) {
        this.ice = ice;
        this.accounts = accounts;
    }

    public void routes(Router router) {
        router.add(HttpMethod.GET, PATH, req -> accounts.authenticate(req.bearerToken())
                .map(user -> ApiResponse.ok(ice.forUser(user.id(),
                        req.headers().get(HttpHeaderNames.HOST, "localhost")))));
    }
}
