package io.kezdesu.signaling.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpObjectAggregator;

/** Netty's aggregator, answering an oversized body with the API's JSON 413 and closing the connection. */
final class BodyLimitAggregator extends HttpObjectAggregator {

    private final int maxBody;

    BodyLimitAggregator(int maxBody) {
        super(maxBody);
        this.maxBody = maxBody;
    }

    @Override
    protected void handleOversizedMessage(ChannelHandlerContext ctx, HttpMessage oversized) {
        HttpApiHandler.writeThenHalfClose(ctx, HttpApiHandler.error(new ApiException(ApiError.PAYLOAD_TOO_LARGE,
                "request body over " + maxBody + " bytes")));
    }
}
