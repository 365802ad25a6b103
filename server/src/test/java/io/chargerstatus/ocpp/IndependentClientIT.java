package io.chargerstatus.ocpp;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import eu.chargetime.ocpp.ClientEvents;
import eu.chargetime.ocpp.JSONClient;
import eu.chargetime.ocpp.feature.profile.ClientCoreEventHandler;
import eu.chargetime.ocpp.feature.profile.ClientCoreProfile;
import eu.chargetime.ocpp.model.Confirmation;
import eu.chargetime.ocpp.model.Request;
import eu.chargetime.ocpp.model.core.*;
import io.chargerstatus.testkit.Api;
import io.chargerstatus.testkit.SseClient;
import io.chargerstatus.testkit.TestService;
import io.vertx.core.json.JsonObject;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

@DisplayName("A charger played by an independent OCPP 1.6J client library (eu.chargetime.ocpp)")
class IndependentClientIT {
    private static TestService service;

    @BeforeAll
    static void start() {
        service = TestService.start(Map.of());
    }

    @AfterAll
    static void stop() throws Exception {
        service.close();
    }

    @Test
    @DisplayName("walks through all ten statuses, each shown on REST and SSE")
    void allTenStatuses() throws Exception {
        Api api = service.api();
        api.charger("independent", "CT-1");
        assertEquals("Unknown", api.chargerRow("CT-1").getString("status"));
        List<String> seen = new ArrayList<>();
        seen.add("Unknown");
        try (SseClient sse = SseClient.open(service, TestService.ADMIN, "?accountId=independent", null)) {
            ClientCoreProfile core = new ClientCoreProfile(new RefusingHandler());
            JSONClient client = new JSONClient(core, "CT-1");
            CompletableFuture<Void> opened = new CompletableFuture<>();
            CompletableFuture<Void> closed = new CompletableFuture<>();
            client.connect("ws://127.0.0.1:" + service.ocppPort + "/ocpp", new ClientEvents() {
                @Override
                public void connectionOpened() {
                    opened.complete(null);
                }

                @Override
                public void connectionClosed() {
                    closed.complete(null);
                }
            });
            opened.get(10, TimeUnit.SECONDS);

            BootNotificationConfirmation boot =
                    (BootNotificationConfirmation) send(client, core.createBootNotificationRequest("ACME", "AC22"));
            assertEquals(RegistrationStatus.Accepted, boot.getStatus());
            assertTrue(boot.validate(), "the library finds our BootNotification.conf valid");
            seen.add(expect(sse, "Available"));

            ChargePointStatus[] walk = {
                ChargePointStatus.Preparing,
                ChargePointStatus.Charging,
                ChargePointStatus.SuspendedEV,
                ChargePointStatus.SuspendedEVSE,
                ChargePointStatus.Finishing,
                ChargePointStatus.Faulted,
                ChargePointStatus.Unavailable
            };
            String[] expected = {"Preparing", "Charging", "Completed", "Paused", "Finishing", "Faulted", "Unavailable"};
            for (int i = 0; i < walk.length; i++) {
                ChargePointErrorCode error = walk[i] == ChargePointStatus.Faulted
                        ? ChargePointErrorCode.PowerMeterFailure
                        : ChargePointErrorCode.NoError;
                StatusNotificationRequest request = core.createStatusNotificationRequest(1, error, walk[i]);
                request.setTimestamp(ZonedDateTime.now());
                Confirmation conf = send(client, request);
                assertTrue(conf.validate());
                seen.add(expect(sse, expected[i]));
                assertEquals(expected[i], api.chargerRow("CT-1").getString("status"));
            }
            HeartbeatConfirmation heartbeat = (HeartbeatConfirmation) send(client, core.createHeartbeatRequest());
            assertTrue(heartbeat.validate());
            client.disconnect();
            closed.get(10, TimeUnit.SECONDS);
            seen.add(expect(sse, "Offline"));
        }
        assertEquals(
                List.of(
                        "Unknown",
                        "Available",
                        "Preparing",
                        "Charging",
                        "Completed",
                        "Paused",
                        "Finishing",
                        "Faulted",
                        "Unavailable",
                        "Offline"),
                seen);
        assertEquals("Offline", api.chargerRow("CT-1").getString("status"));
    }

    private static Confirmation send(JSONClient client, Request request) throws Exception {
        return client.send(request).toCompletableFuture().get(10, TimeUnit.SECONDS);
    }

    private static String expect(SseClient sse, String status) throws InterruptedException {
        JsonObject e = sse.awaitStatus("CT-1", status);
        return e.getString("status");
    }

    /** The charger side of calls from the service; none are made in this walk. */
    private static final class RefusingHandler implements ClientCoreEventHandler {
        @Override
        public ChangeAvailabilityConfirmation handleChangeAvailabilityRequest(ChangeAvailabilityRequest r) {
            return new ChangeAvailabilityConfirmation(AvailabilityStatus.Rejected);
        }

        @Override
        public GetConfigurationConfirmation handleGetConfigurationRequest(GetConfigurationRequest r) {
            return new GetConfigurationConfirmation();
        }

        @Override
        public ChangeConfigurationConfirmation handleChangeConfigurationRequest(ChangeConfigurationRequest r) {
            return new ChangeConfigurationConfirmation(ConfigurationStatus.Rejected);
        }

        @Override
        public ClearCacheConfirmation handleClearCacheRequest(ClearCacheRequest r) {
            return new ClearCacheConfirmation();
        }

        @Override
        public DataTransferConfirmation handleDataTransferRequest(DataTransferRequest r) {
            return new DataTransferConfirmation(DataTransferStatus.Rejected);
        }

        @Override
        public RemoteStartTransactionConfirmation handleRemoteStartTransactionRequest(RemoteStartTransactionRequest r) {
            return new RemoteStartTransactionConfirmation(RemoteStartStopStatus.Rejected);
        }

        @Override
        public RemoteStopTransactionConfirmation handleRemoteStopTransactionRequest(RemoteStopTransactionRequest r) {
            return new RemoteStopTransactionConfirmation(RemoteStartStopStatus.Rejected);
        }

        @Override
        public ResetConfirmation handleResetRequest(ResetRequest r) {
            return new ResetConfirmation(ResetStatus.Rejected);
        }

        @Override
        public UnlockConnectorConfirmation handleUnlockConnectorRequest(UnlockConnectorRequest r) {
            return new UnlockConnectorConfirmation(UnlockStatus.NotSupported);
        }
    }
}
