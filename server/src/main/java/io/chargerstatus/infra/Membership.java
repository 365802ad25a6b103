package io.chargerstatus.infra;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.NetworkConfig;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Which instances form the service now: this one's node id (the owner recorded on the chargers whose
 * sessions it holds), the live members, and a callback when one leaves. A single instance is a cluster of
 * one that never changes.
 */
public final class Membership {
    private static final Logger LOG = LoggerFactory.getLogger(Membership.class);

    private final String nodeId;
    private final Supplier<List<String>> members;
    private final BooleanSupplier active;
    private volatile Consumer<String> onLeft = node -> {};

    private Membership(String nodeId, Supplier<List<String>> members, BooleanSupplier active) {
        this.nodeId = nodeId;
        this.members = members;
        this.active = active;
    }

    /** A single instance, no cluster. */
    public static Membership alone() {
        String id = UUID.randomUUID().toString();
        return new Membership(id, () -> List.of(id), () -> true);
    }

    /**
     * The membership of a joined Hazelcast cluster. Listens to Hazelcast itself rather than to Vert.x's
     * node listener: Vert.x's HA manager holds that single slot.
     */
    public static Membership of(HazelcastClusterManager manager) {
        HazelcastInstance hz = manager.getHazelcastInstance();
        Membership m = new Membership(manager.getNodeId(), manager::getNodes, manager::isActive);
        hz.getCluster().addMembershipListener(new MembershipListener() {
            @Override
            public void memberAdded(MembershipEvent event) {
                LOG.info("cluster member joined: " + describe(event.getMember()) + "; members now "
                        + describe(event.getMembers()));
            }

            @Override
            public void memberRemoved(MembershipEvent event) {
                LOG.warn("cluster member left: " + describe(event.getMember()) + "; members now "
                        + describe(event.getMembers()));
                m.onLeft.accept(event.getMember().getUuid().toString());
            }
        });
        LOG.info("joined the cluster as " + manager.getNodeId() + "; members "
                + describe(hz.getCluster().getMembers()));
        return m;
    }

    /**
     * The cluster manager for {@code cluster}: Vert.x's own Hazelcast configuration (its maps and
     * multimaps), joined by TCP/IP to the listed members or by Kubernetes DNS discovery, on this host and
     * port. A member that stops answering is removed after a few seconds (at most a third of
     * {@code offlineAfterS}), so that its chargers are recorded offline in time.
     */
    public static HazelcastClusterManager manager(Config.Cluster cluster, int offlineAfterS) {
        HazelcastClusterManager manager = new HazelcastClusterManager();
        com.hazelcast.config.Config hz = manager.loadConfig();
        hz.setClusterName("charger-status");
        hz.setProperty("hazelcast.logging.type", "slf4j");
        hz.setProperty("hazelcast.phone.home.enabled", "false");
        // The service leaves the cluster itself, after draining its sessions (Service.stop): Hazelcast's own
        // hook would leave first, and the others would sweep chargers this instance is still committing.
        hz.setProperty("hazelcast.shutdownhook.enabled", "false");
        hz.setProperty("hazelcast.heartbeat.interval.seconds", "1");
        hz.setProperty(
                "hazelcast.max.no.heartbeat.seconds", String.valueOf(Math.max(5, Math.min(60, offlineAfterS / 3))));
        NetworkConfig network = hz.getNetworkConfig();
        network.setPort(cluster.port()).setPortAutoIncrement(false);
        if (cluster.host() != null) {
            hz.setProperty("hazelcast.local.localAddress", cluster.host());
            network.getInterfaces().setEnabled(true).setInterfaces(List.of(cluster.host()));
        }
        JoinConfig join = network.getJoin();
        join.getMulticastConfig().setEnabled(false);
        join.getAutoDetectionConfig().setEnabled(false);
        if (cluster.kubernetes()) {
            // DNS lookup of the headless service: no RBAC needed. A short name resolves in the pod's namespace.
            join.getKubernetesConfig().setEnabled(true).setProperty("service-dns", cluster.service());
        } else {
            join.getTcpIpConfig().setEnabled(true).setMembers(cluster.members());
        }
        manager.setConfig(hz);
        return manager;
    }

    private static String describe(Member member) {
        return member.getAddress().getHost() + ":" + member.getAddress().getPort() + " (" + member.getUuid() + ")";
    }

    private static String describe(Iterable<Member> members) {
        List<String> all = new ArrayList<>();
        members.forEach(member -> all.add(describe(member)));
        return all.toString();
    }

    /** This instance's node id. */
    public String nodeId() {
        return nodeId;
    }

    /** The node ids of the live members, this one included. */
    public List<String> members() {
        return members.get();
    }

    /** Whether this instance is (still) part of its cluster. */
    public boolean active() {
        return active.getAsBoolean();
    }

    /** Called, on a cluster thread, with the node id of every member that leaves. */
    public void onLeft(Consumer<String> handler) {
        this.onLeft = handler;
    }
}
